use async_graphql::{Context, EmptyMutation, EmptySubscription, Object};
use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

use super::*;
use crate::auth::{IssuerConfig, JwksSource, SigningKey, TokenIssuer, VerifierConfig};

struct Query;

#[Object]
impl Query {
    async fn whoami(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(ctx.data::<Caller>()?.require()?.sub.clone())
    }

    async fn admin_only(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        ctx.data::<Caller>()?.require_role("admin")?;
        Ok(true)
    }

    async fn address(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(ctx.data::<Caller>()?.client_address().map(|ip| ip.to_string()))
    }
}

fn setup() -> (TokenIssuer, Router) {
    let issuer = TokenIssuer::new(
        IssuerConfig::default(),
        SigningKey::generate_ed25519("k1").expect("generate a key"),
    );
    let verifier = JwtVerifier::new(VerifierConfig::default(), JwksSource::from_jwks(&issuer.jwks()));
    let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
    (issuer, routes(schema, Arc::new(verifier)))
}

async fn post(app: &Router, token: Option<&str>, query: &str) -> serde_json::Value {
    let mut request = Request::post(GRAPHQL_PATH)
        .header("content-type", "application/json")
        .header("x-forwarded-for", "203.0.113.9, 10.0.0.1");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let body = serde_json::json!({ "query": query }).to_string();
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body)).expect("a valid request"))
        .await
        .expect("the router answers");
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("a body");
    serde_json::from_slice(&bytes).expect("a JSON body")
}

#[tokio::test]
async fn anonymous_caller_gets_unauthenticated_from_a_field_that_needs_a_user() {
    let (_, app) = setup();
    let body = post(&app, None, "{ whoami address }").await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
    assert_eq!(body["errors"][0]["path"][0], "whoami");
}

#[tokio::test]
async fn verified_token_reaches_resolvers_as_the_caller() {
    let (issuer, app) = setup();
    let token = issuer.issue("user-7", vec!["member".into()], "").expect("issue").token;
    let body = post(&app, Some(&token), "{ whoami address }").await;
    assert_eq!(body["data"]["whoami"], "user-7", "{body}");
    assert_eq!(
        body["data"]["address"], "203.0.113.9",
        "the first forwarded hop is the client"
    );
}

#[tokio::test]
async fn missing_role_is_forbidden() {
    let (issuer, app) = setup();
    let token = issuer.issue("user-7", vec!["member".into()], "").expect("issue").token;
    let body = post(&app, Some(&token), "{ adminOnly }").await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
    let admin = issuer.issue("user-1", vec!["admin".into()], "").expect("issue").token;
    let body = post(&app, Some(&admin), "{ adminOnly }").await;
    assert_eq!(body["data"]["adminOnly"], true, "{body}");
}

#[tokio::test]
async fn forged_token_refuses_the_whole_request_before_any_field_resolves() {
    let (_, app) = setup();
    let other = TokenIssuer::new(
        IssuerConfig::default(),
        SigningKey::generate_ed25519("k1").expect("generate a key"),
    );
    let forged = other.issue("user-1", vec!["admin".into()], "").expect("issue").token;
    let body = post(&app, Some(&forged), "{ address }").await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
    assert!(body.get("data").is_none_or(serde_json::Value::is_null), "{body}");
}
