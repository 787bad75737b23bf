//! The same attacker skipping the router and calling the services' internal gRPC ports directly. With its own
//! valid token in the metadata it reaches its own data only: anything about the victim is `PERMISSION_DENIED`,
//! leaks nothing, and is recorded as a denial of the attacker (by the service refusing, in the audit log). Without
//! a token, or with one signed by a key identity never published, every port answers `UNAUTHENTICATED` before
//! anything is read; such a call names no subject the platform knows, so there is nobody to record it against.

use proto::audit::v1::audit_service_client::AuditServiceClient;
use proto::audit::v1::{Outcome, RecordRequest};
use proto::authz::v1::authz_service_client::AuthzServiceClient;
use proto::authz::v1::{CheckRequest, Decision, ListPermissionsRequest, Resource, Subject};
use proto::billing::v1::GetSubscriptionRequest;
use proto::billing::v1::billing_service_client::BillingServiceClient;
use proto::blog::v1::GetPostRequest;
use proto::blog::v1::blog_service_client::BlogServiceClient;
use proto::identity::v1::identity_service_client::IdentityServiceClient;
use proto::identity::v1::{BatchGetUsersRequest, GetUserRequest};
use serde_json::json;
use tonic::Code;
use tonic::transport::Channel;

use crate::scene::Scene;
use crate::stack::Service;

/// A request carrying `token` as its bearer credential, or none.
fn call<T>(message: T, token: Option<&str>) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Some(token) = token {
        let value = format!("Bearer {token}").parse().expect("a header value");
        request.metadata_mut().insert("authorization", value);
    }
    request
}

async fn channel(scene: &Scene, service: Service) -> Channel {
    Channel::from_shared(format!("http://{}", scene.stack.grpc_addr(service)))
        .expect("a URI")
        .connect()
        .await
        .expect("the service's gRPC port answers")
}

fn check(subject: &str, action: &str, kind: &str, id: &str, owner: &str) -> CheckRequest {
    CheckRequest {
        subject: Some(Subject {
            id: subject.to_owned(),
            kind: "user".to_owned(),
        }),
        action: action.to_owned(),
        resource: Some(Resource {
            kind: kind.to_owned(),
            id: id.to_owned(),
            owner_id: owner.to_owned(),
        }),
    }
}

/// A `Record` call writing that `actor` paid `invoice`.
fn forged_payment(actor: &str, invoice: &str) -> RecordRequest {
    RecordRequest {
        id: uuid::Uuid::now_v7().to_string(),
        actor: actor.to_owned(),
        action: "invoice.paid".to_owned(),
        resource: format!("invoice:{invoice}"),
        outcome: Outcome::Success.into(),
        source_service: "billing".to_owned(),
        ..RecordRequest::default()
    }
}

/// Asserts `status` is `code` and says nothing of `secrets`.
fn refused(status: &tonic::Status, code: Code, secrets: &[&str]) {
    assert_eq!(status.code(), code, "{status}");
    for secret in secrets {
        assert!(
            !status.message().contains(secret),
            "the refusal leaks {secret:?}: {status}"
        );
    }
}

#[tokio::test]
async fn a_members_own_token_on_the_internal_grpc_ports_reaches_only_its_own_data() {
    let scene = Scene::start().await;
    let (a, b, owned) = (&scene.a, &scene.b, &scene.owned);
    let token = Some(a.access.as_str());
    let services = [Service::Identity, Service::Authz, Service::Blog, Service::Billing];
    let before = scene.state(&services).await;
    let secrets = [b.email.as_str(), owned.draft_title.as_str()];

    let mut identity = IdentityServiceClient::new(channel(&scene, Service::Identity).await);
    let own = identity
        .get_user(call(GetUserRequest { id: a.id.clone() }, token))
        .await;
    assert_eq!(
        own.expect("its own record").into_inner().user.expect("a user").email,
        a.email
    );
    let status = identity
        .get_user(call(GetUserRequest { id: b.id.clone() }, token))
        .await
        .expect_err("another user's record");
    refused(&status, Code::PermissionDenied, &secrets);
    let ids = vec![a.id.clone(), b.id.clone()];
    let status = identity
        .batch_get_users(call(BatchGetUsersRequest { ids }, token))
        .await
        .expect_err("a batch with another user in it");
    refused(&status, Code::PermissionDenied, &secrets);

    let mut blog = BlogServiceClient::new(channel(&scene, Service::Blog).await);
    let published = blog
        .get_post(call(
            GetPostRequest {
                id: owned.published_post.clone(),
            },
            token,
        ))
        .await
        .expect("a published post is anyone's to read");
    assert_eq!(published.into_inner().post.expect("the post").author_id, b.id);
    let status = blog
        .get_post(call(
            GetPostRequest {
                id: owned.draft_post.clone(),
            },
            token,
        ))
        .await
        .expect_err("another user's draft");
    refused(&status, Code::PermissionDenied, &secrets);

    let mut billing = BillingServiceClient::new(channel(&scene, Service::Billing).await);
    let own = billing
        .get_subscription(call(GetSubscriptionRequest { user_id: a.id.clone() }, token))
        .await
        .expect("its own subscription, of which it has none");
    assert!(own.into_inner().subscription.is_none());
    let status = billing
        .get_subscription(call(GetSubscriptionRequest { user_id: b.id.clone() }, token))
        .await
        .expect_err("another user's subscription");
    refused(&status, Code::PermissionDenied, &secrets);

    let mut authz = AuthzServiceClient::new(channel(&scene, Service::Authz).await);
    let own = authz
        .check(call(check(&a.id, "create", "post", "", ""), token))
        .await
        .expect("a check about itself");
    assert_eq!(own.into_inner().decision, i32::from(Decision::Allow));
    let status = authz
        .check(call(check(&b.id, "pay", "invoice", &owned.invoice, &b.id), token))
        .await
        .expect_err("a check claiming to be the victim");
    refused(&status, Code::PermissionDenied, &secrets);
    let listing = ListPermissionsRequest {
        subject: Some(Subject {
            id: b.id.clone(),
            kind: "user".to_owned(),
        }),
    };
    let status = authz
        .list_permissions(call(listing, token))
        .await
        .expect_err("the victim's permissions");
    refused(&status, Code::PermissionDenied, &["member"]);

    let mut audit = AuditServiceClient::new(channel(&scene, Service::Audit).await);
    let forged = forged_payment(&b.id, &owned.invoice);
    let status = audit
        .record(call(forged, token))
        .await
        .expect_err("a record of something the victim never did");
    refused(&status, Code::PermissionDenied, &secrets);

    assert_eq!(scene.state(&services).await, before, "a refused call changes nothing");
    let victim = format!("user:{}", b.id);
    scene
        .assert_denial_audited(&a.id, "user:read", &victim, "identity")
        .await;
    scene
        .assert_denial_audited(&a.id, "post:read", &format!("post:{}", owned.draft_post), "blog")
        .await;
    scene
        .assert_denial_audited(&a.id, "subscription:read", &victim, "billing")
        .await;
    let subject = format!("subject:{}", b.id);
    scene
        .assert_denial_audited(&a.id, "permission:check", &subject, "authz")
        .await;
    scene
        .assert_denial_audited(&a.id, "permission:list", &subject, "authz")
        .await;
    scene
        .assert_denial_audited(&a.id, "audit_log:record", "audit_log", "audit")
        .await;
    // The forged record itself was never stored: the only payment the victim made is none at all.
    let body = scene
        .stack
        .graphql(
            Some(&scene.admin),
            "query($filter: AuditLogFilter) { auditLog(filter: $filter) { edges { node { id } } } }",
            json!({ "filter": { "actor": b.id, "action": "invoice.paid" } }),
        )
        .await;
    assert_eq!(body["data"]["auditLog"]["edges"], json!([]), "{body}");
}

#[tokio::test]
async fn calls_without_a_token_or_with_a_forged_one_are_unauthenticated_on_every_grpc_port() {
    let scene = Scene::start().await;
    let (b, owned) = (&scene.b, &scene.owned);
    let forger = kernel::auth::TokenIssuer::new(
        kernel::auth::IssuerConfig::default(),
        kernel::auth::SigningKey::generate_ed25519("forged").expect("a key"),
    );
    let forged = forger
        .issue(&b.id, vec!["admin".into(), "service".into()], "")
        .expect("a token")
        .token;
    let services = [Service::Identity, Service::Authz, Service::Blog, Service::Billing];
    let before = scene.state(&services).await;
    let secrets = [b.email.as_str(), owned.draft_title.as_str()];

    for token in [None, Some(forged.as_str())] {
        let mut identity = IdentityServiceClient::new(channel(&scene, Service::Identity).await);
        let status = identity
            .get_user(call(GetUserRequest { id: b.id.clone() }, token))
            .await
            .expect_err("identity refuses");
        refused(&status, Code::Unauthenticated, &secrets);
        let mut blog = BlogServiceClient::new(channel(&scene, Service::Blog).await);
        let status = blog
            .get_post(call(
                GetPostRequest {
                    id: owned.draft_post.clone(),
                },
                token,
            ))
            .await
            .expect_err("blog refuses");
        refused(&status, Code::Unauthenticated, &secrets);
        let mut billing = BillingServiceClient::new(channel(&scene, Service::Billing).await);
        let status = billing
            .get_subscription(call(GetSubscriptionRequest { user_id: b.id.clone() }, token))
            .await
            .expect_err("billing refuses");
        refused(&status, Code::Unauthenticated, &secrets);
        let mut authz = AuthzServiceClient::new(channel(&scene, Service::Authz).await);
        let status = authz
            .check(call(check(&b.id, "pay", "invoice", &owned.invoice, &b.id), token))
            .await
            .expect_err("authz refuses");
        refused(&status, Code::Unauthenticated, &secrets);
        let mut audit = AuditServiceClient::new(channel(&scene, Service::Audit).await);
        let status = audit
            .record(call(forged_payment(&b.id, &owned.invoice), token))
            .await
            .expect_err("audit refuses");
        refused(&status, Code::Unauthenticated, &secrets);
    }

    assert_eq!(scene.state(&services).await, before, "a refused call changes nothing");
    let body = scene
        .stack
        .graphql(
            Some(&scene.admin),
            "query($filter: AuditLogFilter) { auditLog(filter: $filter) { edges { node { id } } } }",
            json!({ "filter": { "actor": b.id, "action": "invoice.paid" } }),
        )
        .await;
    assert_eq!(
        body["data"]["auditLog"]["edges"],
        json!([]),
        "nothing forged reached the log: {body}"
    );
}
