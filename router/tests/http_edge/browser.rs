//! What browsers meet at the edge: CORS preflights and headers, CSRF prevention on GET, the request id.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use router::config::{CorsConfig, CsrfConfig};
use router::http::HttpOptions;
use router::http::csrf::CsrfGuard;

use super::{TestServer, error_code};

const QUERY_STRING: &str = "?query=%7B%20me%20%7B%20id%20%7D%20%7D";

fn cors_options(origins: &[&str]) -> HttpOptions {
    let config = CorsConfig {
        allowed_origins: origins.iter().map(|origin| (*origin).to_owned()).collect(),
        ..CorsConfig::default()
    };
    HttpOptions {
        cors: router::http::cors::layer(&config).expect("valid CORS config"),
        ..HttpOptions::default()
    }
}

#[tokio::test]
async fn a_get_operation_without_a_preflight_header_is_refused_and_never_executed() {
    let (server, handler) = TestServer::recording(HttpOptions::default()).await;
    let response = server
        .client
        .get(server.url(&format!("/graphql{QUERY_STRING}")))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(response).await, "BAD_REQUEST");
    assert!(handler.seen.lock().is_empty(), "a refused request must not run");

    let preflighted = server.get(QUERY_STRING, "application/json").await;
    assert_eq!(preflighted.status(), StatusCode::OK);
    assert_eq!(handler.seen.lock().len(), 1);
}

#[tokio::test]
async fn csrf_prevention_can_be_turned_off_for_clients_without_cookies() {
    let options = HttpOptions {
        csrf: CsrfGuard::from_config(&CsrfConfig {
            enabled: false,
            ..CsrfConfig::default()
        })
        .expect("valid"),
        ..HttpOptions::default()
    };
    let (server, handler) = TestServer::recording(options).await;
    let response = server
        .client
        .get(server.url(&format!("/graphql{QUERY_STRING}")))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(handler.seen.lock().len(), 1);
}

#[tokio::test]
async fn an_allowed_origin_gets_its_preflight_answered_and_others_get_no_cors_headers() {
    let (server, _) = TestServer::recording(cors_options(&["https://app.example.com"])).await;
    let preflight = server
        .client
        .request(reqwest::Method::OPTIONS, server.url("/graphql"))
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type, authorization")
        .send()
        .await
        .expect("answers");
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], "https://app.example.com");
    let allowed = headers["access-control-allow-headers"].to_str().expect("text");
    assert!(allowed.contains("authorization"), "{allowed}");
    assert_eq!(headers["access-control-max-age"], "600");

    let foreign = server
        .client
        .post(server.url("/graphql"))
        .header("origin", "https://evil.example")
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"query":"{ me { id } }"}"#)
        .send()
        .await
        .expect("answers");
    assert!(
        foreign.headers().get("access-control-allow-origin").is_none(),
        "a browser must not let the foreign page read the answer"
    );

    let allowed_call = server
        .client
        .post(server.url("/graphql"))
        .header("origin", "https://app.example.com")
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"query":"{ me { id } }"}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(
        allowed_call.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    let exposed = allowed_call.headers()["access-control-expose-headers"]
        .to_str()
        .expect("text");
    assert!(exposed.contains("x-request-id"), "{exposed}");
}

#[tokio::test]
async fn without_allowed_origins_no_cors_headers_are_sent() {
    let (server, _) = TestServer::recording(HttpOptions::default()).await;
    let response = server
        .client
        .post(server.url("/graphql"))
        .header("origin", "https://app.example.com")
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"query":"{ me { id } }"}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn every_response_carries_the_request_id_the_client_sent_or_a_fresh_one() {
    let (server, _) = TestServer::recording(HttpOptions::default()).await;
    let echoed = server
        .client
        .post(server.url("/graphql"))
        .header(CONTENT_TYPE, "application/json")
        .header("x-request-id", "checkout-42")
        .body(r#"{"query":"{ me { id } }"}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(echoed.headers()["x-request-id"], "checkout-42");

    let refused = server
        .client
        .post(server.url("/graphql"))
        .header(CONTENT_TYPE, "text/plain")
        .body("{}")
        .send()
        .await
        .expect("answers");
    assert_eq!(refused.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let fresh = refused.headers()["x-request-id"].to_str().expect("text").to_owned();
    assert!(uuid::Uuid::parse_str(&fresh).is_ok(), "{fresh}");
}
