//! Serves one subgraph schema over HTTP: `POST /graphql` with a JSON body, a single request or a batch.
//!
//! The data never changes, so an answer depends only on the request body. Each endpoint keeps the encoded
//! answer of every distinct successful body it has seen (up to [`CACHE_CAPACITY`] of them) and replays it byte
//! for byte: under load a subgraph then costs an HTTP exchange and a hash lookup, and the router in front of it
//! is what the CPU is spent on. The cache can be turned off to measure the subgraphs as GraphQL servers.
//!
//! `GET /requests` answers how many GraphQL requests the endpoint has received (an HTTP batch counts once), so a
//! benchmark can tell how many subgraph requests a router made per client request.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::{BatchRequest, Executor};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use parking_lot::RwLock;

/// The path every bench subgraph serves GraphQL on.
pub const GRAPHQL_PATH: &str = "/graphql";

/// `GET` here returns the number of GraphQL requests received so far, as plain text.
pub const REQUESTS_PATH: &str = "/requests";

/// Distinct request bodies one endpoint remembers the answer to; later ones are executed every time.
pub const CACHE_CAPACITY: usize = 1024;

/// Whether an endpoint replays the stored answers to request bodies it has already executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseCache {
    /// Replay stored answers (the default for benchmarks).
    Enabled,
    /// Execute every request.
    Disabled,
}

struct Endpoint<E> {
    executor: E,
    cache: Option<RwLock<HashMap<Bytes, Bytes>>>,
    requests: AtomicU64,
}

/// An axum router serving `executor` at [`GRAPHQL_PATH`], and its request count at [`REQUESTS_PATH`].
pub fn app<E: Executor>(executor: E, cache: ResponseCache) -> Router {
    let endpoint = Arc::new(Endpoint {
        executor,
        cache: (cache == ResponseCache::Enabled).then(|| RwLock::new(HashMap::new())),
        requests: AtomicU64::new(0),
    });
    Router::new()
        .route(GRAPHQL_PATH, post(graphql::<E>))
        .route(REQUESTS_PATH, get(requests::<E>))
        .with_state(endpoint)
}

async fn requests<E: Executor>(State(endpoint): State<Arc<Endpoint<E>>>) -> String {
    endpoint.requests.load(Ordering::Relaxed).to_string()
}

async fn graphql<E: Executor>(State(endpoint): State<Arc<Endpoint<E>>>, body: Bytes) -> Response {
    endpoint.requests.fetch_add(1, Ordering::Relaxed);
    if let Some(cache) = &endpoint.cache
        && let Some(answer) = cache.read().get(&body)
    {
        return json(answer.clone());
    }
    let request = match serde_json::from_slice::<BatchRequest>(&body) {
        Ok(request) => request,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("not a GraphQL request: {e}")).into_response(),
    };
    let response = endpoint.executor.execute_batch(request).await;
    let answer = match serde_json::to_vec(&response) {
        Ok(encoded) => Bytes::from(encoded),
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    if let Some(cache) = &endpoint.cache
        && response.is_ok()
    {
        let mut cache = cache.write();
        if cache.len() < CACHE_CAPACITY {
            cache.insert(body, answer.clone());
        }
    }
    json(answer)
}

fn json(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
