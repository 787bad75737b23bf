//! Managing roles and bindings over GraphQL: administrators may, members are FORBIDDEN, anonymous callers and
//! callers with a token that does not verify are UNAUTHENTICATED.

use kernel::auth::{Claims, IssuerConfig, SigningKey, TokenIssuer};
use serde_json::{Value, json};

use crate::harness::{ADMIN, Harness, allowed, check, error_code};

const CREATE: &str = "mutation($name: String!, $p: [String!]!) { \
    createRole(name: $name, description: \"Reviews drafts\", permissions: $p) { name description permissions builtIn } }";
const BIND: &str = "mutation($s: ID!, $r: String!, $res: String) { \
    bindRole(subject: $s, role: $r, resource: $res) { id subject role resource createdBy } }";

#[tokio::test]
async fn admin_creates_changes_binds_unbinds_and_deletes_a_role() {
    let h = Harness::start().await;
    let admin = h.token(ADMIN);
    let body = h
        .graphql(
            Some(&admin),
            CREATE,
            json!({ "name": "reviewer", "p": ["post:read", "post:edit", "post:read"] }),
        )
        .await;
    assert_eq!(
        body["data"]["createRole"],
        json!({ "name": "reviewer", "description": "Reviews drafts", "permissions": ["post:edit", "post:read"], "builtIn": false }),
        "{body}"
    );
    let body = h
        .graphql(
            Some(&admin),
            BIND,
            json!({ "s": "u9", "r": "reviewer", "res": "post:5" }),
        )
        .await;
    let binding = &body["data"]["bindRole"];
    assert_eq!(binding["resource"], "post:5", "{body}");
    assert_eq!(binding["createdBy"], ADMIN);
    assert!(allowed(&h.check(check("u9", "post", "edit", "5", "")).await));

    let body = h
        .graphql(
            Some(&admin),
            "query($s: ID!) { bindings(subject: $s) { id role resource } }",
            json!({ "s": "u9" }),
        )
        .await;
    assert_eq!(body["data"]["bindings"][0]["role"], "reviewer", "{body}");

    let body = h
        .graphql(
            Some(&admin),
            "mutation { setRolePermissions(role: \"reviewer\", permissions: [\"comment:*\"]) { permissions } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["setRolePermissions"]["permissions"],
        json!(["comment:*"]),
        "{body}"
    );

    let body = h
        .graphql(
            Some(&admin),
            "query { role(name: \"reviewer\") { permissions } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["role"]["permissions"], json!(["comment:*"]), "{body}");

    // A bound role cannot be deleted; unbind first.
    let body = h
        .graphql(
            Some(&admin),
            "mutation { deleteRole(name: \"reviewer\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    let id = binding["id"].as_str().unwrap();
    let body = h
        .graphql(
            Some(&admin),
            "mutation($id: ID!) { unbindRole(bindingId: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["unbindRole"]["id"], id, "{body}");
    let body = h
        .graphql(
            Some(&admin),
            "mutation { deleteRole(name: \"reviewer\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["deleteRole"]["name"], "reviewer", "{body}");
    assert!(h.store().role("reviewer").await.unwrap().is_none());
    let body = h
        .graphql(Some(&admin), "query { role(name: \"reviewer\") { name } }", json!({}))
        .await;
    assert_eq!(body["data"]["role"], Value::Null, "{body}");
    h.finish().await;
}

#[tokio::test]
async fn member_may_not_manage_roles_and_nothing_changes() {
    let h = Harness::start().await;
    h.bind("m1", "member", None).await;
    let member = h.token("m1");
    let attempts = [
        (CREATE, json!({ "name": "sneaky", "p": ["*:*"] })),
        (BIND, json!({ "s": "m1", "r": "admin", "res": null })),
        (
            "mutation { setRolePermissions(role: \"member\", permissions: [\"*:*\"]) { name } }",
            json!({}),
        ),
        ("mutation { deleteRole(name: \"editor\") { name } }", json!({})),
        ("query($s: ID!) { bindings(subject: $s) { id } }", json!({ "s": ADMIN })),
    ];
    for (query, variables) in attempts {
        let body = h.graphql(Some(&member), query, variables).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{query}: {body}");
    }
    assert!(h.store().role("sneaky").await.unwrap().is_none());
    assert_eq!(h.authz_bindings("m1").await, 1);
    let member_role = h.store().role("member").await.unwrap().unwrap();
    assert!(!member_role.permissions.contains(&"*:*".to_owned()));
    assert!(h.store().role("editor").await.unwrap().is_some());
    // A member may read its own bindings and permissions.
    let body = h
        .graphql(
            Some(&member),
            "{ myPermissions { roles grants { permission role scope } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["myPermissions"]["roles"], json!(["member"]), "{body}");
    let body = h
        .graphql(
            Some(&member),
            "query($s: ID!) { bindings(subject: $s) { role } }",
            json!({ "s": "m1" }),
        )
        .await;
    assert_eq!(body["data"]["bindings"][0]["role"], "member", "{body}");
    h.finish().await;
}

#[tokio::test]
async fn token_roles_claim_does_not_make_an_admin_only_the_engine_does() {
    let h = Harness::start().await;
    let claimed = h.issuer.issue("pretender", vec!["admin".to_owned()], "").unwrap().token;
    let body = h.graphql(Some(&claimed), CREATE, json!({ "name": "x", "p": [] })).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    h.finish().await;
}

#[tokio::test]
async fn anonymous_caller_is_unauthenticated_and_nothing_changes() {
    let h = Harness::start().await;
    let body = h.graphql(None, CREATE, json!({ "name": "anon", "p": [] })).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    let body = h.graphql(None, "{ myPermissions { roles } }", json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    let body = h.graphql(None, "{ roles { name } }", json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    assert!(h.store().role("anon").await.unwrap().is_none());
    h.finish().await;
}

#[tokio::test]
async fn forged_expired_and_wrong_audience_tokens_are_unauthenticated() {
    let h = Harness::start().await;
    // Same kid, another key: the signature does not verify.
    let forger = TokenIssuer::new(
        IssuerConfig::default(),
        SigningKey::generate_ed25519("test-key").unwrap(),
    );
    let forged = forger.issue(ADMIN, Vec::new(), "").unwrap().token;
    let now = chrono::Utc::now().timestamp().unsigned_abs();
    let expired = h.issuer.issue_at(ADMIN, Vec::new(), "", now - 10_000).unwrap().token;
    let claims = Claims {
        aud: "another-audience".to_owned(),
        ..h.issuer.issue(ADMIN, Vec::new(), "").unwrap().claims
    };
    let wrong_audience = h.issuer.sign(&claims).unwrap();
    for (name, token) in [
        ("forged", forged),
        ("expired", expired),
        ("wrong audience", wrong_audience),
    ] {
        let body = h
            .graphql(Some(&token), CREATE, json!({ "name": "via-bad-token", "p": [] }))
            .await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{name}: {body}");
        assert_eq!(body["data"], Value::Null, "{name}: {body}");
    }
    assert!(h.store().role("via-bad-token").await.unwrap().is_none());
    h.finish().await;
}

#[tokio::test]
async fn revoked_admin_loses_management_on_the_next_request() {
    let h = Harness::start().await;
    let binding = h.bind("admin-2", "admin", None).await;
    let token = h.token("admin-2");
    let body = h
        .graphql(Some(&token), CREATE, json!({ "name": "first", "p": [] }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    h.authz
        .manager()
        .unbind_role("t", &binding.id.to_string())
        .await
        .unwrap();
    let body = h
        .graphql(Some(&token), CREATE, json!({ "name": "second", "p": [] }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    assert!(h.store().role("second").await.unwrap().is_none());
    h.finish().await;
}
