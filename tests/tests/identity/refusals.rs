//! What identity refuses a still-valid access token of a disabled account, and another user's private fields, and
//! that every such refusal (and a replayed refresh token) reaches `identity.events` as `access.denied`.

use kernel::events::EventEnvelope;
use serde_json::{Value, json};

use crate::harness::{self, TestIdentity, code, email};

const DISABLE: &str = "mutation($id: ID!) { disableUser(id: $id) { id status } }";

/// The `access.denied` events on `identity.events`, waiting until there are `count` of them.
async fn denials(identity: &TestIdentity, count: usize) -> Vec<EventEnvelope> {
    let events = identity
        .events_until(|events| {
            events
                .iter()
                .filter(|(_, event)| event.event_type == "access.denied")
                .count()
                >= count
        })
        .await;
    events
        .into_iter()
        .map(|(_, event)| event)
        .filter(|event| event.event_type == "access.denied")
        .collect()
}

fn summary(denials: &[EventEnvelope]) -> Vec<(String, String, String)> {
    denials
        .iter()
        .map(|denial| {
            let text = |name: &str| denial.payload[name].as_str().unwrap_or_default().to_owned();
            (text("action"), text("resource"), text("reason"))
        })
        .collect()
}

fn admin_token(identity: &TestIdentity, subject: &str) -> String {
    identity.issuer.issue(subject, vec!["admin".into()], "").unwrap().token
}

#[tokio::test]
async fn a_disabled_accounts_live_token_is_refused_its_profile_and_each_refusal_is_recorded() {
    let identity = harness::start().await;
    let address = email("disabled");
    let user = identity.sign_up(&address, "Before").await;
    let id = user["id"].as_str().unwrap().to_owned();
    let session = identity.sign_in(&address).await;
    let token = session["accessToken"].as_str().unwrap().to_owned();
    let body = identity
        .gql_as(&admin_token(&identity, "admin-7"), DISABLE, json!({ "id": id }))
        .await;
    assert_eq!(body["data"]["disableUser"]["status"], "DISABLED", "{body}");

    let me = identity.gql_as(&token, "{ me { id email } }", json!({})).await;
    assert_eq!(code(&me), "FORBIDDEN", "{me}");
    assert!(me["data"].is_null(), "{me}");
    assert!(!me.to_string().contains(&address), "{me}");
    let own = identity
        .gql_as(
            &token,
            "query($id: ID!) { user(id: $id) { email } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&own), "FORBIDDEN", "{own}");
    assert!(!own.to_string().contains(&address), "{own}");
    let rename = identity
        .gql_as(
            &token,
            "mutation { updateProfile(displayName: \"After\") { displayName } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&rename), "FORBIDDEN", "{rename}");
    assert_eq!(
        identity
            .count("SELECT COUNT(*) FROM users WHERE display_name = 'Before'")
            .await,
        1,
        "the profile is unchanged"
    );
    let sign_in = identity.sign_in_from("198.51.100.9", &address, harness::PASSWORD).await;
    assert_eq!(code(&sign_in), "UNAUTHENTICATED", "{sign_in}");
    let refresh = identity.refresh(session["refreshToken"].as_str().unwrap()).await;
    assert_eq!(code(&refresh), "UNAUTHENTICATED", "{refresh}");
    assert_eq!(
        identity
            .count("SELECT COUNT(*) FROM refresh_tokens WHERE revoked_at IS NULL")
            .await,
        0,
        "no session was opened"
    );

    let denials = denials(&identity, 5).await;
    let resource = format!("user:{id}");
    let disabled = "this account is disabled".to_owned();
    let expected: Vec<(String, String, String)> = [
        "user:read",
        "user:read",
        "user:edit",
        "session:create",
        "session:refresh",
    ]
    .into_iter()
    .map(|action| (action.to_owned(), resource.clone(), disabled.clone()))
    .collect();
    assert_eq!(summary(&denials), expected);
    for denial in &denials {
        assert_eq!(denial.actor.as_deref(), Some(id.as_str()));
        assert_eq!(denial.source, "identity");
        assert_eq!(denial.payload["outcome"], "denied");
    }
    identity.stop().await;
}

#[tokio::test]
async fn a_disabled_administrator_may_no_longer_disable_users_nor_read_their_email() {
    let identity = harness::start().await;
    let admin = identity.sign_up(&email("admin"), "Admin").await;
    let admin_id = admin["id"].as_str().unwrap().to_owned();
    let other_address = email("other");
    let other = identity.sign_up(&other_address, "Other").await;
    let token = admin_token(&identity, &admin_id);
    let read_email = "query($id: ID!) { user(id: $id) { email } }";
    let before = identity.gql_as(&token, read_email, json!({ "id": other["id"] })).await;
    assert_eq!(before["data"]["user"]["email"], other_address.as_str(), "{before}");

    let body = identity
        .gql_as(
            &admin_token(&identity, "admin-root"),
            DISABLE,
            json!({ "id": admin_id }),
        )
        .await;
    assert_eq!(body["data"]["disableUser"]["status"], "DISABLED", "{body}");
    let refused = identity.gql_as(&token, DISABLE, json!({ "id": other["id"] })).await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");
    assert_eq!(
        identity
            .count("SELECT COUNT(*) FROM users WHERE status = 'active'")
            .await,
        1,
        "the other user is still active"
    );
    let email_read = identity.gql_as(&token, read_email, json!({ "id": other["id"] })).await;
    assert_eq!(code(&email_read), "FORBIDDEN", "{email_read}");
    assert!(!email_read.to_string().contains(&other_address), "{email_read}");

    let other_resource = format!("user:{}", other["id"].as_str().unwrap());
    let actions: Vec<(String, String)> = summary(&denials(&identity, 2).await)
        .into_iter()
        .map(|(action, resource, _)| (action, resource))
        .collect();
    assert_eq!(
        actions,
        [
            ("user:disable".to_owned(), other_resource.clone()),
            ("user:read".to_owned(), other_resource)
        ]
    );
    identity.stop().await;
}

#[tokio::test]
async fn another_users_email_is_forbidden_and_the_refusal_recorded() {
    let identity = harness::start().await;
    let reader = identity.sign_up(&email("reader"), "Reader").await;
    let address = email("private");
    let owner = identity.sign_up(&address, "Owner").await;
    let token = identity.sign_in(reader["email"].as_str().unwrap()).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let body: Value = identity
        .gql_as(
            &token,
            "query($id: ID!) { user(id: $id) { displayName email } }",
            json!({ "id": owner["id"] }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    assert!(!body.to_string().contains(&address), "{body}");
    let denial = &denials(&identity, 1).await[0];
    assert_eq!(denial.actor.as_deref(), reader["id"].as_str());
    assert_eq!(denial.payload["action"], "user:read");
    assert_eq!(
        denial.payload["resource"],
        format!("user:{}", owner["id"].as_str().unwrap()).as_str()
    );
    identity.stop().await;
}

#[tokio::test]
async fn a_replayed_refresh_token_and_the_family_it_revoked_are_recorded_as_refused() {
    let identity = harness::start().await;
    let address = email("replayed");
    let user = identity.sign_up(&address, "Replayed").await;
    let session = identity.sign_in(&address).await;
    let first = session["refreshToken"].as_str().unwrap().to_owned();
    let renewed = identity.refresh(&first).await;
    let second = renewed["data"]["refresh"]["refreshToken"].as_str().unwrap().to_owned();
    assert_eq!(code(&identity.refresh(&first).await), "UNAUTHENTICATED");
    assert_eq!(code(&identity.refresh(&second).await), "UNAUTHENTICATED");

    let reasons: Vec<String> = summary(&denials(&identity, 2).await)
        .into_iter()
        .map(|(action, resource, reason)| {
            assert_eq!(action, "session:refresh");
            assert_eq!(resource, format!("user:{}", user["id"].as_str().unwrap()));
            reason
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "the refresh token was already used; the session has been revoked, sign in again",
            "the refresh token was revoked"
        ]
    );
    identity.stop().await;
}
