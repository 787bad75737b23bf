//! A stolen refresh token used after its owner already used it: the second use is refused, and the whole token
//! family dies with it, including the fresh token the first use handed out; the revocation and both refusals are
//! in the audit log. The owner's other sessions (other families) are untouched.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::scene::{Scene, codes, sign_in};
use crate::stack::Service;

const REFRESH: &str = "mutation($token: String!) { refresh(refreshToken: $token) { accessToken refreshToken } }";

async fn refresh(scene: &Scene, token: &str) -> (StatusCode, Value) {
    scene.attempt(None, REFRESH, json!({ "token": token })).await
}

async fn live_tokens(scene: &Scene) -> i64 {
    scene
        .count(
            Service::Identity,
            "SELECT COUNT(*) FROM refresh_tokens WHERE revoked_at IS NULL",
        )
        .await
}

#[tokio::test]
async fn a_replayed_refresh_token_is_refused_and_its_whole_family_stops_working() {
    let scene = Scene::start().await;
    let a = &scene.a;
    let other_session = sign_in(&scene.stack, &a.email).await;

    // The owner refreshes: the presented token is spent, a fresh one of the same family handed out.
    let (status, first_use) = refresh(&scene, &a.refresh).await;
    assert_eq!(status, StatusCode::OK, "{first_use}");
    assert!(first_use.get("errors").is_none(), "{first_use}");
    let fresh = first_use["data"]["refresh"]["refreshToken"]
        .as_str()
        .expect("a fresh refresh token")
        .to_owned();
    let live_before = live_tokens(&scene).await;

    // The thief presents the spent token.
    let (status, replay) = refresh(&scene, &a.refresh).await;
    assert_eq!(status, StatusCode::OK, "{replay}");
    assert_eq!(codes(&replay), ["UNAUTHENTICATED"], "{replay}");
    assert_eq!(
        replay["errors"][0]["message"],
        "the refresh token was already used; the session has been revoked, sign in again"
    );
    assert!(
        replay["data"].is_null() || replay["data"]["refresh"].is_null(),
        "{replay}"
    );
    assert_eq!(
        live_tokens(&scene).await,
        live_before - 2,
        "the family is revoked: the spent token and the fresh one"
    );

    // Whoever holds the fresh token is cut off too.
    let (status, after) = refresh(&scene, &fresh).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(codes(&after), ["UNAUTHENTICATED"], "{after}");
    assert_eq!(
        after["errors"][0]["message"],
        "the refresh token is invalid or has expired"
    );
    assert!(after["data"].is_null() || after["data"]["refresh"].is_null(), "{after}");

    // The owner's other session is another family, and still works.
    let (_, other) = refresh(&scene, &other_session.refresh).await;
    assert!(other.get("errors").is_none(), "{other}");

    let user = format!("user:{}", a.id);
    let revoked = scene
        .audited(json!({ "action": "session.revoked", "resource": user }))
        .await;
    assert_eq!(revoked[0]["payload"]["reason"], "refresh_token_replayed", "{revoked:?}");
    assert_eq!(revoked[0]["payload"]["revoked_tokens"], 2, "{revoked:?}");
    let mut reasons = refused_reasons(&scene, &a.id, &user).await;
    reasons.sort();
    assert_eq!(
        reasons,
        [
            "the refresh token was already used; the session has been revoked, sign in again",
            "the refresh token was revoked"
        ]
    );
}

/// The reasons of the refused refreshes of `actor` on `resource`, once both are in the log.
async fn refused_reasons(scene: &Scene, actor: &str, resource: &str) -> Vec<String> {
    for _ in 0..400 {
        let records = scene
            .audited(json!({ "actor": actor, "action": "session:refresh", "resource": resource }))
            .await;
        let reasons: Vec<String> = records
            .iter()
            .filter(|record| record["outcome"] == "DENIED" && record["sourceService"] == "identity")
            .filter_map(|record| record["payload"]["reason"].as_str().map(str::to_owned))
            .collect();
        if reasons.len() >= 2 {
            return reasons;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the two refused refreshes of {actor} never both reached the audit log");
}
