//! Real HTTP subgraph stand-ins on 127.0.0.1:0 that answer with canned replies and record what they received.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http::{HeaderMap, StatusCode, Version};
use parking_lot::Mutex;
use serde_json::Value;
use tokio::net::TcpListener;

/// What a stand-in answers.
pub(crate) enum Canned {
    /// `200` with this JSON.
    Json(Value),
    /// This status and body text.
    Raw(u16, &'static str),
    /// This JSON after a delay.
    Slow(Duration, Value),
}

/// One request a stand-in received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) body: Value,
    pub(crate) headers: HeaderMap,
    pub(crate) version: Version,
}

/// A running stand-in.
pub(crate) struct StandIn {
    pub(crate) url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl StandIn {
    /// Every request so far.
    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().clone()
    }

    /// The representation lists of every request so far.
    pub(crate) fn representations(&self) -> Vec<Value> {
        self.received()
            .into_iter()
            .map(|r| r.body["variables"]["representations"].clone())
            .collect()
    }
}

/// Starts a stand-in whose reply is computed from the request body.
pub(crate) async fn stand_in(reply: impl Fn(&Value) -> Canned + Send + Sync + 'static) -> StandIn {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("a bound address");
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&received);
    let reply = Arc::new(reply);
    let app = axum::Router::new().route(
        "/graphql",
        axum::routing::post(move |request: Request| {
            let log = Arc::clone(&log);
            let reply = Arc::clone(&reply);
            async move {
                let version = request.version();
                let headers = request.headers().clone();
                let bytes = axum::body::to_bytes(request.into_body(), usize::MAX)
                    .await
                    .expect("the body arrives");
                let body: Value = serde_json::from_slice(&bytes).expect("the router sends JSON");
                let canned = reply(&body);
                log.lock().push(Received { body, headers, version });
                respond(canned).await
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    StandIn {
        url: format!("http://{address}/graphql"),
        received,
    }
}

async fn respond(canned: Canned) -> Response {
    let (status, body) = match canned {
        Canned::Json(value) => (200, value.to_string()),
        Canned::Raw(status, text) => (status, text.to_owned()),
        Canned::Slow(delay, value) => {
            tokio::time::sleep(delay).await;
            (200, value.to_string())
        }
    };
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("a valid response")
}

/// A listener that accepts connections and closes them without answering.
pub(crate) async fn hang_up() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("a bound address");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    format!("http://{address}/graphql")
}

/// A URL nothing listens on.
pub(crate) async fn refused() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("a bound address");
    drop(listener);
    format!("http://{address}/graphql")
}
