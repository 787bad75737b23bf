use std::collections::BTreeMap;

use kernel::auth::{IssuerConfig, SigningKey, TokenIssuer, VerifierConfig};

use super::*;

const ISSUER: &str = "https://id.example";
const OTHER_ISSUER: &str = "https://other.example";

fn issuer(name: &str, kid: &str) -> TokenIssuer {
    let config = IssuerConfig {
        issuer: name.to_owned(),
        audience: "platform".to_owned(),
        access_token_ttl_secs: 300,
    };
    TokenIssuer::new(config, SigningKey::generate_ed25519(kid).expect("a key"))
}

fn verifier(issuer: &TokenIssuer, name: &str) -> JwtVerifier {
    let config = VerifierConfig {
        issuer: name.to_owned(),
        audience: "platform".to_owned(),
        ..VerifierConfig::default()
    };
    JwtVerifier::new(config, JwksSource::from_jwks(&issuer.jwks()))
}

fn authenticator(config: AuthConfig, issuers: &[(&TokenIssuer, &str)]) -> Authenticator {
    let verifiers = issuers.iter().map(|(issuer, name)| verifier(issuer, name)).collect();
    Authenticator::with_verifiers(&config, verifiers).expect("valid config")
}

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    headers
}

#[tokio::test]
async fn a_valid_token_yields_its_claims_and_is_forwarded_with_claim_headers() {
    let id = issuer(ISSUER, "k1");
    let config = AuthConfig {
        forward_claims: BTreeMap::from([("sub".to_owned(), "x-user-id".to_owned())]),
        ..AuthConfig::default()
    };
    let auth = authenticator(config, &[(&id, ISSUER)]);
    let token = id.issue("u1", vec!["member".into()], "posts:write").unwrap().token;
    let mut headers = bearer(&token);
    headers.insert("x-user-id", "admin".parse().unwrap());

    let authenticated = auth.authenticate(&mut headers).await.unwrap().expect("verified");
    assert_eq!(authenticated.claims.sub, "u1");
    assert_eq!(headers["x-user-id"], "u1", "the client's own x-user-id is replaced");
    assert_eq!(headers[AUTHORIZATION], format!("Bearer {token}").as_str());
}

#[tokio::test]
async fn no_token_is_anonymous_and_spoofed_claim_headers_are_dropped() {
    let id = issuer(ISSUER, "k1");
    let config = AuthConfig {
        forward_claims: BTreeMap::from([("sub".to_owned(), "x-user-id".to_owned())]),
        ..AuthConfig::default()
    };
    let auth = authenticator(config, &[(&id, ISSUER)]);
    let mut headers = HeaderMap::new();
    headers.insert("x-user-id", "admin".parse().unwrap());
    assert!(auth.authenticate(&mut headers).await.unwrap().is_none());
    assert!(!headers.contains_key("x-user-id"));
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_unauthenticated() {
    let id = issuer(ISSUER, "k1");
    let forger = issuer(ISSUER, "k1");
    let stranger = issuer(OTHER_ISSUER, "k9");
    let auth = authenticator(AuthConfig::default(), &[(&id, ISSUER)]);

    let forged = forger.issue("admin", vec!["admin".into()], "").unwrap().token;
    let expired = id.issue_at("u1", vec![], "", 1_000).unwrap().token;
    let foreign = stranger.issue("u1", vec![], "").unwrap().token;
    for (token, message) in [
        (forged.as_str(), "the token's signature is invalid"),
        (expired.as_str(), "the token has expired"),
        (foreign.as_str(), "the token was issued by an untrusted issuer"),
        ("not-a-jwt", "the token is malformed"),
    ] {
        let refused = auth.authenticate(&mut bearer(token)).await.unwrap_err();
        assert_eq!(refused.extensions.code, ErrorCode::Unauthenticated, "{token}");
        assert_eq!(refused.message, message);
    }
    let mut basic = HeaderMap::new();
    basic.insert(AUTHORIZATION, "Basic dTpw".parse().unwrap());
    let refused = auth.authenticate(&mut basic).await.unwrap_err();
    assert_eq!(refused.extensions.code, ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn each_issuer_verifies_its_own_tokens() {
    let id = issuer(ISSUER, "k1");
    let other = issuer(OTHER_ISSUER, "k2");
    let auth = authenticator(AuthConfig::default(), &[(&id, ISSUER), (&other, OTHER_ISSUER)]);
    for (token_issuer, subject) in [(&id, "a"), (&other, "b")] {
        let token = token_issuer.issue(subject, vec![], "").unwrap().token;
        let authenticated = auth.authenticate(&mut bearer(&token)).await.unwrap().expect("verified");
        assert_eq!(authenticated.claims.sub, subject);
    }
}

#[tokio::test]
async fn a_cookie_token_is_verified_and_forwarded_as_a_bearer_token() {
    let id = issuer(ISSUER, "k1");
    let config = AuthConfig {
        cookie: Some("session".to_owned()),
        ..AuthConfig::default()
    };
    let auth = authenticator(config, &[(&id, ISSUER)]);
    let token = id.issue("u7", vec![], "").unwrap().token;
    let mut headers = HeaderMap::new();
    headers.insert(COOKIE, format!("theme=dark; session={token}").parse().unwrap());
    let authenticated = auth.authenticate(&mut headers).await.unwrap().expect("verified");
    assert_eq!(authenticated.claims.sub, "u7");
    assert_eq!(headers[AUTHORIZATION], format!("Bearer {token}").as_str());
}

#[tokio::test]
async fn required_authentication_refuses_anonymous_requests() {
    let id = issuer(ISSUER, "k1");
    let config = AuthConfig {
        require_authentication: true,
        ..AuthConfig::default()
    };
    let auth = authenticator(config, &[(&id, ISSUER)]);
    let refused = auth.authenticate(&mut HeaderMap::new()).await.unwrap_err();
    assert_eq!(refused.extensions.code, ErrorCode::Unauthenticated);
}

#[test]
fn bad_config_is_refused_by_name() {
    let id = issuer(ISSUER, "k1");
    let unknown_claim = AuthConfig {
        forward_claims: BTreeMap::from([("email".to_owned(), "x-email".to_owned())]),
        ..AuthConfig::default()
    };
    assert!(matches!(
        Authenticator::with_verifiers(&unknown_claim, vec![verifier(&id, ISSUER)]),
        Err(AuthConfigError::UnknownClaim(claim)) if claim == "email"
    ));
    assert!(matches!(
        Authenticator::with_verifiers(&AuthConfig::default(), Vec::new()),
        Err(AuthConfigError::NoIssuers)
    ));
}

/// A compact JWT with `header` and `claims` and the given signature part.
fn handmade(header: serde_json::Value, claims: &Claims, signature: &str) -> String {
    let encode = |value: &serde_json::Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let claims = serde_json::to_value(claims).expect("claims serialize");
    format!("{}.{}.{signature}", encode(&header), encode(&claims))
}

#[tokio::test]
async fn unsigned_and_algorithm_confused_tokens_are_refused() {
    let id = issuer(ISSUER, "k1");
    let auth = authenticator(AuthConfig::default(), &[(&id, ISSUER)]);
    let claims = id.issue("admin", vec!["admin".into()], "").unwrap().claims;

    let unsigned = handmade(
        serde_json::json!({"alg": "none", "typ": "JWT", "kid": "k1"}),
        &claims,
        "",
    );
    // HS256 keyed with the issuer's public key: a verifier that trusted the header's `alg` would accept it.
    let public_key = serde_json::to_vec(&id.jwks().keys[0]).expect("the public JWK");
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("k1".to_owned());
    let confused = jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_secret(&public_key))
        .expect("an HS256 token");
    // A genuine token whose payload was edited afterwards.
    let genuine = id.issue("member", vec![], "").unwrap().token;
    let mut parts: Vec<&str> = genuine.split('.').collect();
    let elevated = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims"));
    parts[1] = &elevated;
    let tampered = parts.join(".");
    // A token naming a key nobody published.
    let stranger = issuer(ISSUER, "k-unknown")
        .issue("admin", vec!["admin".into()], "")
        .unwrap()
        .token;

    for (name, token) in [
        ("alg none", unsigned),
        ("HS256 with the public key", confused),
        ("tampered payload", tampered),
        ("unknown kid", stranger),
    ] {
        let refused = auth.authenticate(&mut bearer(&token)).await.expect_err(name);
        assert_eq!(
            refused.extensions.code,
            ErrorCode::Unauthenticated,
            "{name}: {}",
            refused.message
        );
    }
}

#[tokio::test]
async fn a_token_not_yet_valid_or_for_another_audience_is_refused() {
    let id = issuer(ISSUER, "k1");
    let auth = authenticator(AuthConfig::default(), &[(&id, ISSUER)]);
    let far_future = jsonwebtoken::get_current_timestamp() + 3_600;
    let early = id.issue_at("u1", vec![], "", far_future).unwrap().token;
    let refused = auth.authenticate(&mut bearer(&early)).await.unwrap_err();
    assert_eq!(refused.message, "the token is not valid yet");

    // The same key, signing for another audience: the signature is good, the audience is not ours.
    let key = SigningKey::generate_ed25519("k2").expect("a key");
    let ours = TokenIssuer::new(
        IssuerConfig {
            issuer: ISSUER.to_owned(),
            audience: "platform".to_owned(),
            access_token_ttl_secs: 300,
        },
        key.clone(),
    );
    let theirs = TokenIssuer::new(
        IssuerConfig {
            issuer: ISSUER.to_owned(),
            audience: "another-api".to_owned(),
            access_token_ttl_secs: 300,
        },
        key,
    );
    let auth = authenticator(AuthConfig::default(), &[(&ours, ISSUER)]);
    let token = theirs.issue("u1", vec![], "").unwrap().token;
    let refused = auth.authenticate(&mut bearer(&token)).await.unwrap_err();
    assert_eq!(refused.message, "the token is not meant for this audience");
}
