//! Events reach the bus through the outbox relay, keyed by user id, and never carry a password hash.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::harness::{self, email};

#[tokio::test]
async fn account_and_session_events_arrive_through_the_outbox() {
    let identity = harness::start().await;
    let address = email("events");
    let user = identity.sign_up(&address, "Events").await;
    let id = user["id"].as_str().unwrap().to_owned();
    let session = identity.sign_in(&address).await;
    let access = session["accessToken"].as_str().unwrap();
    let mut responses = vec![user.to_string(), session.to_string()];
    let update = identity
        .gql_as(
            access,
            "mutation { updateProfile(displayName: \"Renamed\") { id displayName } }",
            json!({}),
        )
        .await;
    responses.push(update.to_string());
    let sign_out = identity
        .gql(
            "mutation($t: String!) { signOut(refreshToken: $t) }",
            json!({ "t": session["refreshToken"] }),
        )
        .await;
    responses.push(sign_out.to_string());
    identity.sign_in(&address).await;
    let admin = identity
        .issuer
        .issue("admin-7", vec!["admin".into()], "")
        .unwrap()
        .token;
    let disable = identity
        .gql_as(
            &admin,
            "mutation($id: ID!) { disableUser(id: $id) { id status } }",
            json!({ "id": id }),
        )
        .await;
    responses.push(disable.to_string());

    let expected = [
        "user.created",
        "user.updated",
        "session.revoked",
        "user.disabled",
        "session.revoked",
    ];
    let events = identity.events_until(|events| events.len() >= expected.len()).await;
    let types: Vec<&str> = events.iter().map(|(_, e)| e.event_type.as_str()).collect();
    assert_eq!(types, expected, "one user's events arrive in order");
    for (key, event) in &events {
        assert_eq!(key, &id, "events are keyed by user id");
        assert_eq!(event.source, "identity");
    }
    let (_, created) = &events[0];
    assert_eq!(created.payload["id"], id.as_str());
    assert_eq!(created.payload["email"], address.as_str());
    assert_eq!(created.actor.as_deref(), Some(id.as_str()));
    assert_eq!(events[1].1.payload["display_name"], "Renamed");
    assert_eq!(events[2].1.payload["reason"], "sign_out");
    assert_eq!(events[3].1.actor.as_deref(), Some("admin-7"));
    assert_eq!(events[4].1.payload["reason"], "user_disabled");
    assert_eq!(events[4].1.payload["revoked_tokens"], 1);

    // The hash is in the store, and nowhere a client or consumer can see.
    let row = identity
        .database
        .conn()
        .query_one_raw(Statement::from_string(
            identity.database.backend(),
            "SELECT password_hash FROM credentials",
        ))
        .await
        .unwrap()
        .unwrap();
    let hash: String = row.try_get_by_index(0).unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let salt_and_digest = hash.rsplit('$').next().unwrap().to_owned();
    let mut seen: Vec<String> = events.iter().map(|(_, e)| serde_json::to_string(e).unwrap()).collect();
    seen.extend(responses);
    for text in &seen {
        assert!(
            !text.contains("argon2") && !text.contains(&salt_and_digest),
            "leaked: {text}"
        );
        assert!(!text.contains(harness::PASSWORD), "leaked the password: {text}");
    }
    identity.stop().await;
}

#[tokio::test]
async fn refused_sign_up_publishes_nothing() {
    let identity = harness::start().await;
    let address = email("once");
    identity.sign_up(&address, "Once").await;
    let body = identity
        .gql(
            "mutation($i: SignUpInput!) { signUp(input: $i) { id } }",
            json!({ "i": { "email": address, "password": harness::PASSWORD, "displayName": "Twice" } }),
        )
        .await;
    assert_eq!(harness::code(&body), "CONFLICT");
    // The relay polls every 20 ms; a second event would have arrived well within this wait.
    let events = identity
        .events_within(std::time::Duration::from_secs(1), |events| events.len() >= 2)
        .await;
    assert_eq!(events.len(), 1, "only the first sign-up was published: {events:?}");
    identity.stop().await;
}
