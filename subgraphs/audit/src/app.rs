//! Wiring: the service built from explicit dependencies, and started as a kernel server.
//!
//! [`AuditApp::new`] takes its database, bus, verifier and access check from the caller (tests hand in SQLite, the
//! in-process bus, a local JWKS and a real authz); [`AuditApp::from_config`] connects them as configured.
//! [`AuditApp::start`] ensures the topics, spawns the consumer, binds the HTTP and gRPC listeners and serves.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use kernel::auth::{AuthError, JwksSource, JwtVerifier};
use kernel::db::{Database, DbError};
use kernel::events::{EventBus, EventsError};
use kernel::grpc::GrpcError;
use kernel::health::{self, Health};
use kernel::server::{Server, ServerError, ShutdownReport};
use kernel::telemetry::{Metrics, TelemetryGuard};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::access::{AccessCheck, AuthzAccessCheck};
use crate::config::AuditConfig;
use crate::events::{AuditConsumer, ConsumerMetrics};
use crate::graphql::{self, Services};
use crate::grpc::AuditGrpc;
use crate::store::AuditStore;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Database(#[from] DbError),
    /// The event bus could not be built or refused to set up the topics.
    #[error(transparent)]
    Events(#[from] EventsError),
    /// The token verifier could not be built.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The channel to authz could not be built.
    #[error(transparent)]
    Grpc(#[from] GrpcError),
    /// A listener could not be bound.
    #[error(transparent)]
    Server(#[from] ServerError),
}

/// The adapters the service runs on, chosen by whoever builds it.
#[derive(Clone)]
pub struct AuditDeps {
    /// Audit's database, already migrated with [`migrations::audit::Migrator`].
    pub db: Database,
    /// Where events are consumed from (and dead letters published to).
    pub bus: Arc<dyn EventBus>,
    /// Verifies callers' tokens (GraphQL and gRPC).
    pub verifier: Arc<JwtVerifier>,
    /// Decides who may read the log.
    pub access: Arc<dyn AccessCheck>,
}

/// The audit service, built but not yet serving.
pub struct AuditApp {
    config: AuditConfig,
    deps: AuditDeps,
    metrics: Metrics,
    store: AuditStore,
    consumer_metrics: ConsumerMetrics,
    telemetry: Option<TelemetryGuard>,
    cancel: CancellationToken,
}

impl AuditApp {
    /// The service over `deps`, configured by `config` (its `database`, `events`, `verifier` and `authz` sections
    /// are not read: `deps` replaces them).
    pub fn new(config: AuditConfig, deps: AuditDeps) -> Self {
        let metrics = Metrics::new();
        let consumer_metrics = ConsumerMetrics::register(&metrics);
        let store = AuditStore::new(deps.db.conn().clone());
        Self {
            config,
            deps,
            metrics,
            store,
            consumer_metrics,
            telemetry: None,
            cancel: CancellationToken::new(),
        }
    }

    /// Connects everything `config` describes, migrates the database, and builds the service; the JWKS is fetched
    /// from identity lazily and refreshed on its schedule while the service runs.
    pub async fn from_config(config: AuditConfig) -> Result<Self, AppError> {
        let db = kernel::db::connect(&config.database).await?;
        kernel::db::migrate::<migrations::audit::Migrator>(&db).await?;
        let bus = kernel::events::connect(&config.events).await?;
        let keys = JwksSource::remote(&config.verifier)?;
        let verifier = Arc::new(JwtVerifier::new(config.verifier.clone(), keys.clone()));
        let access = Arc::new(AuthzAccessCheck::new(&config.authz.address, &config.authz.grpc)?);
        let refresh = Duration::from_secs(config.verifier.jwks_refresh_secs.max(1));
        let app = Self::new(
            config,
            AuditDeps {
                db,
                bus,
                verifier,
                access,
            },
        );
        keys.spawn_refresh(refresh, app.cancel.child_token());
        Ok(app)
    }

    /// Flushes `guard` once the server has drained.
    pub fn with_telemetry(mut self, guard: TelemetryGuard) -> Self {
        self.telemetry = Some(guard);
        self
    }

    /// The store, for reads.
    pub fn store(&self) -> &AuditStore {
        &self.store
    }

    /// The GraphQL subgraph's routes (`POST /graphql`).
    pub fn http_router(&self) -> Router {
        let schema = graphql::schema(Services {
            store: self.store.clone(),
            access: self.deps.access.clone(),
        });
        kernel::graphql::routes(schema, self.deps.verifier.clone())
    }

    /// The gRPC routes (`audit.v1.AuditService`).
    pub fn grpc_routes(&self) -> Routes {
        let service = AuditGrpc::new(self.deps.verifier.clone(), self.store.clone());
        Routes::new(service.into_server())
    }

    /// The event consumer this service runs, for callers that drive it themselves.
    pub fn consumer(&self) -> AuditConsumer {
        AuditConsumer::new(self.deps.bus.clone(), self.store.clone(), self.config.consumer.clone())
            .with_metrics(self.consumer_metrics.clone())
    }

    fn health(&self) -> Health {
        let db = self.deps.db.clone();
        let bus = self.deps.bus.clone();
        Health::new()
            .with_check(health::from_fn("database", move || {
                let db = db.clone();
                async move { db.ping().await.map_err(|_| "the database does not answer".to_owned()) }
            }))
            .with_check(health::from_fn("events", move || {
                let bus = bus.clone();
                async move { bus.ping().await.map_err(|_| "the event bus does not answer".to_owned()) }
            }))
    }

    /// Ensures the consumed and dead-letter topics, starts the consumer, binds the listeners and serves until
    /// [`RunningAudit::stop`].
    pub async fn start(self) -> Result<RunningAudit, AppError> {
        let consumer = &self.config.consumer;
        let mut topics: Vec<&str> = consumer.topics.iter().map(String::as_str).collect();
        topics.push(&consumer.dead_letter_topic);
        self.deps.bus.ensure_topics(&topics).await?;
        let consumer = self.consumer().spawn(self.cancel.child_token());
        let shutdown = CancellationToken::new();
        let mut builder = Server::builder(self.config.server.clone())
            .http(self.http_router())
            .grpc(self.grpc_routes())
            .health(self.health())
            .metrics(self.metrics.clone())
            .shutdown_token(shutdown.clone());
        if let Some(guard) = self.telemetry {
            builder = builder.telemetry(guard);
        }
        let bound = match builder.bind().await {
            Ok(bound) => bound,
            Err(error) => {
                self.cancel.cancel();
                return Err(error.into());
            }
        };
        let http_addr = bound.http_addr();
        let grpc_addr = bound.grpc_addr();
        let server = tokio::spawn(bound.run_until(std::future::pending()));
        Ok(RunningAudit {
            http_addr,
            grpc_addr,
            shutdown,
            cancel: self.cancel,
            server,
            consumer,
            consumer_metrics: self.consumer_metrics,
            store: self.store,
        })
    }
}

/// A serving audit: its addresses, and how to stop it.
pub struct RunningAudit {
    http_addr: SocketAddr,
    grpc_addr: Option<SocketAddr>,
    shutdown: CancellationToken,
    cancel: CancellationToken,
    server: JoinHandle<ShutdownReport>,
    consumer: JoinHandle<()>,
    consumer_metrics: ConsumerMetrics,
    store: AuditStore,
}

impl RunningAudit {
    /// Where GraphQL, health and metrics are served.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// Where the gRPC service is served.
    pub fn grpc_addr(&self) -> Option<SocketAddr> {
        self.grpc_addr
    }

    /// The store the service writes to.
    pub fn store(&self) -> &AuditStore {
        &self.store
    }

    /// What the consumer has done so far.
    pub fn consumer_metrics(&self) -> &ConsumerMetrics {
        &self.consumer_metrics
    }

    /// Serves until `signal` completes, then stops gracefully.
    pub async fn wait(self, signal: impl Future<Output = ()>) {
        tokio::select! {
            () = signal => {}
            () = self.shutdown.cancelled() => {}
        }
        self.stop().await;
    }

    /// Stops serving (letting requests in flight finish), then stops the consumer, which commits what it stored.
    pub async fn stop(self) {
        self.shutdown.cancel();
        if let Err(error) = self.server.await {
            tracing::error!(%error, "the audit server task failed");
        }
        self.cancel.cancel();
        if let Err(error) = self.consumer.await {
            tracing::error!(%error, "the audit consumer task failed");
        }
    }

    /// Stops at once, as a crash would: the consumer is aborted wherever it is, committing nothing more.
    pub async fn kill(self) {
        self.consumer.abort();
        // Awaiting the aborted task makes sure its subscription is dropped before this returns.
        let _ = self.consumer.await;
        self.shutdown.cancel();
        self.cancel.cancel();
        if let Err(error) = self.server.await {
            tracing::error!(%error, "the audit server task failed");
        }
    }
}

impl std::fmt::Debug for RunningAudit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningAudit")
            .field("http_addr", &self.http_addr)
            .field("grpc_addr", &self.grpc_addr)
            .finish_non_exhaustive()
    }
}
