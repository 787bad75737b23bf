//! The same flows on PostgreSQL (a fresh schema per test) and Redis (a fresh key prefix per test).

use serde_json::json;

use crate::harness::{self, PASSWORD, code, email};

#[tokio::test]
#[cfg_attr(
    not(all(backend_postgres, backend_redis)),
    ignore = "PLATFORM_TEST_POSTGRES_URL and PLATFORM_TEST_REDIS_URL are both needed"
)]
async fn sessions_and_refresh_replay_work_on_postgres_and_redis() {
    let identity = harness::builder().postgres().redis().start().await;
    let address = email("pg");
    let user = identity.sign_up(&address, "Pg").await;
    let duplicate = identity
        .gql(
            "mutation($i: SignUpInput!) { signUp(input: $i) { id } }",
            json!({ "i": { "email": address.to_uppercase(), "password": PASSWORD, "displayName": "Again" } }),
        )
        .await;
    assert_eq!(code(&duplicate), "CONFLICT", "{duplicate}");

    let session = identity.sign_in(&address).await;
    let me = identity
        .gql_as(session["accessToken"].as_str().unwrap(), "{ me { id } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["id"], user["id"], "{me}");
    let first = session["refreshToken"].as_str().unwrap();
    let second = identity.refresh(first).await["data"]["refresh"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let replay = identity.refresh(first).await;
    assert_eq!(code(&replay), "UNAUTHENTICATED", "{replay}");
    assert_eq!(code(&identity.refresh(&second).await), "UNAUTHENTICATED");

    let events = identity.events_until(|events| events.len() >= 2).await;
    let types: Vec<&str> = events.iter().map(|(_, e)| e.event_type.as_str()).collect();
    assert_eq!(types, ["user.created", "session.revoked"]);

    let token = identity.issuer.issue("reader", vec![], "").unwrap().token;
    identity.statements.lock().clear();
    let entities = identity
        .gql_as(
            &token,
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }",
            json!({ "r": [{ "__typename": "User", "id": user["id"] }, { "__typename": "User", "id": user["id"] }] }),
        )
        .await;
    assert_eq!(entities["data"]["_entities"][1]["id"], user["id"], "{entities}");
    assert_eq!(identity.statements.lock().len(), 1);
    identity.stop().await;
}

#[tokio::test]
#[cfg_attr(
    not(all(backend_postgres, backend_redis)),
    ignore = "PLATFORM_TEST_POSTGRES_URL and PLATFORM_TEST_REDIS_URL are both needed"
)]
async fn sign_in_limits_are_counted_in_redis() {
    let identity = harness::builder().postgres().redis().limits(2, 1000).start().await;
    let address = email("redis");
    identity.sign_up(&address, "Redis").await;
    for n in 0..2 {
        let body = identity
            .sign_in_from(&format!("203.0.113.{n}"), &address, "wrong password")
            .await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    }
    let limited = identity.sign_in_from("203.0.113.9", &address, PASSWORD).await;
    assert_eq!(code(&limited), "RATE_LIMITED", "{limited}");
    identity.stop().await;
}
