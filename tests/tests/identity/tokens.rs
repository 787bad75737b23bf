//! Access tokens: claims, the JWKS, verification by a remote verifier, key rotation, and refused tokens.

use identity::keys::SigningKeys;
use kernel::auth::{IssuerConfig, JwksSource, JwtVerifier, SigningKey, TokenIssuer, VerifierConfig};
use serde_json::{Value, json};

use crate::harness::{self, code, email};

fn remote_verifier(jwks_url: String) -> JwtVerifier {
    let config = VerifierConfig {
        jwks_url,
        ..VerifierConfig::default()
    };
    JwtVerifier::new(config.clone(), JwksSource::remote(&config).unwrap())
}

#[tokio::test]
async fn jwks_serves_the_key_and_issued_tokens_verify_against_it_remotely() {
    let identity = harness::start().await;
    let jwks: Value = reqwest::get(identity.running().jwks_url())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["kid"], "test-key-1", "{jwks}");
    assert_eq!(jwks["keys"][0]["crv"], "Ed25519");
    assert!(
        jwks["keys"][0].get("d").is_none(),
        "the private part is never published"
    );

    let address = email("jwks");
    let user = identity.sign_up(&address, "Jwks").await;
    let session = identity.sign_in(&address).await;
    let claims = remote_verifier(identity.running().jwks_url())
        .verify(session["accessToken"].as_str().unwrap())
        .await
        .expect("the token verifies against the published JWKS");
    assert_eq!(claims.sub, user["id"].as_str().unwrap());
    assert_eq!(claims.iss, IssuerConfig::default().issuer);
    assert_eq!(claims.aud, IssuerConfig::default().audience);
    assert!(claims.exp > claims.iat);
    assert!(!claims.jti.is_empty());
    assert!(claims.roles.is_empty(), "no role source grants roles here");
    identity.stop().await;
}

#[tokio::test]
async fn rotated_key_still_verifies_old_tokens_while_new_tokens_use_the_new_kid() {
    let old = SigningKey::generate_ed25519("2026-01").unwrap();
    let before = harness::builder().keys(SigningKeys::single(old.clone())).start().await;
    let address = email("rotate");
    before.sign_up(&address, "Rotate").await;
    let old_token = before.sign_in(&address).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    before.stop().await;

    // The new key signs; the old one is retired but still published.
    let new = SigningKey::generate_ed25519("2026-02").unwrap();
    let keys_for_check = (new.clone(), old.clone());
    let keys = SigningKeys {
        active: new,
        retired: vec![old],
    };
    let after = harness::builder().keys(keys).start().await;
    after.sign_up(&address, "Rotate").await;
    let new_token = after.sign_in(&address).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let verifier = remote_verifier(after.running().jwks_url());
    verifier
        .verify(&old_token)
        .await
        .expect("a token of the retired key still verifies");
    verifier
        .verify(&new_token)
        .await
        .expect("a token of the new key verifies");
    // Only the new key verifies the new token, and only the old key the old one: each names its own kid.
    let only = |key: &SigningKey| {
        let jwks = TokenIssuer::new(IssuerConfig::default(), key.clone()).jwks();
        JwtVerifier::new(VerifierConfig::default(), JwksSource::from_jwks(&jwks))
    };
    let (old_key, new_key) = (&keys_for_check.1, &keys_for_check.0);
    assert!(only(new_key).verify(&new_token).await.is_ok());
    assert!(only(new_key).verify(&old_token).await.is_err());
    assert!(only(old_key).verify(&old_token).await.is_ok());
    // The service itself accepts both for an operation that needs only authentication.
    let query = "query($id: ID!) { user(id: $id) { id } }";
    for token in [&old_token, &new_token] {
        let body = after
            .gql_as(token, query, json!({ "id": uuid::Uuid::now_v7().to_string() }))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        assert!(body["data"]["user"].is_null(), "{body}");
    }
    after.stop().await;
}

#[tokio::test]
async fn forged_expired_and_wrong_audience_tokens_are_unauthenticated() {
    let identity = harness::start().await;
    let address = email("forge");
    let user = identity.sign_up(&address, "Forge").await;
    let sub = user["id"].as_str().unwrap();
    let now = jsonwebtoken_now();

    let stranger = TokenIssuer::new(
        IssuerConfig::default(),
        SigningKey::generate_ed25519("test-key-1").unwrap(),
    );
    let forged = stranger.issue(sub, vec!["admin".into()], "").unwrap().token;
    let expired = identity.issuer.issue_at(sub, vec![], "", now - 7200).unwrap().token;
    let mut claims = identity.issuer.issue(sub, vec![], "").unwrap().claims;
    claims.aud = "someone-else".into();
    let wrong_audience = identity.issuer.sign(&claims).unwrap();
    let mut tampered = identity.issuer.issue(sub, vec![], "").unwrap().token;
    tampered.push('x');

    for (name, token) in [
        ("forged", forged.as_str()),
        ("expired", expired.as_str()),
        ("wrong audience", wrong_audience.as_str()),
        ("tampered", tampered.as_str()),
        ("garbage", "not.a.jwt"),
    ] {
        let body = identity.gql_as(token, "{ me { id } }", json!({})).await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{name}: {body}");
        assert!(body["data"].is_null(), "{name}: nothing resolved: {body}");
    }
    identity.stop().await;
}

fn jsonwebtoken_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
