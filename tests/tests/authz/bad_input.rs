//! Bad input to management: every case answers with its code, and nothing changes — no role, permission or
//! binding, and no event in the outbox.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::harness::{ADMIN, Harness, error_code};

/// What a failed change must leave untouched.
#[derive(Debug, PartialEq)]
struct Snapshot {
    roles: Vec<(String, Vec<String>)>,
    bindings: usize,
    outbox: i64,
}

async fn snapshot(h: &Harness) -> Snapshot {
    let store = h.store();
    let roles = store
        .roles()
        .await
        .unwrap()
        .into_iter()
        .map(|role| (role.name, role.permissions))
        .collect();
    let db = h.db.conn();
    let count = |sql: &str| {
        let statement = Statement::from_string(db.get_database_backend(), sql.to_owned());
        async move {
            let row = db.query_one_raw(statement).await.unwrap().unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    Snapshot {
        roles,
        bindings: usize::try_from(count("SELECT COUNT(*) FROM role_bindings").await).unwrap(),
        outbox: count("SELECT COUNT(*) FROM outbox").await,
    }
}

async fn refused(h: &Harness, query: &str, variables: Value, code: &str) {
    let before = snapshot(h).await;
    let body = h.graphql(Some(&h.token(ADMIN)), query, variables.clone()).await;
    assert_eq!(error_code(&body), code, "{query} {variables}: {body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.to_lowercase().contains("sql"), "internals leaked: {message}");
    assert_eq!(snapshot(h).await, before, "{query} {variables} changed something");
}

const CREATE: &str = "mutation($n: String!, $p: [String!]!) { createRole(name: $n, permissions: $p) { name } }";
const SET: &str = "mutation($r: String!, $p: [String!]!) { setRolePermissions(role: $r, permissions: $p) { name } }";
const BIND: &str =
    "mutation($s: ID!, $r: String!, $res: String) { bindRole(subject: $s, role: $r, resource: $res) { id } }";
const DELETE: &str = "mutation($n: String!) { deleteRole(name: $n) { name } }";
const UNBIND: &str = "mutation($id: ID!) { unbindRole(bindingId: $id) { id } }";

const MALFORMED_PERMISSIONS: [&str; 9] = [
    "post",
    "post:",
    ":publish",
    "Post:Publish",
    "post:publish:now",
    "post publish",
    "'; DROP TABLE roles; --",
    "post:publish' OR '1'='1",
    "",
];

#[tokio::test]
async fn malformed_permissions_are_bad_user_input_on_create_and_on_change() {
    let h = Harness::start().await;
    for permission in MALFORMED_PERMISSIONS {
        refused(
            &h,
            CREATE,
            json!({ "n": "writer", "p": ["post:read", permission] }),
            "BAD_USER_INPUT",
        )
        .await;
        refused(&h, SET, json!({ "r": "editor", "p": [permission] }), "BAD_USER_INPUT").await;
    }
    h.finish().await;
}

#[tokio::test]
async fn uppercase_permission_is_refused_with_the_lowercase_spelling_suggested() {
    let h = Harness::start().await;
    let body = h
        .graphql(
            Some(&h.token(ADMIN)),
            CREATE,
            json!({ "n": "writer", "p": ["Post:Publish"] }),
        )
        .await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("`post`"), "{message}");
    h.finish().await;
}

#[tokio::test]
async fn malformed_role_names_are_bad_user_input() {
    let h = Harness::start().await;
    for name in ["", "Writer", "has space", "x'; DELETE FROM roles; --", &"r".repeat(65)] {
        refused(&h, CREATE, json!({ "n": name, "p": [] }), "BAD_USER_INPUT").await;
    }
    h.finish().await;
}

#[tokio::test]
async fn existing_role_name_is_a_conflict() {
    let h = Harness::start().await;
    refused(&h, CREATE, json!({ "n": "editor", "p": ["*:*"] }), "CONFLICT").await;
    h.finish().await;
}

#[tokio::test]
async fn unknown_role_is_not_found_when_changed_bound_or_deleted() {
    let h = Harness::start().await;
    refused(&h, SET, json!({ "r": "ghost", "p": ["post:read"] }), "NOT_FOUND").await;
    refused(&h, BIND, json!({ "s": "u1", "r": "ghost", "res": null }), "NOT_FOUND").await;
    refused(&h, DELETE, json!({ "n": "ghost" }), "NOT_FOUND").await;
    h.finish().await;
}

#[tokio::test]
async fn duplicate_binding_is_a_conflict_globally_and_on_a_resource() {
    let h = Harness::start().await;
    h.bind("u1", "member", None).await;
    h.bind("u1", "editor", Some("post:1")).await;
    refused(&h, BIND, json!({ "s": "u1", "r": "member", "res": null }), "CONFLICT").await;
    refused(
        &h,
        BIND,
        json!({ "s": "u1", "r": "editor", "res": "post:1" }),
        "CONFLICT",
    )
    .await;
    // The same role on another resource is a different binding.
    let body = h
        .graphql(
            Some(&h.token(ADMIN)),
            BIND,
            json!({ "s": "u1", "r": "editor", "res": "post:2" }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    h.finish().await;
}

#[tokio::test]
async fn malformed_binding_subject_or_resource_is_bad_user_input() {
    let h = Harness::start().await;
    for (subject, resource) in [
        ("u1", json!("post")),
        ("u1", json!("post:")),
        ("u1", json!("Post:1")),
        ("", json!(null)),
        ("a b", json!(null)),
    ] {
        refused(
            &h,
            BIND,
            json!({ "s": subject, "r": "editor", "res": resource }),
            "BAD_USER_INPUT",
        )
        .await;
    }
    h.finish().await;
}

#[tokio::test]
async fn built_in_roles_cannot_be_deleted_and_admin_keeps_its_permissions() {
    let h = Harness::start().await;
    for name in ["admin", "editor", "member"] {
        refused(&h, DELETE, json!({ "n": name }), "CONFLICT").await;
    }
    refused(&h, SET, json!({ "r": "admin", "p": ["post:read"] }), "CONFLICT").await;
    h.finish().await;
}

#[tokio::test]
async fn unbinding_a_malformed_or_unknown_id_changes_nothing() {
    let h = Harness::start().await;
    refused(&h, UNBIND, json!({ "id": "not-a-uuid" }), "BAD_USER_INPUT").await;
    refused(
        &h,
        UNBIND,
        json!({ "id": uuid::Uuid::now_v7().to_string() }),
        "NOT_FOUND",
    )
    .await;
    h.finish().await;
}
