//! Bad input: each case gets its error code, and the store is left exactly as it was.

use serde_json::json;

use crate::harness::{self, PASSWORD, code, email};

const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { id email displayName } }";

async fn sign_up_body(identity: &harness::TestIdentity, email: &str, password: &str, name: &str) -> serde_json::Value {
    identity
        .gql(
            SIGN_UP,
            json!({ "input": { "email": email, "password": password, "displayName": name } }),
        )
        .await
}

#[tokio::test]
async fn malformed_email_is_bad_user_input_and_changes_nothing() {
    let identity = harness::start().await;
    let before = identity.store_snapshot().await;
    for bad in ["not-an-email", "ada@", "@example.org", "a da@example.org", ""] {
        let body = sign_up_body(&identity, bad, PASSWORD, "Ada").await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{bad:?}: {body}");
        assert!(body["data"].is_null(), "{body}");
    }
    assert_eq!(identity.store_snapshot().await, before);
    identity.stop().await;
}

#[tokio::test]
async fn short_or_overlong_password_is_bad_user_input_and_changes_nothing() {
    let identity = harness::start().await;
    let before = identity.store_snapshot().await;
    for bad in ["short".to_owned(), "123456789".to_owned(), "x".repeat(257)] {
        let body = sign_up_body(&identity, &email("pw"), &bad, "Pw").await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert!(!body.to_string().contains(&bad), "the password is never echoed");
    }
    assert_eq!(identity.store_snapshot().await, before);
    identity.stop().await;
}

#[tokio::test]
async fn duplicate_email_in_another_letter_case_is_a_conflict_and_changes_nothing() {
    let identity = harness::start().await;
    let address = email("dup");
    identity.sign_up(&address, "First").await;
    let before = identity.store_snapshot().await;
    let body = sign_up_body(&identity, &address.to_uppercase(), PASSWORD, "Second").await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    assert_eq!(identity.store_snapshot().await, before);
    identity.stop().await;
}

#[tokio::test]
async fn unknown_or_malformed_user_id_is_null_or_bad_user_input() {
    let identity = harness::start().await;
    let token = identity.issuer.issue("reader", vec![], "").unwrap().token;
    let query = "query($id: ID!) { user(id: $id) { id } }";
    let unknown = identity
        .gql_as(&token, query, json!({ "id": uuid::Uuid::now_v7().to_string() }))
        .await;
    assert!(unknown.get("errors").is_none(), "{unknown}");
    assert!(unknown["data"]["user"].is_null());
    let malformed = identity.gql_as(&token, query, json!({ "id": "1 OR 1=1" })).await;
    assert_eq!(code(&malformed), "BAD_USER_INPUT", "{malformed}");
    let anonymous = identity
        .gql(query, json!({ "id": uuid::Uuid::now_v7().to_string() }))
        .await;
    // Public profiles are readable without signing in; an unknown id is simply null.
    assert!(anonymous.get("errors").is_none(), "{anonymous}");
    assert!(anonymous["data"]["user"].is_null(), "{anonymous}");
    identity.stop().await;
}

#[tokio::test]
async fn sql_looking_input_is_stored_verbatim_or_refused_safely() {
    let identity = harness::start().await;
    let name = "Robert'); DROP TABLE users;--";
    let address = email("o'brien");
    let user = identity.sign_up(&address, name).await;
    assert_eq!(user["displayName"], name);
    assert_eq!(user["email"], address.as_str());
    assert_eq!(
        identity.count("SELECT COUNT(*) FROM users").await,
        1,
        "the table is still there"
    );

    // As an e-mail address it is malformed, and as a sign-in it simply does not match.
    let before = identity.store_snapshot().await;
    let body = sign_up_body(&identity, "x' OR '1'='1", PASSWORD, "X").await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let sign_in = identity
        .sign_in_from("198.51.100.7", "' OR 1=1 --@example.org", "' OR '1'='1")
        .await;
    assert_eq!(code(&sign_in), "UNAUTHENTICATED", "{sign_in}");
    assert_eq!(identity.store_snapshot().await, before);
    identity.stop().await;
}
