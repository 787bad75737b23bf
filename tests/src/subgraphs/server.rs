//! Serves one subgraph schema over HTTP on an ephemeral loopback port and records every request body it receives.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use async_graphql::{ObjectType, Schema, SubscriptionType};
use async_graphql_axum::GraphQL;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post_service;
use parking_lot::Mutex;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::SubgraphName;

/// The path every test subgraph serves GraphQL on.
pub const GRAPHQL_PATH: &str = "/graphql";

/// Request bodies larger than this are refused; the largest entity batches in the suites are far smaller.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Everything one running subgraph has received, in arrival order.
#[derive(Default)]
struct Recorder {
    bodies: Mutex<Vec<Value>>,
}

/// A running test subgraph: where it listens, what it has received, and how to stop it.
///
/// Dropping the handle stops the server too, so a failing test never leaves one behind.
pub struct SubgraphHandle {
    name: SubgraphName,
    url: String,
    addr: SocketAddr,
    recorder: Arc<Recorder>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SubgraphHandle {
    /// Which subgraph this is.
    pub fn name(&self) -> SubgraphName {
        self.name
    }

    /// The GraphQL endpoint, e.g. `http://127.0.0.1:40123/graphql`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request body received so far, parsed as JSON (a batch is one JSON array; a body that is not JSON is
    /// kept as a JSON string so that it still shows up).
    pub fn requests(&self) -> Vec<Value> {
        self.recorder.bodies.lock().clone()
    }

    /// How many HTTP requests the subgraph has received.
    pub fn request_count(&self) -> usize {
        self.recorder.bodies.lock().len()
    }

    /// How many entity representations the subgraph has been sent in total: the lengths of every
    /// `variables.representations` list, the variable `_entities` fetches carry them in.
    pub fn entity_representation_count(&self) -> usize {
        self.recorder.bodies.lock().iter().map(representations_in_body).sum()
    }

    /// Forgets everything received so far, so one test can count the requests of a single operation.
    pub fn clear_requests(&self) {
        self.recorder.bodies.lock().clear();
    }

    /// Stops accepting connections, lets in-flight requests finish and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SubgraphHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl std::fmt::Debug for SubgraphHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubgraphHandle")
            .field("name", &self.name)
            .field("url", &self.url)
            .finish()
    }
}

/// Binds `127.0.0.1:0`, serves `schema` at [`GRAPHQL_PATH`] (POST, GraphQL over HTTP as async-graphql-axum
/// implements it) and returns once the socket accepts connections.
pub(super) async fn serve<Q, M, S>(name: SubgraphName, schema: Schema<Q, M, S>) -> SubgraphHandle
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let recorder = Arc::new(Recorder::default());
    let app = Router::new()
        .route(GRAPHQL_PATH, post_service(GraphQL::new(schema)))
        .layer(middleware::from_fn_with_state(recorder.clone(), record_body));

    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .unwrap_or_else(|e| panic!("bind a loopback port for the {name} subgraph: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("read the {name} subgraph's address: {e}"));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        // The server only ends on shutdown or when the listener fails; the test sees the latter as refused requests.
        let _ = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    });

    SubgraphHandle {
        name,
        url: format!("http://{addr}{GRAPHQL_PATH}"),
        addr,
        recorder,
        stop: Some(stop),
        task: Some(task),
    }
}

/// Buffers the body, keeps a parsed copy, and hands an identical request on to the GraphQL service.
async fn record_body(State(recorder): State<Arc<Recorder>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => return (StatusCode::PAYLOAD_TOO_LARGE, e.to_string()).into_response(),
    };
    let parsed = serde_json::from_slice::<Value>(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    recorder.bodies.lock().push(parsed);
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Representations in one body, which is a single GraphQL request or a batch of them.
fn representations_in_body(body: &Value) -> usize {
    match body {
        Value::Array(batch) => batch.iter().map(representations_in_request).sum(),
        request => representations_in_request(request),
    }
}

fn representations_in_request(request: &Value) -> usize {
    request
        .pointer("/variables/representations")
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::representations_in_body;

    #[test]
    fn representations_are_counted_across_a_batch() {
        let single = json!({"query": "q", "variables": {"representations": [{"__typename": "User", "id": "1"}]}});
        let batch = json!([single.clone(), {"query": "q"}, single]);
        assert_eq!(representations_in_body(&batch), 2);
    }

    #[test]
    fn a_request_without_representations_counts_zero() {
        assert_eq!(
            representations_in_body(&json!({"query": "{ me { id } }", "variables": null})),
            0
        );
    }
}
