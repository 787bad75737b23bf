//! One subgraph replaced by a server that answers badly: the client gets the healthy subgraphs' data, the broken
//! part nulled, and an error saying what went wrong, with none of the bad server's text passed on.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use router::config::SubgraphOverride;
use serde_json::Value;
use tokio::net::TcpListener;

use crate::harness::{Router, snapshot};

/// `me` comes from accounts and `product` from products; reviews only completes `product` by entity fetch, so
/// when reviews misbehaves the non-null `reviews` list nulls `product` and `me` is untouched.
const QUERY: &str = r#"{ me { name } product(upc: "1") { upc name averageRating reviews { body } } }"#;

/// A text no client may ever see: it stands for whatever internal detail a broken subgraph blurts out.
const INTERNAL: &str = "thread 'main' panicked at src/resolvers.rs:42:7 stack backtrace: 0x7f3e secret-db-host";

/// Serves every request with `status` and `body` (as JSON), after `delay`.
async fn serve_fixed(status: StatusCode, body: &'static str, delay: Duration) -> SocketAddr {
    let app = axum::Router::new().fallback(move || async move {
        tokio::time::sleep(delay).await;
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    });
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("a bound address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Accepts connections and drops each one at once, without reading or answering.
async fn serve_closing() -> SocketAddr {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("a bound address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            drop(stream);
        }
    });
    addr
}

/// A router whose reviews subgraph is the server at `addr`, with a 300 ms timeout for it.
async fn router_with_reviews_at(addr: SocketAddr) -> Router {
    Router::start_with(|config| {
        config.subgraphs.overrides.insert(
            "reviews".to_owned(),
            SubgraphOverride {
                url: Some(format!("http://{addr}/graphql")),
                timeout_ms: Some(300),
                ..SubgraphOverride::default()
            },
        );
    })
    .await
}

/// Queries through a router whose reviews subgraph is at `addr` and checks what every such answer must hold:
/// `me` intact, `product` nulled, at least one error, and nothing of the bad server's text or address.
async fn query_with_broken_reviews(addr: SocketAddr) -> (Value, String) {
    let router = router_with_reviews_at(addr).await;
    let (data, body) = router.query(QUERY).await;
    assert_eq!(data["data"]["me"]["name"], "Ada Lovelace", "{body}");
    assert_eq!(data["data"]["product"], Value::Null, "{body}");
    assert!(data["errors"].as_array().is_some_and(|e| !e.is_empty()), "{body}");
    for leak in [
        "panicked",
        "backtrace",
        "secret",
        "resolvers.rs",
        "127.0.0.1",
        &addr.port().to_string(),
    ] {
        assert!(!body.contains(leak), "`{leak}` reached the client: {body}");
    }
    (data, body)
}

/// Like [`query_with_broken_reviews`], also checking that every error is `code` and names the reviews subgraph.
async fn fetch_failure(addr: SocketAddr, code: &str) -> String {
    let (data, body) = query_with_broken_reviews(addr).await;
    for error in data["errors"].as_array().into_iter().flatten() {
        assert_eq!(error["extensions"]["code"], code, "{body}");
        assert_eq!(error["extensions"]["serviceName"], "reviews", "{body}");
    }
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_json_body_fails_the_fetch() {
    let addr = serve_fixed(
        StatusCode::OK,
        r#"{"data": {"_entities": [ thread 'main' panicked at secret-db-host"#,
        Duration::ZERO,
    )
    .await;
    let body = fetch_failure(addr, "SUBGRAPH_REQUEST_FAILED").await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scalar_where_an_object_belongs_fails_the_fetch() {
    let addr = serve_fixed(StatusCode::OK, r#"{"data": {"_entities": [42]}}"#, Duration::ZERO).await;
    let body = fetch_failure(addr, "SUBGRAPH_REQUEST_FAILED").await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fewer_entities_than_representations_fails_the_fetch() {
    let addr = serve_fixed(StatusCode::OK, r#"{"data": {"_entities": []}}"#, Duration::ZERO).await;
    let body = fetch_failure(addr, "SUBGRAPH_REQUEST_FAILED").await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_entities_than_representations_fails_the_fetch() {
    let extra = r#"{"data": {"_entities": [
        {"__typename": "Product", "averageRating": 1.0, "reviews": []},
        {"__typename": "Product", "averageRating": 5.0, "reviews": [{"body": "someone else's"}]}
    ]}}"#;
    let addr = serve_fixed(StatusCode::OK, extra, Duration::ZERO).await;
    let body = fetch_failure(addr, "SUBGRAPH_REQUEST_FAILED").await;
    assert!(!body.contains("someone else's"), "{body}");
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn null_for_a_non_null_field_nulls_the_nearest_nullable_parent() {
    let addr = serve_fixed(
        StatusCode::OK,
        r#"{"data": {"_entities": [{"__typename": "Product", "averageRating": 4.5, "reviews": null}]}}"#,
        Duration::ZERO,
    )
    .await;
    // The fetch itself succeeded, so the error is a completion error at the field's path.
    let (data, body) = query_with_broken_reviews(addr).await;
    let error = &data["errors"][0];
    assert_eq!(error["extensions"]["code"], "SUBGRAPH_REQUEST_FAILED", "{body}");
    assert_eq!(error["path"], serde_json::json!(["product", "reviews"]), "{body}");
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_500_fails_the_fetch_without_passing_on_its_body() {
    let addr = serve_fixed(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, Duration::ZERO).await;
    let body = fetch_failure(addr, "SUBGRAPH_REQUEST_FAILED").await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subgraph_slower_than_its_timeout_times_out() {
    let addr = serve_fixed(
        StatusCode::OK,
        r#"{"data": {"_entities": [{"__typename": "Product", "averageRating": 4.5, "reviews": []}]}}"#,
        Duration::from_secs(5),
    )
    .await;
    let started = tokio::time::Instant::now();
    let body = fetch_failure(addr, "SUBGRAPH_TIMEOUT").await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "waited for the slow subgraph: {body}"
    );
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_closed_without_an_answer_fails_the_fetch() {
    let addr = serve_closing().await;
    let body = fetch_failure(addr, "SUBGRAPH_REQUEST_FAILED").await;
    snapshot!(body);
}
