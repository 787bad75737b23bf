//! Wiring: the service built from explicit dependencies, and started as a kernel server.
//!
//! [`BlogApp::new`] takes its database, bus, verifier and access guard from the caller (tests hand in SQLite, the
//! in-process bus, a local JWKS and a guard over a real authz); [`BlogApp::from_config`] connects them as
//! configured. [`BlogApp::start`] ensures the topic, spawns the outbox relay, binds the HTTP and gRPC listeners
//! and serves.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use kernel::access::{AccessError, AccessGuard};
use kernel::auth::{AuthError, JwksSource, JwtVerifier};
use kernel::db::{Database, DbError};
use kernel::events::{EventBus, EventsError};
use kernel::health::{self, Health};
use kernel::outbox::OutboxRelay;
use kernel::server::{Server, ServerError, ShutdownReport};
use kernel::telemetry::{Metrics, TelemetryGuard};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::changes::Changes;
use crate::config::BlogConfig;
use crate::events::{SOURCE, TOPIC};
use crate::graphql::{self, Services};
use crate::grpc::BlogGrpc;
use crate::store::BlogStore;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Database(#[from] DbError),
    /// The event bus could not be built or refused to set up `blog.events`.
    #[error(transparent)]
    Events(#[from] EventsError),
    /// The token verifier could not be built.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The channels to authz or audit could not be built.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// A listener could not be bound.
    #[error(transparent)]
    Server(#[from] ServerError),
}

/// The adapters the service runs on, chosen by whoever builds it.
#[derive(Clone)]
pub struct BlogDeps {
    /// Blog's database, already migrated with [`migrations::blog::Migrator`].
    pub db: Database,
    /// Where the outbox is relayed to.
    pub bus: Arc<dyn EventBus>,
    /// Verifies callers' tokens (GraphQL and gRPC).
    pub verifier: Arc<JwtVerifier>,
    /// Asks authz before writes and records denials.
    pub guard: AccessGuard,
}

/// The guard [`BlogApp::from_config`] builds: authz decides; audit records denials, and the outbox of `db` does
/// when audit cannot be reached.
pub fn access_guard(config: &BlogConfig, db: &Database) -> Result<AccessGuard, AccessError> {
    AccessGuard::for_service(SOURCE, &config.authz, &config.audit, db.conn().clone(), TOPIC)
}

/// The blog service, built but not yet serving.
pub struct BlogApp {
    config: BlogConfig,
    deps: BlogDeps,
    metrics: Metrics,
    store: BlogStore,
    telemetry: Option<TelemetryGuard>,
    cancel: CancellationToken,
}

impl BlogApp {
    /// The service over `deps`, configured by `config` (its `database`, `events`, `verifier`, `authz` and `audit`
    /// sections are not read: `deps` replaces them).
    pub fn new(config: BlogConfig, deps: BlogDeps) -> Self {
        let store = BlogStore::new(deps.db.conn().clone());
        Self {
            config,
            deps,
            metrics: Metrics::new(),
            store,
            telemetry: None,
            cancel: CancellationToken::new(),
        }
    }

    /// Connects everything `config` describes, migrates the database, and builds the service; the JWKS is fetched
    /// from identity lazily and refreshed on its schedule while the service runs.
    pub async fn from_config(config: BlogConfig) -> Result<Self, AppError> {
        let db = kernel::db::connect(&config.database).await?;
        kernel::db::migrate::<migrations::blog::Migrator>(&db).await?;
        let bus = kernel::events::connect(&config.events).await?;
        let keys = JwksSource::remote(&config.verifier)?;
        let verifier = Arc::new(JwtVerifier::new(config.verifier.clone(), keys.clone()));
        let guard = access_guard(&config, &db)?;
        let refresh = Duration::from_secs(config.verifier.jwks_refresh_secs.max(1));
        let app = Self::new(
            config,
            BlogDeps {
                db,
                bus,
                verifier,
                guard,
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
    pub fn store(&self) -> &BlogStore {
        &self.store
    }

    /// What resolvers work with, e.g. to build the schema without HTTP.
    pub fn services(&self) -> Services {
        Services {
            store: self.store.clone(),
            changes: Changes::new(self.store.clone()),
            guard: self.deps.guard.clone(),
        }
    }

    /// The GraphQL subgraph's routes (`POST /graphql`).
    pub fn http_router(&self) -> Router {
        kernel::graphql::routes(graphql::schema(self.services()), self.deps.verifier.clone())
    }

    /// The gRPC routes (`blog.v1.BlogService`).
    pub fn grpc_routes(&self) -> Routes {
        Routes::new(
            BlogGrpc::new(self.deps.verifier.clone(), self.store.clone(), self.deps.guard.clone()).into_server(),
        )
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

    /// Ensures `blog.events`, starts the outbox relay, binds the listeners and serves until [`RunningBlog::stop`].
    pub async fn start(self) -> Result<RunningBlog, AppError> {
        self.deps.bus.ensure_topics(&[TOPIC]).await?;
        let relay = OutboxRelay::new(
            self.deps.db.conn().clone(),
            self.deps.bus.clone(),
            self.config.relay.clone(),
        )
        .with_metrics(&self.metrics)
        .spawn(self.cancel.child_token());
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
        Ok(RunningBlog {
            http_addr,
            grpc_addr,
            shutdown,
            cancel: self.cancel,
            server,
            relay,
            store: self.store,
        })
    }
}

/// A serving blog: its addresses, and how to stop it.
pub struct RunningBlog {
    http_addr: SocketAddr,
    grpc_addr: Option<SocketAddr>,
    shutdown: CancellationToken,
    cancel: CancellationToken,
    server: JoinHandle<ShutdownReport>,
    relay: JoinHandle<()>,
    store: BlogStore,
}

impl RunningBlog {
    /// Where GraphQL, health and metrics are served.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// Where the gRPC service is served.
    pub fn grpc_addr(&self) -> Option<SocketAddr> {
        self.grpc_addr
    }

    /// The store the service reads and writes.
    pub fn store(&self) -> &BlogStore {
        &self.store
    }

    /// Serves until `signal` completes, then stops gracefully.
    pub async fn wait(self, signal: impl Future<Output = ()>) {
        tokio::select! {
            () = signal => {}
            () = self.shutdown.cancelled() => {}
        }
        self.stop().await;
    }

    /// Stops serving (letting requests in flight finish), then stops the relay.
    pub async fn stop(self) {
        self.shutdown.cancel();
        if let Err(error) = self.server.await {
            tracing::error!(%error, "the blog server task failed");
        }
        self.cancel.cancel();
        if let Err(error) = self.relay.await {
            tracing::error!(%error, "the blog outbox relay failed");
        }
    }
}

impl std::fmt::Debug for RunningBlog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningBlog")
            .field("http_addr", &self.http_addr)
            .field("grpc_addr", &self.grpc_addr)
            .finish_non_exhaustive()
    }
}
