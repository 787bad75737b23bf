//! One listener's accept loop, its connections, and draining them within the grace period.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use http::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// Pause after a failed `accept` (e.g. out of file descriptors), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// A bound listener with the router that serves its connections.
pub(super) struct Listener {
    pub(super) name: &'static str,
    pub(super) tcp: TcpListener,
    pub(super) addr: SocketAddr,
    pub(super) router: Router,
}

impl Listener {
    /// Accepts connections until `stop` fires, then closes the socket (new connections are refused) and returns
    /// the connections still open; each has been asked to finish its in-flight requests and close.
    pub(super) async fn accept_until(self, stop: CancellationToken) -> JoinSet<()> {
        let Self {
            name,
            tcp,
            addr,
            router,
        } = self;
        tracing::info!(listener = name, %addr, "listening");
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                biased;
                () = stop.cancelled() => break,
                Some(finished) = connections.join_next(), if !connections.is_empty() => {
                    if let Err(error) = finished {
                        tracing::error!(listener = name, %error, "connection task failed");
                    }
                }
                accepted = tcp.accept() => match accepted {
                    Ok((stream, peer)) => {
                        connections.spawn(serve_connection(stream, peer, router.clone(), stop.clone()));
                    }
                    Err(error) => {
                        tracing::warn!(listener = name, %error, "accepting a connection failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                },
            }
        }
        drop(tcp);
        tracing::info!(
            listener = name,
            open_connections = connections.len(),
            "stopped accepting"
        );
        connections
    }
}

/// Serves one connection (HTTP/1.1, or HTTP/2 with prior knowledge as gRPC uses) until it closes, or until
/// `stop` fires: then in-flight requests finish, idle keep-alive connections close, HTTP/2 peers get GOAWAY.
async fn serve_connection(stream: TcpStream, peer: SocketAddr, router: Router, stop: CancellationToken) {
    // Small gRPC and JSON messages should not wait for Nagle's algorithm.
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "cannot disable Nagle's algorithm");
    }
    let service = router.map_request(move |mut request: Request<_>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service));
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        // Clients hanging up mid-request are routine; nothing here is actionable for the service.
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
}

/// Waits for `connections` to close until `deadline`, then aborts the rest; returns how many were aborted.
pub(super) async fn drain(mut connections: JoinSet<()>, deadline: Instant) -> usize {
    let all_closed = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout_at(deadline, all_closed).await.is_ok() {
        return 0;
    }
    let cut = connections.len();
    connections.shutdown().await;
    cut
}
