//! An in-test HTTP server that answers the few Consul agent and health endpoints the Consul adapter calls.
//!
//! This checks the adapter at the HTTP API level — paths, bodies, headers, blocking-query index semantics — and is
//! not a real Consul agent: it runs no health checks (every registered instance counts as passing) and keeps one
//! global index instead of Consul's per-query raft indexes (allowed: blocking queries may wake up spuriously).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde_json::{Value, json};
use tokio::sync::{Mutex, watch};

/// A running double; it lives as long as the test's runtime.
pub struct ConsulHttpApiDouble {
    /// Base URL to configure the adapter with.
    pub address: String,
    state: Arc<DoubleState>,
}

struct DoubleState {
    token: Option<String>,
    /// Registration bodies by service id, as the adapter sent them.
    services: Mutex<BTreeMap<String, Value>>,
    index: watch::Sender<u64>,
    blocking_queries: AtomicUsize,
}

impl ConsulHttpApiDouble {
    /// Starts the double on a free loopback port; with `token`, every request must carry it in `X-Consul-Token`.
    pub async fn start(token: Option<&str>) -> Self {
        let state = Arc::new(DoubleState {
            token: token.map(str::to_owned),
            services: Mutex::new(BTreeMap::new()),
            index: watch::Sender::new(1),
            blocking_queries: AtomicUsize::new(0),
        });
        let app = axum::Router::new()
            .route("/v1/status/leader", get(leader))
            .route("/v1/agent/service/register", put(register))
            .route("/v1/agent/service/deregister/{id}", put(deregister))
            .route("/v1/health/service/{name}", get(health))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the double");
        let address = format!("http://{}", listener.local_addr().expect("read the double's address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { address, state }
    }

    /// The registration body the adapter sent for `id`.
    pub async fn registration(&self, id: &str) -> Option<Value> {
        self.state.services.lock().await.get(id).cloned()
    }

    /// How many health queries carried an `index`, i.e. were blocking queries.
    pub fn blocking_queries(&self) -> usize {
        self.state.blocking_queries.load(Ordering::SeqCst)
    }
}

impl DoubleState {
    /// The refusal Consul sends when the configured token is missing or wrong.
    fn denied(&self, headers: &HeaderMap) -> Option<Response> {
        let expected = self.token.as_deref()?;
        let sent = headers.get("X-Consul-Token").and_then(|v| v.to_str().ok());
        (sent != Some(expected)).then(|| (StatusCode::FORBIDDEN, "Permission denied: token not found").into_response())
    }

    fn bump(&self) {
        self.index.send_modify(|index| *index += 1);
    }
}

async fn leader(State(state): State<Arc<DoubleState>>, headers: HeaderMap) -> Response {
    if let Some(denied) = state.denied(&headers) {
        return denied;
    }
    Json("127.0.0.1:8300").into_response()
}

async fn register(State(state): State<Arc<DoubleState>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(denied) = state.denied(&headers) {
        return denied;
    }
    let (Some(id), Some(_name)) = (body["ID"].as_str(), body["Name"].as_str()) else {
        return (StatusCode::BAD_REQUEST, "Missing service ID or Name").into_response();
    };
    state.services.lock().await.insert(id.to_owned(), body.clone());
    state.bump();
    StatusCode::OK.into_response()
}

async fn deregister(State(state): State<Arc<DoubleState>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(denied) = state.denied(&headers) {
        return denied;
    }
    if state.services.lock().await.remove(&id).is_none() {
        return (StatusCode::NOT_FOUND, format!("Unknown service ID {id:?}")).into_response();
    }
    state.bump();
    StatusCode::OK.into_response()
}

async fn health(
    State(state): State<Arc<DoubleState>>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(denied) = state.denied(&headers) {
        return denied;
    }
    if let Some(index) = query.get("index").and_then(|i| i.parse::<u64>().ok()) {
        state.blocking_queries.fetch_add(1, Ordering::SeqCst);
        let wait = query
            .get("wait")
            .and_then(|w| parse_wait(w))
            .unwrap_or(Duration::from_secs(300));
        let mut changes = state.index.subscribe();
        // As Consul does: hold the answer until the index moves past the client's, or the wait runs out.
        let _ = tokio::time::timeout(wait, changes.wait_for(|current| *current > index)).await;
    }
    let index = *state.index.borrow();
    let entries: Vec<Value> = state
        .services
        .lock()
        .await
        .values()
        .filter(|body| body["Name"].as_str() == Some(name.as_str()))
        .map(|body| {
            json!({
                "Node": {"Node": "double", "Address": "127.0.0.1"},
                "Service": {
                    "ID": body["ID"], "Service": body["Name"], "Address": body["Address"],
                    "Port": body["Port"], "Meta": body["Meta"],
                },
                "Checks": [{"Status": "passing"}],
            })
        })
        .collect();
    ([("X-Consul-Index", index.to_string())], Json(entries)).into_response()
}

/// Consul's `wait` takes a number with an `s` or `m` suffix.
fn parse_wait(wait: &str) -> Option<Duration> {
    if let Some(secs) = wait.strip_suffix('s') {
        return secs.parse().ok().map(Duration::from_secs);
    }
    wait.strip_suffix('m')?
        .parse::<u64>()
        .ok()
        .map(|m| Duration::from_secs(m * 60))
}
