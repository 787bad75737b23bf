//! A user an administrator disabled still holds an access token that verifies until it expires. It must be worth
//! nothing: every write and every read of the user's private data refused, sign-in and refresh refused, each
//! refusal in the audit log, nothing changed.

use proto::billing::v1::GetSubscriptionRequest;
use proto::billing::v1::billing_service_client::BillingServiceClient;
use proto::blog::v1::GetPostRequest;
use proto::blog::v1::blog_service_client::BlogServiceClient;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tonic::Code;
use tonic::transport::Channel;

use crate::scene::{PASSWORD, PLAN_PRICE, Scene, User, assert_no_leak, codes, sign_in};
use crate::stack::Service;

/// Has the administrator disable `user` through the router, and waits until authz has learned of it from
/// identity's `user.disabled` event (identity itself refuses at once; authz follows the event).
async fn disable(scene: &Scene, user: &str) {
    let body = scene
        .stack
        .graphql(
            Some(&scene.admin),
            "mutation($id: ID!) { disableUser(id: $id) { status } }",
            json!({ "id": user }),
        )
        .await;
    assert_eq!(body["data"]["disableUser"]["status"], "DISABLED", "{body}");
    for _ in 0..600 {
        if scene.stack.disabled_in_authz(user).await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("authz never learned that {user} was disabled");
}

/// One attempt through the router and what must come of it.
struct Attempt {
    /// Where in the answer the refused value would be (`/data/createPost`); it must be absent or null.
    field: &'static str,
    query: &'static str,
    variables: Value,
    code: &'static str,
    action: &'static str,
    resource: String,
    recorded_by: &'static str,
}

/// Runs each attempt as `user`: the HTTP status is 200, the refused value absent or null, exactly one error
/// carrying the expected code, nothing of `secrets` in the answer, and the denial in the audit log.
async fn refused_and_audited(scene: &Scene, user: &User, attempts: Vec<Attempt>, secrets: &[&str]) {
    for attempt in &attempts {
        let (status, body) = scene
            .attempt(Some(&user.access), attempt.query, attempt.variables.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", attempt.field);
        assert_eq!(codes(&body), [attempt.code], "{}: {body}", attempt.field);
        assert!(
            body.pointer(attempt.field).is_none_or(Value::is_null),
            "{}: {body}",
            attempt.field
        );
        assert_no_leak(&body, secrets);
    }
    for attempt in &attempts {
        scene
            .assert_denial_audited(&user.id, attempt.action, &attempt.resource, attempt.recorded_by)
            .await;
    }
}

#[tokio::test]
async fn a_disabled_users_live_token_is_refused_every_write_and_nothing_changes() {
    let scene = Scene::start().await;
    let (b, owned) = (&scene.b, &scene.owned);
    disable(&scene, &b.id).await;
    let services = [Service::Identity, Service::Authz, Service::Blog, Service::Billing];
    let before = scene.state(&services).await;

    let attempt = |field, query, variables, action, resource: String, recorded_by| Attempt {
        field,
        query,
        variables,
        code: "FORBIDDEN",
        action,
        resource,
        recorded_by,
    };
    let post = format!("post:{}", owned.published_post);
    let attempts = vec![
        attempt(
            "/data/createPost",
            "mutation { createPost(input: { title: \"Still here\" }) { id } }",
            json!({}),
            "post:create",
            "post".to_owned(),
            "blog",
        ),
        attempt(
            "/data/editPost",
            "mutation($id: ID!) { editPost(id: $id, input: { title: \"Edited\" }) { id } }",
            json!({ "id": owned.published_post }),
            "post:edit",
            post.clone(),
            "blog",
        ),
        attempt(
            "/data/archivePost",
            "mutation($id: ID!) { archivePost(id: $id) { id } }",
            json!({ "id": owned.published_post }),
            "post:archive",
            post,
            "blog",
        ),
        attempt(
            "/data/deleteComment",
            "mutation($id: ID!) { deleteComment(id: $id) { id } }",
            json!({ "id": owned.comment }),
            "comment:delete",
            format!("comment:{}", owned.comment),
            "blog",
        ),
        attempt(
            "/data/subscribe",
            "mutation { subscribe(planCode: \"pro\") { id } }",
            json!({}),
            "subscription:create",
            "subscription".to_owned(),
            "billing",
        ),
        attempt(
            "/data/cancelSubscription",
            "mutation($id: ID!) { cancelSubscription(id: $id) { id status } }",
            json!({ "id": owned.subscription }),
            "subscription:cancel",
            format!("subscription:{}", owned.subscription),
            "billing",
        ),
        attempt(
            "/data/payInvoice",
            "mutation($id: ID!) { payInvoice(invoiceId: $id, amount: { amount: \"1250\", currency: \"EUR\" },
                idempotencyKey: \"after-disable\") { id } }",
            json!({ "id": owned.invoice }),
            "invoice:pay",
            format!("invoice:{}", owned.invoice),
            "billing",
        ),
        attempt(
            "/data/updateProfile",
            "mutation { updateProfile(displayName: \"Renamed\") { displayName } }",
            json!({}),
            "user:edit",
            format!("user:{}", b.id),
            "identity",
        ),
    ];
    refused_and_audited(&scene, b, attempts, &[]).await;
    assert_eq!(scene.state(&services).await, before, "a refused write changes nothing");
}

#[tokio::test]
async fn a_disabled_users_live_token_is_refused_its_private_data() {
    let scene = Scene::start().await;
    let (b, owned) = (&scene.b, &scene.owned);
    disable(&scene, &b.id).await;
    let services = [Service::Identity, Service::Authz, Service::Blog, Service::Billing];
    let before = scene.state(&services).await;

    let user = format!("user:{}", b.id);
    let attempt = |field, query, variables, action, resource: String, recorded_by| Attempt {
        field,
        query,
        variables,
        code: "FORBIDDEN",
        action,
        resource,
        recorded_by,
    };
    let attempts = vec![
        attempt(
            "/data/me",
            "{ me { id email displayName } }",
            json!({}),
            "user:read",
            user.clone(),
            "identity",
        ),
        attempt(
            "/data/invoice",
            "query($id: ID!) { invoice(id: $id) { id total { amount currency } } }",
            json!({ "id": owned.invoice }),
            "invoice:read",
            format!("invoice:{}", owned.invoice),
            "billing",
        ),
        attempt(
            "/data/subscription",
            "query($id: ID!) { subscription(id: $id) { id status plan { code } } }",
            json!({ "id": owned.subscription }),
            "subscription:read",
            format!("subscription:{}", owned.subscription),
            "billing",
        ),
        // The same data reached through the user entity, each private field on its own.
        attempt(
            "/data/user/email",
            "query($id: ID!) { user(id: $id) { id email } }",
            json!({ "id": b.id }),
            "user:read",
            user.clone(),
            "identity",
        ),
        attempt(
            "/data/user/subscription",
            "query($id: ID!) { user(id: $id) { id subscription { id status } } }",
            json!({ "id": b.id }),
            "subscription:read",
            format!("subscription:{}", owned.subscription),
            "billing",
        ),
        attempt(
            "/data/user/invoices",
            "query($id: ID!) { user(id: $id) { id invoices { edges { node { id total { amount } } } } } }",
            json!({ "id": b.id }),
            "invoice:read",
            "invoice".to_owned(),
            "billing",
        ),
    ];
    let secrets = [b.email.as_str(), PLAN_PRICE, "EUR"];
    refused_and_audited(&scene, b, attempts, &secrets).await;
    assert_eq!(scene.state(&services).await, before, "a refused read changes nothing");
}

/// A gRPC request carrying `token` as its bearer credential.
fn as_user<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let value = format!("Bearer {token}").parse().expect("a header value");
    request.metadata_mut().insert("authorization", value);
    request
}

async fn channel(scene: &Scene, service: Service) -> Channel {
    Channel::from_shared(format!("http://{}", scene.stack.grpc_addr(service)))
        .expect("a URI")
        .connect()
        .await
        .expect("the service's gRPC port answers")
}

/// What `token` reads of the posts `draft` and `published` through the router: the draft by id, and the ids of
/// every post the listing shows it.
async fn posts_seen(scene: &Scene, token: &str, draft: &str, published: &str) -> (Value, Vec<String>) {
    let (status, body) = scene
        .attempt(
            Some(token),
            "query($draft: ID!, $published: ID!) { draft: post(id: $draft) { id title }
                published: post(id: $published) { id } posts(first: 100) { edges { node { id title } } } }",
            json!({ "draft": draft, "published": published }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("errors").is_none(), "public posts stay readable: {body}");
    assert_eq!(body["data"]["published"]["id"], published, "{body}");
    let listed = body["data"]["posts"]["edges"]
        .as_array()
        .expect("a page of posts")
        .iter()
        .filter_map(|edge| edge["node"]["id"].as_str().map(str::to_owned))
        .collect();
    (body["data"]["draft"].clone(), listed)
}

#[tokio::test]
async fn a_disabled_users_live_token_no_longer_shows_it_its_own_drafts_or_subscription() {
    let scene = Scene::start().await;
    let (b, owned) = (&scene.b, &scene.owned);
    let mut blog = BlogServiceClient::new(channel(&scene, Service::Blog).await);
    let mut billing = BillingServiceClient::new(channel(&scene, Service::Billing).await);
    let draft = || GetPostRequest {
        id: owned.draft_post.clone(),
    };
    let own_subscription = || GetSubscriptionRequest { user_id: b.id.clone() };

    // Before: the author reads its own draft both ways, and its own subscription.
    let (seen, listed) = posts_seen(&scene, &b.access, &owned.draft_post, &owned.published_post).await;
    assert_eq!(seen["title"], owned.draft_title.as_str(), "{seen}");
    assert!(listed.contains(&owned.draft_post), "{listed:?}");
    let post = blog.get_post(as_user(draft(), &b.access)).await.expect("its own draft");
    assert_eq!(post.into_inner().post.expect("the post").id, owned.draft_post);
    let current = billing
        .get_subscription(as_user(own_subscription(), &b.access))
        .await
        .expect("its own subscription");
    assert_eq!(current.into_inner().subscription.expect("one").id, owned.subscription);

    disable(&scene, &b.id).await;
    let services = [Service::Identity, Service::Authz, Service::Blog, Service::Billing];
    let before = scene.state(&services).await;

    // After: it reads as anonymous, published posts only, and nothing of the draft leaks.
    let (seen, listed) = posts_seen(&scene, &b.access, &owned.draft_post, &owned.published_post).await;
    assert!(seen.is_null(), "{seen}");
    assert!(listed.contains(&owned.published_post), "{listed:?}");
    assert!(!listed.contains(&owned.draft_post), "{listed:?}");
    let refused = blog
        .get_post(as_user(draft(), &b.access))
        .await
        .expect_err("a disabled author's draft");
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused}");
    assert!(!refused.message().contains(&owned.draft_title), "{refused}");
    let published = blog
        .get_post(as_user(
            GetPostRequest {
                id: owned.published_post.clone(),
            },
            &b.access,
        ))
        .await
        .expect("a published post is anyone's to read");
    assert_eq!(published.into_inner().post.expect("the post").id, owned.published_post);
    let refused = billing
        .get_subscription(as_user(own_subscription(), &b.access))
        .await
        .expect_err("a disabled user's subscription");
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused}");
    assert!(!refused.message().contains(PLAN_PRICE), "{refused}");

    assert_eq!(scene.state(&services).await, before, "a refused read changes nothing");
    scene
        .assert_denial_audited(&b.id, "post:read", &format!("post:{}", owned.draft_post), "blog")
        .await;
    scene
        .assert_denial_audited(&b.id, "subscription:read", &format!("user:{}", b.id), "billing")
        .await;
}

#[tokio::test]
async fn a_disabled_user_can_neither_sign_in_nor_refresh_a_session() {
    let scene = Scene::start().await;
    let b = &scene.b;
    disable(&scene, &b.id).await;
    let services = [Service::Identity, Service::Authz];
    let before = scene.state(&services).await;

    let (status, body) = scene
        .attempt(
            None,
            "mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) {
                accessToken refreshToken } }",
            json!({ "email": b.email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{body}");
    assert!(body["data"].is_null() || body["data"]["signIn"].is_null(), "{body}");
    let (status, body) = scene
        .attempt(
            None,
            "mutation($token: String!) { refresh(refreshToken: $token) { accessToken refreshToken } }",
            json!({ "token": b.refresh }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{body}");
    assert!(body["data"].is_null() || body["data"]["refresh"].is_null(), "{body}");
    assert_eq!(scene.state(&services).await, before, "no session was opened");

    let user = format!("user:{}", b.id);
    scene
        .assert_denial_audited(&b.id, "session:create", &user, "identity")
        .await;
    scene
        .assert_denial_audited(&b.id, "session:refresh", &user, "identity")
        .await;
    // Disabling revoked every session the user had, and both facts are in the log.
    let disabled = scene
        .audited(json!({ "action": "user.disabled", "resource": user }))
        .await;
    assert_eq!(disabled[0]["actor"], scene.admin_id.as_str(), "{disabled:?}");
    let revoked = scene
        .audited(json!({ "action": "session.revoked", "resource": user }))
        .await;
    assert_eq!(revoked[0]["payload"]["reason"], "user_disabled", "{revoked:?}");
}

#[tokio::test]
async fn a_disabled_administrators_live_token_can_no_longer_disable_users_or_read_the_audit_log() {
    let scene = Scene::start().await;
    let ops_id = scene.stack.sign_up("ops@example.test", "Ops").await;
    scene.stack.make_admin(&ops_id).await;
    scene.stack.wait_for_role(&ops_id, "member").await;
    let ops = sign_in(&scene.stack, "ops@example.test").await;
    disable(&scene, &ops_id).await;
    let services = [Service::Identity, Service::Authz];
    let before = scene.state(&services).await;

    let (status, body) = scene
        .attempt(
            Some(&ops.access),
            "mutation($id: ID!) { disableUser(id: $id) { status } }",
            json!({ "id": scene.a.id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    assert!(body["data"].is_null(), "{body}");
    let (status, body) = scene
        .attempt(
            Some(&ops.access),
            "{ auditLog(first: 5) { edges { node { actor action } } } }",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    assert!(body["data"].is_null() || body["data"]["auditLog"].is_null(), "{body}");
    assert_no_leak(&body, &[scene.b.id.as_str()]);
    assert_eq!(scene.state(&services).await, before, "nobody was disabled");
    scene
        .assert_denial_audited(&ops_id, "user:disable", &format!("user:{}", scene.a.id), "identity")
        .await;
}
