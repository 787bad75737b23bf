//! Starting and stopping a service's HTTP and gRPC listeners.
//!
//! ```text
//! let server = Server::builder(config.server).http(graphql_router).grpc(grpc_routes)
//!     .health(health).metrics(metrics).telemetry(guard).bind().await?;
//! server.serve().await?;   // until SIGINT/SIGTERM
//! ```
//!
//! [`ServerBuilder::bind`] binds both listeners before anything is served, so addresses with port 0 are known
//! to the caller ([`BoundServer::http_addr`]). The HTTP listener serves the service's router plus `/healthz`,
//! `/readyz` and `/metrics`; both listeners record request metrics and open a span per request that continues
//! the caller's trace. Shutdown (a signal, the caller's future, or [`BoundServer::shutdown_token`]) flips
//! readiness to draining, stops accepting, lets in-flight requests finish within `shutdown_grace_ms`, cuts the
//! connections still open after that, and finally flushes telemetry.

mod config;
mod error;
mod listener;
mod signal;

pub use signal::termination;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

pub use config::ServerConfig;
pub use error::ServerError;

use crate::health::Health;
use crate::telemetry::{Metrics, RequestTraceLayer, TelemetryGuard};
use listener::{Listener, drain};

/// Entry point for building a service's server; see the module docs.
#[derive(Debug)]
pub struct Server;

impl Server {
    /// Starts describing a server listening where `config` says.
    pub fn builder(config: ServerConfig) -> ServerBuilder {
        ServerBuilder {
            config,
            http: Router::new(),
            grpc: None,
            health: Health::new(),
            metrics: Metrics::new(),
            telemetry: None,
            shutdown: CancellationToken::new(),
        }
    }
}

/// Collects what a server serves before its listeners are bound.
#[must_use = "a server does nothing until it is bound and served"]
pub struct ServerBuilder {
    config: ServerConfig,
    http: Router,
    grpc: Option<Routes>,
    health: Health,
    metrics: Metrics,
    telemetry: Option<TelemetryGuard>,
    shutdown: CancellationToken,
}

impl ServerBuilder {
    /// The service's HTTP routes; they must not define `/healthz`, `/readyz` or `/metrics` (axum panics on
    /// overlapping routes when they are merged).
    pub fn http(mut self, router: Router) -> Self {
        self.http = router;
        self
    }

    /// The service's gRPC services, served on `grpc_addr`.
    pub fn grpc(mut self, routes: Routes) -> Self {
        self.grpc = Some(routes);
        self
    }

    /// The dependency checks behind `/readyz`; keep a clone to observe draining.
    pub fn health(mut self, health: Health) -> Self {
        self.health = health;
        self
    }

    /// The registry behind `/metrics`, shared with whatever else records into it.
    pub fn metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Telemetry to flush once the listeners have drained.
    pub fn telemetry(mut self, guard: TelemetryGuard) -> Self {
        self.telemetry = Some(guard);
        self
    }

    /// Uses `token` to trigger shutdown, so other parts of the service can stop the server or stop with it.
    pub fn shutdown_token(mut self, token: CancellationToken) -> Self {
        self.shutdown = token;
        self
    }

    /// Binds the listeners; nothing is served until [`BoundServer::serve`] or [`BoundServer::run_until`].
    pub async fn bind(self) -> Result<BoundServer, ServerError> {
        let grpc_router = match (self.grpc, self.config.grpc_addr) {
            (Some(routes), Some(addr)) => Some((addr, routes.into_axum_router())),
            (Some(_), None) => return Err(ServerError::GrpcAddrMissing),
            (None, _) => None,
        };
        let http_router = self
            .http
            .merge(self.health.router())
            .merge(self.metrics.router())
            .layer(DefaultBodyLimit::max(self.config.request_body_limit_bytes));
        let http = bind("http", self.config.http_addr, observed(http_router, &self.metrics)).await?;
        let grpc = match grpc_router {
            Some((addr, router)) => Some(bind("grpc", addr, observed(router, &self.metrics)).await?),
            None => None,
        };
        Ok(BoundServer {
            http,
            grpc,
            health: self.health,
            telemetry: self.telemetry,
            shutdown: self.shutdown,
            grace: Duration::from_millis(self.config.shutdown_grace_ms),
        })
    }
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("config", &self.config)
            .field("grpc", &self.grpc.is_some())
            .field("health", &self.health)
            .finish_non_exhaustive()
    }
}

/// Adds the per-request span and metrics to every route of `router`.
fn observed(router: Router, metrics: &Metrics) -> Router {
    router.layer(RequestTraceLayer).layer(metrics.http_layer())
}

async fn bind(name: &'static str, addr: SocketAddr, router: Router) -> Result<Listener, ServerError> {
    let tcp = TcpListener::bind(addr).await.map_err(|source| ServerError::Bind {
        listener: name,
        addr,
        source,
    })?;
    let addr = tcp
        .local_addr()
        .map_err(|source| ServerError::LocalAddr { listener: name, source })?;
    Ok(Listener {
        name,
        tcp,
        addr,
        router,
    })
}

/// A server whose listeners are bound; connections queue in the backlog until it serves.
#[must_use = "a bound server does nothing until it is served"]
pub struct BoundServer {
    http: Listener,
    grpc: Option<Listener>,
    health: Health,
    telemetry: Option<TelemetryGuard>,
    shutdown: CancellationToken,
    grace: Duration,
}

impl BoundServer {
    /// The address the HTTP listener is bound to (with the real port when 0 was configured).
    pub fn http_addr(&self) -> SocketAddr {
        self.http.addr
    }

    /// The address the gRPC listener is bound to, when the service serves gRPC.
    pub fn grpc_addr(&self) -> Option<SocketAddr> {
        self.grpc.as_ref().map(|listener| listener.addr)
    }

    /// Cancelling this token shuts the server down, like a signal would.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Serves until SIGINT or SIGTERM (or the shutdown token), then shuts down gracefully.
    pub async fn serve(self) -> Result<ShutdownReport, ServerError> {
        let signal = signal::termination()?;
        Ok(self.run_until(signal).await)
    }

    /// Serves until `signal` completes (or the shutdown token is cancelled), then shuts down gracefully.
    ///
    /// Dropping this future instead aborts every connection at once.
    pub async fn run_until(self, signal: impl Future<Output = ()> + Send) -> ShutdownReport {
        let Self {
            http,
            grpc,
            health,
            telemetry,
            shutdown,
            grace,
        } = self;
        // Listeners watch their own token, cancelled only after readiness has flipped, so no load balancer sends
        // a request into the gap between a closed listener and a passing readiness probe.
        let stop_accepting = CancellationToken::new();
        let trigger = async {
            tokio::select! {
                () = signal => {}
                () = shutdown.cancelled() => {}
            }
            tracing::info!(
                grace_ms = u64::try_from(grace.as_millis()).unwrap_or(u64::MAX),
                "shutting down"
            );
            health.set_draining();
            shutdown.cancel();
            stop_accepting.cancel();
        };
        let grpc_accepting = async {
            match grpc {
                Some(listener) => Some(listener.accept_until(stop_accepting.clone()).await),
                None => None,
            }
        };
        let ((), http_open, grpc_open) =
            tokio::join!(trigger, http.accept_until(stop_accepting.clone()), grpc_accepting);

        let deadline = tokio::time::Instant::now() + grace;
        let grpc_drained = async {
            match grpc_open {
                Some(connections) => drain(connections, deadline).await,
                None => 0,
            }
        };
        let (http_cut, grpc_cut) = tokio::join!(drain(http_open, deadline), grpc_drained);
        let aborted_connections = http_cut + grpc_cut;
        if aborted_connections > 0 {
            tracing::warn!(
                aborted_connections,
                "grace period over; cut the connections still serving"
            );
        }
        if let Some(guard) = telemetry {
            flush(guard).await;
        }
        tracing::info!("server stopped");
        ShutdownReport { aborted_connections }
    }
}

impl std::fmt::Debug for BoundServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundServer")
            .field("http_addr", &self.http_addr())
            .field("grpc_addr", &self.grpc_addr())
            .field("grace", &self.grace)
            .finish_non_exhaustive()
    }
}

/// How a shutdown went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Connections still serving when the grace period ended, and therefore cut.
    pub aborted_connections: usize,
}

async fn flush(guard: TelemetryGuard) {
    // The exporter needs the runtime's other threads while flushing, so it must not block a worker.
    match tokio::task::spawn_blocking(move || guard.shutdown()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::error!(%error, "telemetry was not flushed"),
        Err(error) => tracing::error!(%error, "telemetry flush task failed"),
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn local(port: u16) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, port))
    }

    #[tokio::test]
    async fn port_zero_is_resolved_before_serving() {
        let config = ServerConfig {
            http_addr: local(0),
            grpc_addr: Some(local(0)),
            ..ServerConfig::default()
        };
        let server = Server::builder(config).grpc(Routes::default()).bind().await.unwrap();
        assert_ne!(server.http_addr().port(), 0);
        assert_ne!(server.grpc_addr().unwrap().port(), 0);
        assert_ne!(server.http_addr(), server.grpc_addr().unwrap());
    }

    #[tokio::test]
    async fn grpc_services_without_an_address_are_refused() {
        let config = ServerConfig {
            http_addr: local(0),
            ..ServerConfig::default()
        };
        let error = Server::builder(config)
            .grpc(Routes::default())
            .bind()
            .await
            .unwrap_err();
        assert!(matches!(error, ServerError::GrpcAddrMissing), "{error}");
    }

    #[tokio::test]
    async fn address_in_use_names_the_setting() {
        let taken = TcpListener::bind(local(0)).await.unwrap();
        let config = ServerConfig {
            http_addr: taken.local_addr().unwrap(),
            ..ServerConfig::default()
        };
        let error = Server::builder(config).bind().await.unwrap_err();
        assert!(error.to_string().contains("server.http_addr"), "{error}");
    }

    #[tokio::test]
    async fn cancelled_token_stops_a_server_with_nothing_in_flight() {
        let config = ServerConfig {
            http_addr: local(0),
            ..ServerConfig::default()
        };
        let health = Health::new();
        let server = Server::builder(config).health(health.clone()).bind().await.unwrap();
        server.shutdown_token().cancel();
        let report = server.run_until(std::future::pending()).await;
        assert_eq!(report, ShutdownReport { aborted_connections: 0 });
        assert!(health.is_draining());
    }
}
