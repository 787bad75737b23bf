//! One member going after another's things through the router, with a perfectly valid token of its own: reading
//! the victim's invoice, subscription and e-mail address, changing the victim's posts and comments, paying or
//! canceling on the victim's behalf. Each is refused with FORBIDDEN (a draft the attacker may not see is not even
//! admitted to exist), leaks nothing, changes nothing, and is in the audit log as a denial of the attacker.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::scene::{PLAN_PRICE, Scene, assert_no_leak, codes};
use crate::stack::Service;

/// An attempt by the attacker, the JSON pointer of the refused value, and the denial the log must hold.
struct Attempt {
    pointer: &'static str,
    query: &'static str,
    variables: Value,
    action: &'static str,
    resource: String,
    recorded_by: &'static str,
}

/// Runs each attempt as `scene.a`: HTTP 200, the refused value absent or null, one FORBIDDEN error, no secret
/// in the answer; then finds each denial in the audit log.
async fn forbidden_and_audited(scene: &Scene, attempts: &[Attempt], secrets: &[&str]) {
    for attempt in attempts {
        let (status, body) = scene
            .attempt(Some(&scene.a.access), attempt.query, attempt.variables.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", attempt.pointer);
        assert_eq!(codes(&body), ["FORBIDDEN"], "{}: {body}", attempt.pointer);
        assert!(
            body.pointer(attempt.pointer).is_none_or(Value::is_null),
            "{}: {body}",
            attempt.pointer
        );
        assert_no_leak(&body, secrets);
    }
    for attempt in attempts {
        scene
            .assert_denial_audited(&scene.a.id, attempt.action, &attempt.resource, attempt.recorded_by)
            .await;
    }
}

#[tokio::test]
async fn a_member_cannot_read_another_members_invoice_subscription_or_email() {
    let scene = Scene::start().await;
    let (b, owned) = (&scene.b, &scene.owned);
    let services = [Service::Identity, Service::Authz, Service::Blog, Service::Billing];
    let before = scene.state(&services).await;
    let attempts = [
        Attempt {
            pointer: "/data/invoice",
            query: "query($id: ID!) { invoice(id: $id) { id status total { amount currency } } }",
            variables: json!({ "id": owned.invoice }),
            action: "invoice:read",
            resource: format!("invoice:{}", owned.invoice),
            recorded_by: "billing",
        },
        Attempt {
            pointer: "/data/subscription",
            query: "query($id: ID!) { subscription(id: $id) { id status plan { code } } }",
            variables: json!({ "id": owned.subscription }),
            action: "subscription:read",
            resource: format!("subscription:{}", owned.subscription),
            recorded_by: "billing",
        },
        Attempt {
            pointer: "/data/user/email",
            query: "query($id: ID!) { user(id: $id) { id displayName email } }",
            variables: json!({ "id": b.id }),
            action: "user:read",
            resource: format!("user:{}", b.id),
            recorded_by: "identity",
        },
        Attempt {
            pointer: "/data/user/subscription",
            query: "query($id: ID!) { user(id: $id) { id subscription { id status } } }",
            variables: json!({ "id": b.id }),
            action: "subscription:read",
            resource: format!("subscription:{}", owned.subscription),
            recorded_by: "billing",
        },
        Attempt {
            pointer: "/data/user/invoices",
            query: "query($id: ID!) { user(id: $id) { id invoices { edges { node { id total { amount } } } } } }",
            variables: json!({ "id": b.id }),
            action: "invoice:read",
            resource: "invoice".to_owned(),
            recorded_by: "billing",
        },
    ];
    forbidden_and_audited(&scene, &attempts, &[b.email.as_str(), PLAN_PRICE, "EUR"]).await;
    assert_eq!(scene.state(&services).await, before, "a refused read changes nothing");
}

#[tokio::test]
async fn a_member_cannot_edit_archive_or_publish_another_members_post_nor_delete_their_comment() {
    let scene = Scene::start().await;
    let owned = &scene.owned;
    let services = [Service::Blog, Service::Authz];
    let before = scene.state(&services).await;
    let post = format!("post:{}", owned.published_post);
    let attempts = [
        Attempt {
            pointer: "/data/editPost",
            query: "mutation($id: ID!) { editPost(id: $id, input: { title: \"Defaced\", body: \"Defaced.\" }) { id } }",
            variables: json!({ "id": owned.published_post }),
            action: "post:edit",
            resource: post.clone(),
            recorded_by: "blog",
        },
        Attempt {
            pointer: "/data/archivePost",
            query: "mutation($id: ID!) { archivePost(id: $id) { id status } }",
            variables: json!({ "id": owned.published_post }),
            action: "post:archive",
            resource: post.clone(),
            recorded_by: "blog",
        },
        Attempt {
            pointer: "/data/publishPost",
            query: "mutation($id: ID!) { publishPost(id: $id) { id status } }",
            variables: json!({ "id": owned.published_post }),
            action: "post:publish",
            resource: post,
            recorded_by: "blog",
        },
        Attempt {
            pointer: "/data/deleteComment",
            query: "mutation($id: ID!) { deleteComment(id: $id) { id } }",
            variables: json!({ "id": owned.comment }),
            action: "comment:delete",
            resource: format!("comment:{}", owned.comment),
            recorded_by: "blog",
        },
    ];
    forbidden_and_audited(&scene, &attempts, &[]).await;

    // The victim's draft is not admitted to exist: NOT_FOUND, whichever change is tried, and nothing of it shown.
    for query in [
        "mutation($id: ID!) { editPost(id: $id, input: { title: \"Defaced\" }) { id title } }",
        "mutation($id: ID!) { archivePost(id: $id) { id title } }",
        "mutation($id: ID!) { publishPost(id: $id) { id title } }",
        "query($id: ID!) { post(id: $id) { id title body } }",
    ] {
        let (status, body) = scene
            .attempt(Some(&scene.a.access), query, json!({ "id": owned.draft_post }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if query.starts_with("query") {
            assert!(body.get("errors").is_none(), "{body}");
            assert!(body["data"]["post"].is_null(), "{body}");
        } else {
            assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
        }
        assert_no_leak(&body, &[owned.draft_title.as_str(), "Secret."]);
    }
    assert_eq!(
        scene.state(&services).await,
        before,
        "the victim's posts and comment are unchanged"
    );
}

#[tokio::test]
async fn a_member_cannot_pay_or_cancel_on_another_members_behalf() {
    let scene = Scene::start().await;
    let owned = &scene.owned;
    let services = [Service::Billing, Service::Authz];
    let before = scene.state(&services).await;
    let attempts = [
        Attempt {
            pointer: "/data/payInvoice",
            query: "mutation($id: ID!) { payInvoice(invoiceId: $id, amount: { amount: \"1250\", currency: \"EUR\" },
                idempotencyKey: \"not-mine\") { id } }",
            variables: json!({ "id": owned.invoice }),
            action: "invoice:pay",
            resource: format!("invoice:{}", owned.invoice),
            recorded_by: "billing",
        },
        Attempt {
            pointer: "/data/cancelSubscription",
            query: "mutation($id: ID!) { cancelSubscription(id: $id) { id status } }",
            variables: json!({ "id": owned.subscription }),
            action: "subscription:cancel",
            resource: format!("subscription:{}", owned.subscription),
            recorded_by: "billing",
        },
        Attempt {
            pointer: "/data/voidInvoice",
            query: "mutation($id: ID!) { voidInvoice(id: $id) { id status } }",
            variables: json!({ "id": owned.invoice }),
            action: "invoice:void",
            resource: format!("invoice:{}", owned.invoice),
            recorded_by: "billing",
        },
    ];
    forbidden_and_audited(&scene, &attempts, &[PLAN_PRICE]).await;
    assert_eq!(
        scene.state(&services).await,
        before,
        "nothing was paid, canceled or voided"
    );
}
