//! The schema's own access rules enforced by the router: `@authenticated` and `@requiresScopes` fields a caller
//! may not read are answered with `null` and an `UNAUTHORIZED_FIELD_OR_TYPE` error, and the rest of the response
//! is still served. Tokens are verified against a JWKS served over HTTP, as identity serves it.

use std::net::SocketAddr;

use kernel::auth::{IssuerConfig, SigningKey, TokenIssuer, VerifierConfig};
use serde_json::{Value, json};

use crate::harness::{Router, supergraph_fixture};

const ISSUER: &str = "https://id.test";

/// The fixture with `me` for signed-in callers and `User.organization` for the `org:read` scope.
fn guarded_supergraph() -> String {
    supergraph_fixture()
        .replacen(
            "directive @link(",
            "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n\n\
             directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n\n\
             directive @link(",
            1,
        )
        .replace(
            "  me: User @join__field(graph: ACCOUNTS)\n",
            "  me: User @join__field(graph: ACCOUNTS) @authenticated\n",
        )
        .replace(
            "  organization: Organization @join__field(graph: ACCOUNTS)\n",
            "  organization: Organization @join__field(graph: ACCOUNTS) @requiresScopes(scopes: [[\"org:read\"]])\n",
        )
}

/// Serves `issuer`'s JWKS on a loopback port and returns its URL.
async fn serve_jwks(issuer: &TokenIssuer) -> String {
    let jwks = serde_json::to_value(issuer.jwks()).expect("a JWKS");
    let app = axum::Router::new().route(
        "/.well-known/jwks.json",
        axum::routing::get(move || {
            let jwks = jwks.clone();
            async move { axum::Json(jwks) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/.well-known/jwks.json")
}

async fn start() -> (Router, TokenIssuer) {
    let issuer = TokenIssuer::new(
        IssuerConfig {
            issuer: ISSUER.to_owned(),
            audience: "platform".to_owned(),
            access_token_ttl_secs: 300,
        },
        SigningKey::generate_ed25519("k1").expect("a key"),
    );
    let jwks_url = serve_jwks(&issuer).await;
    let router = Router::start_with_supergraph(&guarded_supergraph(), |config| {
        config.auth.enabled = true;
        config.auth.issuers = vec![VerifierConfig {
            jwks_url,
            issuer: ISSUER.to_owned(),
            audience: "platform".to_owned(),
            ..VerifierConfig::default()
        }];
    })
    .await;
    (router, issuer)
}

async fn ask(router: &Router, token: Option<&str>, query: &str) -> Value {
    let (status, text) = router.post_as(token, &json!({ "query": query })).await;
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[tokio::test]
async fn an_anonymous_caller_gets_null_and_an_error_for_authenticated_fields_and_the_rest_of_the_data() {
    let (router, _) = start().await;
    let body = ask(&router, None, "{ me { id } users { id } }").await;
    assert_eq!(body["data"]["me"], Value::Null, "{body}");
    assert!(!body["data"]["users"].as_array().expect("users").is_empty(), "{body}");
    assert_eq!(body["errors"].as_array().expect("errors").len(), 1, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHORIZED_FIELD_OR_TYPE");
    assert_eq!(body["errors"][0]["path"], json!(["me"]));
}

#[tokio::test]
async fn a_token_without_the_scope_loses_only_the_scoped_field() {
    let (router, issuer) = start().await;
    let token = issuer.issue("u1", vec![], "profile").expect("a token").token;
    let body = ask(&router, Some(&token), "{ me { id } users { id organization { id } } }").await;
    assert_eq!(body["data"]["me"]["id"], "u1", "{body}");
    let users = body["data"]["users"].as_array().expect("users");
    assert!(
        users
            .iter()
            .all(|user| user["organization"].is_null() && user["id"].is_string()),
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHORIZED_FIELD_OR_TYPE",
        "{body}"
    );
    assert_eq!(body["errors"][0]["path"], json!(["users", "organization"]));

    let scoped = issuer.issue("u1", vec![], "profile org:read").expect("a token").token;
    let body = ask(&router, Some(&scoped), "{ me { id } users { id organization { id } } }").await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(
        body["data"]["users"]
            .as_array()
            .expect("users")
            .iter()
            .any(|user| user["organization"]["id"].is_string()),
        "{body}"
    );
}

#[tokio::test]
async fn a_forged_token_is_refused_with_401_before_planning() {
    let (router, _) = start().await;
    let forger = TokenIssuer::new(
        IssuerConfig {
            issuer: ISSUER.to_owned(),
            ..IssuerConfig::default()
        },
        SigningKey::generate_ed25519("k1").expect("a key"),
    );
    let forged = forger
        .issue("u1", vec!["admin".into()], "org:read")
        .expect("a token")
        .token;
    let (status, text) = router
        .post_as(Some(&forged), &json!({ "query": "{ me { id } }" }))
        .await;
    assert_eq!(status, 401, "{text}");
    let body: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}
