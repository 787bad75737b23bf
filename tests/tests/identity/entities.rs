//! `_entities` resolves many `User` representations with one statement (the data loader batches them).

use serde_json::{Value, json};

use crate::harness::{self, email};

const ENTITIES: &str =
    "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName status } } }";

#[tokio::test]
async fn entities_for_many_users_run_one_query() {
    let identity = harness::start().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let user = identity.sign_up(&email(&format!("e{n}")), &format!("User {n}")).await;
        ids.push(user["id"].as_str().unwrap().to_owned());
    }
    let missing = uuid::Uuid::now_v7().to_string();
    let mut representations: Vec<Value> = ids.iter().map(|id| json!({ "__typename": "User", "id": id })).collect();
    representations.insert(2, json!({ "__typename": "User", "id": missing }));
    let token = identity.issuer.issue("router-caller", vec![], "").unwrap().token;

    identity.statements.lock().clear();
    let body = identity.gql_as(&token, ENTITIES, json!({ "r": representations })).await;
    let statements = identity.statements.lock().clone();

    let entities = body["data"]["_entities"].as_array().unwrap_or_else(|| panic!("{body}"));
    assert_eq!(entities.len(), 6, "one answer per representation, in order");
    assert_eq!(entities[0]["id"], ids[0].as_str());
    assert_eq!(entities[0]["displayName"], "User 0");
    assert!(entities[2].is_null(), "an unknown id resolves to null");
    assert_eq!(entities[5]["id"], ids[4].as_str());
    assert_eq!(
        statements.len(),
        1,
        "six representations, one statement: {statements:#?}"
    );
    assert!(
        statements[0].contains("users") && statements[0].contains("IN"),
        "{statements:#?}"
    );
    identity.stop().await;
}

#[tokio::test]
async fn users_query_batches_too_and_keeps_the_order() {
    let identity = harness::start().await;
    let a = identity.sign_up(&email("a"), "A").await;
    let b = identity.sign_up(&email("b"), "B").await;
    let token = identity.issuer.issue("reader", vec![], "").unwrap().token;
    identity.statements.lock().clear();
    let body = identity
        .gql_as(
            &token,
            "query($ids: [ID!]!) { users(ids: $ids) { id displayName } }",
            json!({ "ids": [b["id"], uuid::Uuid::now_v7().to_string(), a["id"]] }),
        )
        .await;
    assert_eq!(body["data"]["users"][0]["displayName"], "B", "{body}");
    assert!(body["data"]["users"][1].is_null());
    assert_eq!(body["data"]["users"][2]["displayName"], "A");
    assert_eq!(identity.statements.lock().len(), 1);
    identity.stop().await;
}

#[tokio::test]
async fn a_public_profile_is_readable_by_anyone_but_an_email_only_by_its_user_and_administrators() {
    let identity = harness::start().await;
    let address = email("owner");
    let user = identity.sign_up(&address, "Owner").await;
    let id = user["id"].as_str().expect("an id").to_owned();
    let profile = "query($id: ID!) { user(id: $id) { id displayName } }";
    let anonymous = identity.gql(profile, json!({ "id": id })).await;
    assert_eq!(anonymous["data"]["user"]["displayName"], "Owner", "{anonymous}");

    let with_email = "query($id: ID!) { user(id: $id) { displayName email } }";
    let stranger = identity.issuer.issue("someone-else", vec![], "").unwrap().token;
    let refused = identity.gql_as(&stranger, with_email, json!({ "id": id })).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused}");
    let leaked = &refused["data"]["user"]["email"];
    assert!(leaked.is_null(), "no e-mail leaks: {refused}");
    let anonymous = identity.gql(with_email, json!({ "id": id })).await;
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{anonymous}"
    );

    let own = identity.issuer.issue(&id, vec![], "").unwrap().token;
    let admin = identity
        .issuer
        .issue("admin-1", vec!["admin".into()], "")
        .unwrap()
        .token;
    for token in [own, admin] {
        let body = identity.gql_as(&token, with_email, json!({ "id": id })).await;
        assert_eq!(body["data"]["user"]["email"], address.as_str(), "{body}");
    }
    identity.stop().await;
}
