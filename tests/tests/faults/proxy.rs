//! A switchable HTTP proxy in front of a real subgraph: it passes requests through, delays them, answers garbage,
//! or is killed outright (its port closed and every open connection dropped) and brought back on the same port.
//!
//! Two layers: a TCP front on the public port, which is what a kill closes, relaying bytes to an HTTP layer that
//! forwards, delays or replaces each request according to the mode.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the proxy does with the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forwards it to the subgraph.
    Pass,
    /// Forwards it after this delay.
    Slow(Duration),
    /// Answers `200` with a body that is not JSON, or JSON of the wrong shape, by turns.
    Garbage,
    /// Nothing listens on the port and every open connection is dropped.
    Killed,
}

/// The proxy; the subgraph's traffic goes to [`FaultProxy::url`].
pub struct FaultProxy {
    addr: SocketAddr,
    http: SocketAddr,
    mode: watch::Sender<Mode>,
    front: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a passing proxy in front of the GraphQL endpoint at `upstream`.
    pub async fn start(upstream: String) -> Self {
        let (mode, _) = watch::channel(Mode::Pass);
        let state = Forwarder {
            upstream,
            client: reqwest::Client::new(),
            mode: mode.subscribe(),
            garbage: Arc::new(AtomicUsize::new(0)),
        };
        let app = axum::Router::new().fallback(handle).with_state(state);
        let listener = bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await;
        let http = listener.local_addr().expect("a bound address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        let front = bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await;
        let addr = front.local_addr().expect("a bound address");
        let front = tokio::spawn(relay(front, http, mode.subscribe()));
        Self {
            addr,
            http,
            mode,
            front: Some(front),
        }
    }

    /// The URL the router should send the subgraph's requests to.
    pub fn url(&self) -> String {
        format!("http://{}/graphql", self.addr)
    }

    /// Switches to `mode`; a kill has closed the port when this returns, and leaving it reopens the same port.
    pub async fn set(&mut self, mode: Mode) {
        self.mode.send_replace(mode);
        match (mode, self.front.take()) {
            (Mode::Killed, Some(front)) => front.await.expect("the front task"),
            (Mode::Killed, None) => {}
            (_, Some(front)) => self.front = Some(front),
            (_, None) => {
                let listener = bind(self.addr).await;
                self.front = Some(tokio::spawn(relay(listener, self.http, self.mode.subscribe())));
            }
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.mode.send_replace(Mode::Killed);
    }
}

/// Binds `addr`, retrying briefly: a port just closed may take a moment to be free again.
async fn bind(addr: SocketAddr) -> TcpListener {
    let mut attempts = 0;
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => return listener,
            Err(_) if attempts < 100 => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error) => panic!("bind {addr}: {error}"),
        }
    }
}

/// Accepts connections on `listener` and relays each to `http`, until the mode turns to [`Mode::Killed`].
async fn relay(listener: TcpListener, http: SocketAddr, mode: watch::Receiver<Mode>) {
    let mut watch = mode.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((client, _)) = accepted {
                    tokio::spawn(pipe(client, http, mode.clone()));
                }
            }
            _ = watch.wait_for(|mode| *mode == Mode::Killed) => return,
        }
    }
}

/// Copies bytes both ways between `client` and a fresh connection to `http`, dropping both on a kill.
async fn pipe(mut client: TcpStream, http: SocketAddr, mut mode: watch::Receiver<Mode>) {
    let Ok(mut server) = TcpStream::connect(http).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = mode.wait_for(|mode| *mode == Mode::Killed) => {}
    }
}

#[derive(Clone)]
struct Forwarder {
    upstream: String,
    client: reqwest::Client,
    mode: watch::Receiver<Mode>,
    garbage: Arc<AtomicUsize>,
}

async fn handle(State(forwarder): State<Forwarder>, body: Bytes) -> Response {
    let mode = *forwarder.mode.borrow();
    match mode {
        Mode::Garbage => {
            let body = if forwarder.garbage.fetch_add(1, Ordering::SeqCst) % 2 == 0 {
                r#"{"data": {"_entities": [ thread 'main' panicked at src/lib.rs"#
            } else {
                r#"{"data": {"_entities": [42, "not an entity"]}}"#
            };
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Mode::Slow(delay) => {
            tokio::time::sleep(delay).await;
            forward(&forwarder, body).await
        }
        Mode::Pass | Mode::Killed => forward(&forwarder, body).await,
    }
}

async fn forward(forwarder: &Forwarder, body: Bytes) -> Response {
    let sent = forwarder
        .client
        .post(&forwarder.upstream)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    let Ok(response) = sent else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or_else(|| header::HeaderValue::from_static("application/json"));
    match response.bytes().await {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}
