use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, CommonParameters, Jwk, JwkSet, RSAKeyParameters, RSAKeyType};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};

use super::*;

const ISSUER: &str = "https://id.example.test";
const AUDIENCE: &str = "platform";

fn issuer_config() -> IssuerConfig {
    IssuerConfig {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        access_token_ttl_secs: 600,
    }
}

fn verifier_config() -> VerifierConfig {
    VerifierConfig {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        leeway_secs: 5,
        jwks_min_refresh_secs: 60,
        ..VerifierConfig::default()
    }
}

fn key(kid: &str) -> SigningKey {
    SigningKey::generate_ed25519(kid).expect("generate a key")
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn setup() -> (TokenIssuer, JwtVerifier) {
    let issuer = TokenIssuer::new(issuer_config(), key("k1"));
    let verifier = JwtVerifier::new(verifier_config(), JwksSource::from_jwks(&issuer.jwks()));
    (issuer, verifier)
}

#[tokio::test]
async fn issued_token_verifies_with_its_claims() {
    let (issuer, verifier) = setup();
    let issued = issuer
        .issue("user-1", vec!["editor".into()], "posts:write posts:read")
        .expect("issue");
    let claims = verifier.verify(&issued.token).await.expect("a fresh token verifies");
    assert_eq!(claims, issued.claims);
    assert!(claims.has_role("editor"));
    assert!(claims.has_scope("posts:read"));
    assert!(!claims.has_scope("posts"));
}

#[tokio::test]
async fn expired_token_is_rejected() {
    let (issuer, verifier) = setup();
    let issued = issuer.issue_at("user-1", vec![], "", now() - 3_600).expect("issue");
    assert!(matches!(verifier.verify(&issued.token).await, Err(AuthError::Expired)));
}

#[tokio::test]
async fn expiry_within_the_clock_skew_is_accepted() {
    let (issuer, verifier) = setup();
    // Expired two seconds ago; the verifier tolerates five.
    let issued = issuer.issue_at("user-1", vec![], "", now() - 602).expect("issue");
    verifier.verify(&issued.token).await.expect("within leeway");
}

#[tokio::test]
async fn token_not_yet_valid_is_rejected() {
    let (issuer, verifier) = setup();
    let issued = issuer.issue_at("user-1", vec![], "", now() + 3_600).expect("issue");
    assert!(matches!(
        verifier.verify(&issued.token).await,
        Err(AuthError::NotYetValid)
    ));
}

#[tokio::test]
async fn wrong_issuer_and_audience_are_rejected() {
    let other_key = key("k1");
    let jwks = JwksSource::from_jwks(&JwkSet {
        keys: vec![other_key.public_jwk().clone()],
    });
    let verifier = JwtVerifier::new(verifier_config(), jwks.clone());
    let wrong_iss = TokenIssuer::new(
        IssuerConfig {
            issuer: "https://evil.test".into(),
            ..issuer_config()
        },
        other_key.clone(),
    );
    let token = wrong_iss.issue("user-1", vec![], "").expect("issue").token;
    assert!(matches!(verifier.verify(&token).await, Err(AuthError::WrongIssuer)));
    let wrong_aud = TokenIssuer::new(
        IssuerConfig {
            audience: "other".into(),
            ..issuer_config()
        },
        other_key,
    );
    let token = wrong_aud.issue("user-1", vec![], "").expect("issue").token;
    assert!(matches!(verifier.verify(&token).await, Err(AuthError::WrongAudience)));
}

#[tokio::test]
async fn tampered_payload_is_rejected() {
    let (issuer, verifier) = setup();
    let token = issuer.issue("user-1", vec![], "").expect("issue").token;
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64")).expect("json");
    claims["roles"] = serde_json::json!(["admin"]);
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("json"));
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert!(matches!(
        verifier.verify(&forged).await,
        Err(AuthError::InvalidSignature)
    ));
}

#[tokio::test]
async fn alg_none_is_rejected() {
    let (issuer, verifier) = setup();
    let token = issuer.issue("user-1", vec![], "").expect("issue").token;
    let payload = token.split('.').nth(1).expect("payload");
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","kid":"k1","typ":"JWT"}"#);
    let unsigned = format!("{header}.{payload}.");
    let error = verifier.verify(&unsigned).await.expect_err("alg none is refused");
    assert!(
        matches!(error, AuthError::Malformed | AuthError::AlgorithmNotAccepted),
        "{error:?}"
    );
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_rejected() {
    let (issuer, verifier) = setup();
    let claims = issuer.issue("user-1", vec!["admin".into()], "").expect("issue").claims;
    let AlgorithmParameters::OctetKeyPair(params) = &issuer.jwks().keys[0].algorithm else {
        panic!("an Ed25519 key publishes an OKP JWK")
    };
    let public = URL_SAFE_NO_PAD.decode(&params.x).expect("base64");
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("k1".into());
    let token = encode(&header, &claims, &EncodingKey::from_secret(&public)).expect("sign");
    assert!(matches!(
        verifier.verify(&token).await,
        Err(AuthError::AlgorithmNotAccepted)
    ));
}

#[tokio::test]
async fn unknown_kid_is_rejected() {
    let (_, verifier) = setup();
    let stranger = TokenIssuer::new(issuer_config(), key("k9"));
    let token = stranger.issue("user-1", vec![], "").expect("issue").token;
    assert!(matches!(verifier.verify(&token).await, Err(AuthError::UnknownKey)));
}

#[tokio::test]
async fn garbage_is_malformed() {
    let (_, verifier) = setup();
    for token in ["", "abc", "a.b.c", "....", "\u{0}.\u{0}.\u{0}"] {
        assert!(
            matches!(verifier.verify(token).await, Err(AuthError::Malformed)),
            "{token:?}"
        );
    }
}

#[tokio::test]
async fn retired_key_still_verifies_after_rotation() {
    let old = key("k1");
    let before = TokenIssuer::new(issuer_config(), old.clone());
    let old_token = before.issue("user-1", vec![], "").expect("issue").token;
    let after = TokenIssuer::new(issuer_config(), key("k2")).with_retired(vec![old]);
    let verifier = JwtVerifier::new(verifier_config(), JwksSource::from_jwks(&after.jwks()));
    verifier
        .verify(&old_token)
        .await
        .expect("the retired key still verifies");
    let new_token = after.issue("user-1", vec![], "").expect("issue").token;
    verifier.verify(&new_token).await.expect("the active key verifies");
    assert_eq!(after.jwks().keys.len(), 2);
}

#[tokio::test]
async fn stored_pem_restores_the_same_key() {
    use secrecy::ExposeSecret;
    let original = key("k1");
    let restored = SigningKey::from_ed25519_pem("k1", original.pkcs8_pem().expose_secret()).expect("restore");
    assert_eq!(original.public_jwk(), restored.public_jwk());
    assert!(!format!("{original:?}").contains("PRIVATE"));
}

#[tokio::test]
async fn rs256_token_verifies_against_an_rsa_jwk() {
    let pem = include_str!("testdata/rs256-test-key.pem");
    let n = include_str!("testdata/rs256-test-key.n").trim();
    let jwk = Jwk {
        common: CommonParameters {
            key_id: Some("rsa-1".into()),
            ..CommonParameters::default()
        },
        algorithm: AlgorithmParameters::RSA(RSAKeyParameters {
            key_type: RSAKeyType::RSA,
            n: n.into(),
            e: "AQAB".into(),
        }),
    };
    let verifier = JwtVerifier::new(verifier_config(), JwksSource::from_jwks(&JwkSet { keys: vec![jwk] }));
    let claims = Claims {
        sub: "user-1".into(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        exp: now() + 60,
        iat: now(),
        nbf: now(),
        jti: "j1".into(),
        roles: vec![],
        scope: String::new(),
    };
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("rsa-1".into());
    let token = encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).expect("pem"),
    )
    .expect("sign");
    assert_eq!(verifier.verify(&token).await.expect("RS256 verifies"), claims);
    // The same RSA key used with another algorithm is refused.
    let mut header = Header::new(Algorithm::RS512);
    header.kid = Some("rsa-1".into());
    let token = encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).expect("pem"),
    )
    .expect("sign");
    assert!(matches!(
        verifier.verify(&token).await,
        Err(AuthError::AlgorithmNotAccepted)
    ));
}

/// A JWKS endpoint on a real loopback listener, counting its fetches.
async fn serve_jwks(set: Arc<parking_lot::RwLock<JwkSet>>, fetches: Arc<AtomicUsize>) -> std::net::SocketAddr {
    let app = axum::Router::new().route(
        "/.well-known/jwks.json",
        axum::routing::get(move || {
            let set = set.clone();
            let fetches = fetches.clone();
            async move {
                fetches.fetch_add(1, Ordering::SeqCst);
                axum::Json(set.read().clone())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

#[tokio::test]
async fn remote_jwks_is_fetched_and_refetched_for_a_new_kid() {
    let first = TokenIssuer::new(issuer_config(), key("k1"));
    let published = Arc::new(parking_lot::RwLock::new(first.jwks()));
    let fetches = Arc::new(AtomicUsize::new(0));
    let addr = serve_jwks(published.clone(), fetches.clone()).await;
    let config = verifier_config_with_url(addr, 0);
    let verifier = JwtVerifier::new(config.clone(), JwksSource::remote(&config).expect("client"));
    let token = first.issue("user-1", vec![], "").expect("issue").token;
    verifier.verify(&token).await.expect("fetched lazily");
    verifier.verify(&token).await.expect("served from memory");
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    // Rotation: identity publishes a new key; the verifier refetches on the unknown kid.
    let second = TokenIssuer::new(issuer_config(), key("k2")).with_retired(vec![]);
    *published.write() = JwkSet {
        keys: [first.jwks().keys, second.jwks().keys].concat(),
    };
    let token = second.issue("user-1", vec![], "").expect("issue").token;
    verifier.verify(&token).await.expect("refetched for the new kid");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

fn verifier_config_with_url(addr: std::net::SocketAddr, min_refresh_secs: u64) -> VerifierConfig {
    VerifierConfig {
        jwks_url: format!("http://{addr}/.well-known/jwks.json"),
        jwks_min_refresh_secs: min_refresh_secs,
        ..verifier_config()
    }
}

#[tokio::test]
async fn forged_kids_do_not_hammer_the_jwks_endpoint() {
    let issuer = TokenIssuer::new(issuer_config(), key("k1"));
    let fetches = Arc::new(AtomicUsize::new(0));
    let addr = serve_jwks(Arc::new(parking_lot::RwLock::new(issuer.jwks())), fetches.clone()).await;
    let config = verifier_config_with_url(addr, 60);
    let verifier = JwtVerifier::new(config.clone(), JwksSource::remote(&config).expect("client"));
    for i in 0..20 {
        let stranger = TokenIssuer::new(issuer_config(), key(&format!("forged-{i}")));
        let token = stranger.issue("user-1", vec![], "").expect("issue").token;
        assert!(matches!(verifier.verify(&token).await, Err(AuthError::UnknownKey)));
    }
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "one fetch within the minimum refresh interval"
    );
}

#[tokio::test]
async fn unreachable_jwks_is_keys_unavailable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr")
    };
    let config = verifier_config_with_url(port, 0);
    let verifier = JwtVerifier::new(config.clone(), JwksSource::remote(&config).expect("client"));
    let token = TokenIssuer::new(issuer_config(), key("k1"))
        .issue("user-1", vec![], "")
        .expect("issue")
        .token;
    let error = verifier.verify(&token).await.expect_err("no keys");
    assert!(matches!(error, AuthError::KeysUnavailable(_)));
    assert_eq!(error.code(), crate::error_code::ErrorCode::ServiceUnavailable);
}
