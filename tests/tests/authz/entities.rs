//! `User.roles` resolved through `_entities` in one query for N users, and the committed SDL.

use serde_json::json;

use crate::harness::{ADMIN, Harness, error_code};

const ENTITIES: &str =
    "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id roles { role resource } } } }";

#[tokio::test]
async fn roles_of_many_users_resolve_in_one_query() {
    let h = Harness::start().await;
    h.bind("u1", "member", None).await;
    h.bind("u2", "editor", Some("post:9")).await;
    h.bind("u2", "member", None).await;
    let representations: Vec<_> = ["u1", "u2", "u3", "u4", "u5"]
        .iter()
        .map(|id| json!({ "__typename": "User", "id": id }))
        .collect();
    let before = h.counter("authz_store_binding_batch_reads").await;
    let body = h
        .graphql(Some(&h.token(ADMIN)), ENTITIES, json!({ "r": representations }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let users = body["data"]["_entities"].as_array().unwrap();
    assert_eq!(users.len(), 5);
    assert_eq!(
        users[0],
        json!({ "id": "u1", "roles": [{ "role": "member", "resource": null }] })
    );
    assert_eq!(
        users[1]["roles"],
        json!([{ "role": "editor", "resource": "post:9" }, { "role": "member", "resource": null }])
    );
    assert_eq!(users[2]["roles"], json!([]));
    assert_eq!(h.counter("authz_store_binding_batch_reads").await - before, 1);
    h.finish().await;
}

#[tokio::test]
async fn a_user_sees_their_own_roles_but_not_someone_elses() {
    let h = Harness::start().await;
    h.bind("u1", "member", None).await;
    let mine = h
        .graphql(
            Some(&h.token("u1")),
            ENTITIES,
            json!({ "r": [{ "__typename": "User", "id": "u1" }] }),
        )
        .await;
    assert_eq!(mine["data"]["_entities"][0]["roles"][0]["role"], "member", "{mine}");
    let theirs = h
        .graphql(
            Some(&h.token("u1")),
            ENTITIES,
            json!({ "r": [{ "__typename": "User", "id": ADMIN }] }),
        )
        .await;
    assert_eq!(error_code(&theirs), "FORBIDDEN", "{theirs}");
    h.finish().await;
}

#[test]
fn committed_sdl_matches_the_service() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/authz.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = authz::graphql::sdl();
    assert!(
        committed == current,
        "schema/authz.graphql is out of date; regenerate it with `cargo run -p authz -- sdl > schema/authz.graphql`"
    );
    assert!(current.contains("type User @key(fields: \"id\")"), "{current}");
}
