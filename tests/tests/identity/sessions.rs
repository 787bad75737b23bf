//! Sign-up, sign-in, refresh rotation and replay, sign-out, expiry and disabling.

use serde_json::json;

use crate::harness::{self, code, email};

const ME: &str = "{ me { id email displayName status } }";

#[tokio::test]
async fn sign_up_then_sign_in_then_me_returns_the_user() {
    let identity = harness::start().await;
    let address = email("ada");
    let user = identity.sign_up(&address, "Ada").await;
    assert_eq!(user["status"], "ACTIVE");
    assert_eq!(
        uuid::Uuid::parse_str(user["id"].as_str().unwrap())
            .unwrap()
            .get_version_num(),
        7
    );

    let session = identity.sign_in(&address).await;
    assert_eq!(session["tokenType"], "Bearer");
    assert_eq!(session["user"]["id"], user["id"]);
    assert!(session["expiresIn"].as_i64().unwrap() > 0);

    let me = identity
        .gql_as(session["accessToken"].as_str().unwrap(), ME, json!({}))
        .await;
    assert_eq!(me["data"]["me"]["id"], user["id"], "{me}");
    assert_eq!(me["data"]["me"]["email"], address.as_str());
    assert_eq!(me["data"]["me"]["displayName"], "Ada");
    identity.stop().await;
}

#[tokio::test]
async fn me_without_a_token_is_unauthenticated() {
    let identity = harness::start().await;
    let body = identity.gql(ME, json!({})).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    identity.stop().await;
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token_and_issues_a_new_access_token() {
    let identity = harness::start().await;
    let address = email("rot");
    identity.sign_up(&address, "Rot").await;
    let session = identity.sign_in(&address).await;
    let first = session["refreshToken"].as_str().unwrap();

    let body = identity.refresh(first).await;
    let renewed = &body["data"]["refresh"];
    let second = renewed["refreshToken"].as_str().expect("a new refresh token");
    assert_ne!(first, second, "the refresh token rotates");
    let me = identity
        .gql_as(renewed["accessToken"].as_str().unwrap(), ME, json!({}))
        .await;
    assert_eq!(me["data"]["me"]["email"], address.as_str(), "{me}");

    // The new token works once more; only hashes are stored.
    let third = identity.refresh(second).await;
    assert!(third.get("errors").is_none(), "{third}");
    let stored = identity
        .count(&format!(
            "SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = '{first}'"
        ))
        .await;
    assert_eq!(stored, 0, "refresh tokens are stored hashed, never as given");
    identity.stop().await;
}

#[tokio::test]
async fn replayed_refresh_token_revokes_its_family() {
    let identity = harness::start().await;
    let address = email("replay");
    identity.sign_up(&address, "Replay").await;
    let session = identity.sign_in(&address).await;
    let first = session["refreshToken"].as_str().unwrap().to_owned();
    let renewed = identity.refresh(&first).await;
    let second = renewed["data"]["refresh"]["refreshToken"].as_str().unwrap().to_owned();

    // An attacker (or a confused client) presents the spent token again.
    let replay = identity.refresh(&first).await;
    assert_eq!(code(&replay), "UNAUTHENTICATED", "{replay}");
    assert!(
        replay["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already used"),
        "{replay}"
    );
    // The legitimate holder of the newest token is cut off too: the whole family is revoked.
    let after = identity.refresh(&second).await;
    assert_eq!(code(&after), "UNAUTHENTICATED", "{after}");
    assert_eq!(
        identity
            .count("SELECT COUNT(*) FROM refresh_tokens WHERE revoked_at IS NULL")
            .await,
        0
    );
    // Another sign-in (another family) is unaffected.
    let other = identity.sign_in(&address).await;
    let fresh = identity.refresh(other["refreshToken"].as_str().unwrap()).await;
    assert!(fresh.get("errors").is_none(), "{fresh}");
    identity.stop().await;
}

#[tokio::test]
async fn sign_out_revokes_the_session() {
    let identity = harness::start().await;
    let address = email("out");
    identity.sign_up(&address, "Out").await;
    let session = identity.sign_in(&address).await;
    let token = session["refreshToken"].as_str().unwrap();
    let body = identity
        .gql(
            "mutation($t: String!) { signOut(refreshToken: $t) }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(body["data"]["signOut"], true, "{body}");
    let refused = identity.refresh(token).await;
    assert_eq!(code(&refused), "UNAUTHENTICATED", "{refused}");
    let unknown = identity
        .gql(
            "mutation($t: String!) { signOut(refreshToken: $t) }",
            json!({ "t": "not-a-token" }),
        )
        .await;
    assert_eq!(code(&unknown), "UNAUTHENTICATED", "{unknown}");
    identity.stop().await;
}

#[tokio::test]
async fn expired_refresh_token_is_refused() {
    let identity = harness::start().await;
    let address = email("expired");
    identity.sign_up(&address, "Expired").await;
    let session = identity.sign_in(&address).await;
    identity
        .execute("UPDATE refresh_tokens SET expires_at = '2020-01-01 00:00:00+00:00'")
        .await;
    let body = identity.refresh(session["refreshToken"].as_str().unwrap()).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    assert_eq!(
        identity.count("SELECT COUNT(*) FROM refresh_tokens").await,
        1,
        "no new token was issued"
    );
    identity.stop().await;
}

#[tokio::test]
async fn disabling_a_user_revokes_its_sessions_and_blocks_sign_in() {
    let identity = harness::start().await;
    let address = email("victim");
    let user = identity.sign_up(&address, "Victim").await;
    let session = identity.sign_in(&address).await;
    let disable = "mutation($id: ID!) { disableUser(id: $id) { id status } }";

    // A member may not disable anyone.
    let member = identity
        .gql_as(
            session["accessToken"].as_str().unwrap(),
            disable,
            json!({ "id": user["id"] }),
        )
        .await;
    assert_eq!(code(&member), "FORBIDDEN", "{member}");

    let admin = identity
        .issuer
        .issue("admin-1", vec!["admin".into()], "")
        .unwrap()
        .token;
    let body = identity.gql_as(&admin, disable, json!({ "id": user["id"] })).await;
    assert_eq!(body["data"]["disableUser"]["status"], "DISABLED", "{body}");

    let refresh = identity.refresh(session["refreshToken"].as_str().unwrap()).await;
    assert_eq!(code(&refresh), "UNAUTHENTICATED", "{refresh}");
    let sign_in = identity.sign_in_from("198.51.100.1", &address, harness::PASSWORD).await;
    assert_eq!(code(&sign_in), "UNAUTHENTICATED", "{sign_in}");

    let unknown = identity
        .gql_as(&admin, disable, json!({ "id": uuid::Uuid::now_v7().to_string() }))
        .await;
    assert_eq!(code(&unknown), "NOT_FOUND", "{unknown}");
    identity.stop().await;
}

#[tokio::test]
async fn update_profile_changes_the_display_name() {
    let identity = harness::start().await;
    let address = email("rename");
    identity.sign_up(&address, "Before").await;
    let session = identity.sign_in(&address).await;
    let token = session["accessToken"].as_str().unwrap();
    let update = "mutation($n: String!) { updateProfile(displayName: $n) { displayName } }";
    let body = identity.gql_as(token, update, json!({ "n": "After" })).await;
    assert_eq!(body["data"]["updateProfile"]["displayName"], "After", "{body}");

    let blank = identity.gql_as(token, update, json!({ "n": "   " })).await;
    assert_eq!(code(&blank), "BAD_USER_INPUT", "{blank}");
    let me = identity.gql_as(token, ME, json!({})).await;
    assert_eq!(
        me["data"]["me"]["displayName"], "After",
        "the refused update changed nothing"
    );

    let anonymous = identity.gql(update, json!({ "n": "Anyone" })).await;
    assert_eq!(code(&anonymous), "UNAUTHENTICATED", "{anonymous}");
    identity.stop().await;
}
