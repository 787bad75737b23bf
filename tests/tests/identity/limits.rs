//! Brute-force protection: per-account and per-address limits, and errors that do not reveal accounts.

use crate::harness::{self, PASSWORD, code, email};

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_generic_error() {
    let identity = harness::start().await;
    let address = email("known");
    identity.sign_up(&address, "Known").await;
    let wrong_password = identity
        .sign_in_from("198.51.100.2", &address, "not the password")
        .await;
    let unknown_email = identity.sign_in_from("198.51.100.3", &email("nobody"), PASSWORD).await;
    assert_eq!(code(&wrong_password), "UNAUTHENTICATED", "{wrong_password}");
    assert_eq!(code(&unknown_email), "UNAUTHENTICATED", "{unknown_email}");
    assert_eq!(
        wrong_password["errors"][0]["message"], unknown_email["errors"][0]["message"],
        "the message must not tell which part was wrong"
    );
    assert_eq!(identity.count("SELECT COUNT(*) FROM refresh_tokens").await, 0);
    identity.stop().await;
}

#[tokio::test]
async fn too_many_attempts_on_one_account_are_rate_limited() {
    let identity = harness::builder().limits(3, 1000).start().await;
    let address = email("target");
    identity.sign_up(&address, "Target").await;
    // Each attempt from its own address, so only the per-account counter can trip.
    for n in 0..3 {
        let body = identity
            .sign_in_from(&format!("203.0.113.{n}"), &address, "wrong password!")
            .await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    }
    let limited = identity.sign_in_from("203.0.113.50", &address, PASSWORD).await;
    assert_eq!(code(&limited), "RATE_LIMITED", "{limited}");
    assert_eq!(
        identity.count("SELECT COUNT(*) FROM refresh_tokens").await,
        0,
        "even the right password waits"
    );
    // Unknown accounts are limited the same way, so the limit does not reveal which accounts exist.
    let ghost = email("ghost");
    for n in 0..3 {
        identity
            .sign_in_from(&format!("203.0.113.{}", 100 + n), &ghost, PASSWORD)
            .await;
    }
    let ghost_limited = identity.sign_in_from("203.0.113.200", &ghost, PASSWORD).await;
    assert_eq!(code(&ghost_limited), "RATE_LIMITED", "{ghost_limited}");
    identity.stop().await;
}

#[tokio::test]
async fn too_many_attempts_from_one_address_are_rate_limited() {
    let identity = harness::builder().limits(1000, 3).start().await;
    let address = email("spray");
    identity.sign_up(&address, "Spray").await;
    for _ in 0..3 {
        let body = identity.sign_in_from("192.0.2.66", &email("guess"), PASSWORD).await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    }
    let limited = identity.sign_in_from("192.0.2.66", &address, PASSWORD).await;
    assert_eq!(code(&limited), "RATE_LIMITED", "{limited}");
    let elsewhere = identity.sign_in_from("192.0.2.67", &address, PASSWORD).await;
    assert!(
        elsewhere.get("errors").is_none(),
        "another address is not limited: {elsewhere}"
    );
    identity.stop().await;
}
