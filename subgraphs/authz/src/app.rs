//! Wiring: the service built from explicit dependencies, and started as a kernel server.
//!
//! [`AuthzApp::new`] takes its database, cache, bus and verifier from the caller (tests hand in SQLite, in-process
//! adapters and a local JWKS); [`AuthzApp::from_config`] connects them as configured. [`AuthzApp::start`] spawns
//! the outbox relay, this replica's invalidation consumer and the consumer of identity's user events, binds the
//! HTTP and gRPC listeners and serves.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use kernel::auth::{AuthError, JwksSource, JwtVerifier};
use kernel::cache::{Cache, CacheError};
use kernel::db::{Database, DbError};
use kernel::events::{EventBus, EventsError};
use kernel::health::{self, Health};
use kernel::outbox::OutboxRelay;
use kernel::server::{Server, ServerError, ShutdownReport};
use kernel::telemetry::{Metrics, TelemetryGuard};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::config::AuthzConfig;
use crate::decisions::DecisionService;
use crate::events::{TOPIC, spawn_invalidation};
use crate::graphql::{self, Services};
use crate::grpc::AuthzGrpc;
use crate::management::RoleManager;
use crate::store::{AuthzStore, StoreMetrics};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Database(#[from] DbError),
    /// The cache could not be reached.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// The event bus refused to set up `authz.events`.
    #[error(transparent)]
    Events(#[from] EventsError),
    /// The token verifier could not be built.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A listener could not be bound.
    #[error(transparent)]
    Server(#[from] ServerError),
}

/// The adapters the service runs on, chosen by whoever builds it.
#[derive(Clone)]
pub struct AuthzDeps {
    /// Authz's database, already migrated with [`migrations::authz::Migrator`].
    pub db: Database,
    /// Where decisions are cached.
    pub cache: Arc<dyn Cache>,
    /// Where events are relayed to and consumed from.
    pub bus: Arc<dyn EventBus>,
    /// Verifies callers' tokens (GraphQL and gRPC).
    pub verifier: Arc<JwtVerifier>,
}

/// The authz service, built but not yet serving.
pub struct AuthzApp {
    config: AuthzConfig,
    deps: AuthzDeps,
    metrics: Metrics,
    store: AuthzStore,
    decisions: DecisionService,
    manager: RoleManager,
    telemetry: Option<TelemetryGuard>,
    cancel: CancellationToken,
}

impl AuthzApp {
    /// The service over `deps`, configured by `config` (its own `database`, `cache`, `events` and `verifier`
    /// sections are not read: `deps` replaces them).
    pub fn new(config: AuthzConfig, deps: AuthzDeps) -> Self {
        let metrics = Metrics::new();
        let store = AuthzStore::new(deps.db.conn().clone(), StoreMetrics::register(&metrics));
        let decisions = DecisionService::new(store.clone(), deps.cache.clone(), config.decision_ttl());
        let manager = RoleManager::new(store.clone(), decisions.clone());
        Self {
            config,
            deps,
            metrics,
            store,
            decisions,
            manager,
            telemetry: None,
            cancel: CancellationToken::new(),
        }
    }

    /// Connects everything `config` describes, migrates the database, and builds the service; the JWKS is fetched
    /// from identity lazily and refreshed on its schedule while the service runs.
    pub async fn from_config(config: AuthzConfig) -> Result<Self, AppError> {
        let db = kernel::db::connect(&config.database).await?;
        kernel::db::migrate::<migrations::authz::Migrator>(&db).await?;
        let cache = kernel::cache::connect(&config.cache).await?;
        let bus = kernel::events::connect(&config.events).await?;
        let keys = JwksSource::remote(&config.verifier)?;
        let verifier = Arc::new(JwtVerifier::new(config.verifier.clone(), keys.clone()));
        let refresh = Duration::from_secs(config.verifier.jwks_refresh_secs.max(1));
        let app = Self::new(
            config,
            AuthzDeps {
                db,
                cache,
                bus,
                verifier,
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
    pub fn store(&self) -> &AuthzStore {
        &self.store
    }

    /// The cached decision service.
    pub fn decisions(&self) -> &DecisionService {
        &self.decisions
    }

    /// The role manager, e.g. to bind the first administrator.
    pub fn manager(&self) -> &RoleManager {
        &self.manager
    }

    /// The GraphQL subgraph's routes (`POST /graphql`).
    pub fn http_router(&self) -> Router {
        let schema = graphql::schema(Services {
            store: self.store.clone(),
            decisions: self.decisions.clone(),
            manager: self.manager.clone(),
        });
        kernel::graphql::routes(schema, self.deps.verifier.clone())
    }

    /// The gRPC routes (`authz.v1.AuthzService`).
    pub fn grpc_routes(&self) -> Routes {
        let service = AuthzGrpc::new(self.deps.verifier.clone(), self.decisions.clone(), self.store.clone());
        Routes::new(service.into_server())
    }

    fn health(&self) -> Health {
        let db = self.deps.db.clone();
        let cache = self.deps.cache.clone();
        let bus = self.deps.bus.clone();
        Health::new()
            .with_check(health::from_fn("database", move || {
                let db = db.clone();
                async move { db.ping().await.map_err(|_| "the database does not answer".to_owned()) }
            }))
            .with_check(health::from_fn("cache", move || {
                let cache = cache.clone();
                async move { cache.ping().await.map_err(|_| "the cache does not answer".to_owned()) }
            }))
            .with_check(health::from_fn("events", move || {
                let bus = bus.clone();
                async move { bus.ping().await.map_err(|_| "the event bus does not answer".to_owned()) }
            }))
    }

    /// Starts the relay and this replica's invalidation consumer, binds the listeners and serves until
    /// [`RunningAuthz::stop`].
    pub async fn start(self) -> Result<RunningAuthz, AppError> {
        self.deps
            .bus
            .ensure_topics(&[TOPIC, self.config.onboarding.topic.as_str()])
            .await?;
        let relay = OutboxRelay::new(
            self.deps.db.conn().clone(),
            self.deps.bus.clone(),
            self.config.relay.clone(),
        )
        .with_metrics(&self.metrics)
        .spawn(self.cancel.child_token());
        // A group of its own per replica, so every replica sees every change and retires its own cache entries.
        let group = format!("authz-invalidation-{}", uuid::Uuid::now_v7().simple());
        let consumer = spawn_invalidation(
            self.deps.bus.clone(),
            self.decisions.clone(),
            group,
            self.cancel.child_token(),
        );
        // Always running, even with no default roles: disabled users must be followed whatever onboarding binds.
        let users = crate::onboarding::spawn(
            self.deps.bus.clone(),
            self.manager.clone(),
            self.config.onboarding.clone(),
            self.cancel.child_token(),
        );
        let tasks = vec![relay, consumer, users];
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
        Ok(RunningAuthz {
            http_addr,
            grpc_addr,
            shutdown,
            cancel: self.cancel,
            server,
            tasks,
            manager: self.manager,
            decisions: self.decisions,
            metrics: self.metrics,
        })
    }
}

/// A serving authz: its addresses, and how to stop it.
pub struct RunningAuthz {
    http_addr: SocketAddr,
    grpc_addr: Option<SocketAddr>,
    shutdown: CancellationToken,
    cancel: CancellationToken,
    server: JoinHandle<ShutdownReport>,
    tasks: Vec<JoinHandle<()>>,
    manager: RoleManager,
    decisions: DecisionService,
    metrics: Metrics,
}

impl RunningAuthz {
    /// Where GraphQL, health and metrics are served.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// Where the gRPC service is served (always set: authz refuses to start without it).
    pub fn grpc_addr(&self) -> Option<SocketAddr> {
        self.grpc_addr
    }

    /// The role manager, e.g. to bind the first administrator.
    pub fn manager(&self) -> &RoleManager {
        &self.manager
    }

    /// The cached decision service.
    pub fn decisions(&self) -> &DecisionService {
        &self.decisions
    }

    /// The service's metrics registry, as served on `/metrics`.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Serves until `signal` completes, then stops gracefully.
    pub async fn wait(self, signal: impl Future<Output = ()>) {
        tokio::select! {
            () = signal => {}
            () = self.shutdown.cancelled() => {}
        }
        self.stop().await;
    }

    /// Stops serving (letting requests in flight finish), then stops the relay and the consumer.
    pub async fn stop(self) {
        self.shutdown.cancel();
        if let Err(error) = self.server.await {
            tracing::error!(%error, "the authz server task failed");
        }
        self.cancel.cancel();
        for task in self.tasks {
            if let Err(error) = task.await {
                tracing::error!(%error, "an authz background task failed");
            }
        }
    }
}

impl std::fmt::Debug for RunningAuthz {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningAuthz")
            .field("http_addr", &self.http_addr)
            .field("grpc_addr", &self.grpc_addr)
            .finish_non_exhaustive()
    }
}
