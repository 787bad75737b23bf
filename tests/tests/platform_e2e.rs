//! The whole platform through the router: identity, authz, audit, blog and billing built from their config as
//! their binaries build them (SQLite files, in-process caches, the process's event bus), wired over real gRPC
//! and JWKS on loopback, and a router over the committed `schema/supergraph.graphql` that verifies tokens at the
//! edge. A member writes a post, an editor publishes it, the member subscribes and pays, and an administrator
//! finds every one of those actions (and the refused ones) in the audit log.

#[path = "platform_e2e/stack.rs"]
mod stack;

use serde_json::{Value, json};
use stack::Stack;

/// Waits until the audit log (read as `admin`) holds a record matching `filter`, and returns it.
async fn audit_record(stack: &Stack, admin: &str, filter: Value) -> Value {
    let query = "query($filter: AuditLogFilter) { auditLog(filter: $filter, first: 10) {
        edges { node { actor action resource outcome } } } }";
    for _ in 0..200 {
        let body = stack.graphql(Some(admin), query, json!({ "filter": filter })).await;
        assert!(body.get("errors").is_none(), "{body}");
        if let Some(record) = body["data"]["auditLog"]["edges"][0]["node"].as_object() {
            return Value::Object(record.clone());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no audit record matches {filter}");
}

fn data<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(body.get("errors").is_none(), "{field}: {body}");
    &body["data"][field]
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

#[tokio::test]
async fn members_write_editors_publish_members_pay_and_admins_find_it_all_in_the_audit_log() {
    let stack = Stack::start().await;
    let admin_id = stack.sign_up("ada@example.test", "Ada").await;
    let editor_id = stack.sign_up("ed@example.test", "Ed").await;
    let member_id = stack.sign_up("mia@example.test", "Mia").await;
    stack.make_admin(&admin_id).await;
    // Every new user is onboarded as `member` from identity's `user.created` event.
    stack.wait_for_role(&member_id, "member").await;
    let admin = stack.sign_in("ada@example.test").await;
    let body = stack
        .graphql(
            Some(&admin),
            "mutation($s: ID!) { bindRole(subject: $s, role: \"editor\") { role } }",
            json!({ "s": editor_id }),
        )
        .await;
    assert_eq!(data(&body, "bindRole")["role"], "editor");
    let editor = stack.sign_in("ed@example.test").await;
    let member = stack.sign_in("mia@example.test").await;

    // The member writes a draft; authors may not publish it themselves.
    let body = stack
        .graphql(
            Some(&member),
            "mutation($input: CreatePostInput!) { createPost(input: $input) { id status } }",
            json!({ "input": { "title": "Federation in practice", "body": "# Hello", "tags": ["graphql"] } }),
        )
        .await;
    let post = data(&body, "createPost");
    assert_eq!(post["status"], "DRAFT");
    let post_id = post["id"].as_str().expect("a post id").to_owned();
    let publish = "mutation($id: ID!) { publishPost(id: $id) { id status publishedAt } }";
    let refused = stack.graphql(Some(&member), publish, json!({ "id": post_id })).await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");

    // The editor publishes it; anyone reads it with its author's name (identity) and roles (authz).
    let body = stack.graphql(Some(&editor), publish, json!({ "id": post_id })).await;
    assert_eq!(data(&body, "publishPost")["status"], "PUBLISHED");
    let body = stack
        .graphql(
            Some(&member),
            "query($id: ID!) { post(id: $id) { title author { id displayName roles { role } } } }",
            json!({ "id": post_id }),
        )
        .await;
    let read = data(&body, "post");
    assert_eq!(read["title"], "Federation in practice");
    assert_eq!(read["author"]["id"], member_id.as_str());
    assert_eq!(read["author"]["displayName"], "Mia");
    assert_eq!(read["author"]["roles"], json!([{ "role": "member" }]));

    // The admin creates a plan; the member subscribes and pays the first invoice, twice with one key.
    let body = stack
        .graphql(
            Some(&admin),
            "mutation { createPlan(input: { code: \"pro\", name: \"Pro\", price: { amount: \"1250\", currency: \"EUR\" },
                interval: MONTH }) { code price { formatted } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&body, "createPlan")["price"]["formatted"], "EUR 12.50");
    let body = stack
        .graphql(
            Some(&member),
            "mutation { subscribe(planCode: \"pro\") { id status } }",
            json!({}),
        )
        .await;
    let subscription_id = data(&body, "subscribe")["id"].as_str().expect("an id").to_owned();
    let body = stack
        .graphql(
            Some(&member),
            "{ me { invoices(first: 5) { edges { node { id status total { amount currency } } } } } }",
            json!({}),
        )
        .await;
    let invoice = &data(&body, "me")["invoices"]["edges"][0]["node"];
    assert_eq!(invoice["status"], "OPEN");
    let invoice_id = invoice["id"].as_str().expect("an invoice id").to_owned();
    let pay = "mutation($id: ID!) { payInvoice(invoiceId: $id, amount: { amount: \"1250\", currency: \"EUR\" },
        idempotencyKey: \"checkout-1\") { id } }";
    let first = stack.graphql(Some(&member), pay, json!({ "id": invoice_id })).await;
    let again = stack.graphql(Some(&member), pay, json!({ "id": invoice_id })).await;
    assert_eq!(
        data(&first, "payInvoice")["id"],
        data(&again, "payInvoice")["id"],
        "one payment"
    );
    let body = stack
        .graphql(
            Some(&member),
            "{ me { subscription { status } invoices(first: 5) { edges { node { status } } } } }",
            json!({}),
        )
        .await;
    let me = data(&body, "me");
    assert_eq!(me["subscription"]["status"], "ACTIVE");
    assert_eq!(me["invoices"]["edges"][0]["node"]["status"], "PAID");

    // Another user's invoices are refused, not leaked.
    let body = stack
        .graphql(
            Some(&editor),
            "query($id: ID!) { invoice(id: $id) { id total { amount } } }",
            json!({ "id": invoice_id }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    assert!(body["data"].is_null() || body["data"]["invoice"].is_null(), "{body}");

    // Every action is in the audit log, and so are both refusals.
    for (actor, action, resource) in [
        (member_id.as_str(), "user.created", format!("user:{member_id}")),
        (member_id.as_str(), "post.created", format!("post:{post_id}")),
        (editor_id.as_str(), "post.published", format!("post:{post_id}")),
        (
            member_id.as_str(),
            "subscription.changed",
            format!("subscription:{subscription_id}"),
        ),
        (member_id.as_str(), "invoice.paid", format!("invoice:{invoice_id}")),
    ] {
        let record = audit_record(&stack, &admin, json!({ "actor": actor, "action": action })).await;
        assert_eq!(record["resource"], resource.as_str(), "{record}");
        assert_eq!(record["outcome"], "SUCCESS", "{record}");
    }
    let denied = audit_record(&stack, &admin, json!({ "actor": member_id, "action": "post:publish" })).await;
    assert_eq!(denied["outcome"], "DENIED", "{denied}");
    assert_eq!(denied["resource"], format!("post:{post_id}").as_str());
    let denied = audit_record(&stack, &admin, json!({ "actor": editor_id, "action": "invoice:read" })).await;
    assert_eq!(denied["outcome"], "DENIED", "{denied}");

    // The member may not read the audit log.
    let body = stack
        .graphql(Some(&member), "{ auditLog { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
}

#[tokio::test]
async fn the_router_refuses_forged_tokens_before_any_subgraph_sees_them() {
    let stack = Stack::start().await;
    let forger = kernel::auth::TokenIssuer::new(
        kernel::auth::IssuerConfig::default(),
        kernel::auth::SigningKey::generate_ed25519("forged").expect("a key"),
    );
    let forged = forger
        .issue("someone", vec!["admin".into()], "")
        .expect("a token")
        .token;
    let response = stack
        .post(Some(&forged), "{ auditLog { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(response.status(), reqwest::StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    assert!(body.get("data").is_none(), "{body}");

    // Anonymous readers may read published posts but not write.
    let body = stack
        .graphql(
            None,
            "mutation { createPost(input: { title: \"x\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
}
