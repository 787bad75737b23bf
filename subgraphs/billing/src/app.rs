//! Wiring: the service built from explicit dependencies, and started as a kernel server.
//!
//! [`BillingApp::new`] takes its database, bus, verifier and access guard from the caller (tests hand in SQLite,
//! the in-process bus, a local JWKS and a guard over a real authz); [`BillingApp::from_config`] connects them as
//! configured. [`BillingApp::start`] ensures `billing.events`, spawns the outbox relay and the renewal, binds the
//! HTTP and gRPC listeners and serves.

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

use crate::config::BillingConfig;
use crate::events::TOPIC;
use crate::graphql::{self, Services};
use crate::grpc::BillingGrpc;
use crate::service::{Billing, spawn_renewal};

/// The name billing reports denials under.
pub const SERVICE: &str = "billing";

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Database(#[from] DbError),
    /// The event bus could not be built or refused to set up `billing.events`.
    #[error(transparent)]
    Events(#[from] EventsError),
    /// The token verifier could not be built.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The clients of authz or audit could not be built.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// A listener could not be bound.
    #[error(transparent)]
    Server(#[from] ServerError),
}

/// The adapters the service runs on, chosen by whoever builds it.
#[derive(Clone)]
pub struct BillingDeps {
    /// Billing's database, already migrated with [`migrations::billing::Migrator`].
    pub db: Database,
    /// Where the outbox relay publishes.
    pub bus: Arc<dyn EventBus>,
    /// Verifies callers' tokens (GraphQL and gRPC).
    pub verifier: Arc<JwtVerifier>,
    /// Asks authz before writes and reads of someone's data, and records denials.
    pub access: AccessGuard,
}

/// The billing service, built but not yet serving.
pub struct BillingApp {
    config: BillingConfig,
    deps: BillingDeps,
    metrics: Metrics,
    billing: Billing,
    telemetry: Option<TelemetryGuard>,
    cancel: CancellationToken,
}

impl BillingApp {
    /// The service over `deps`, configured by `config` (its `database`, `events`, `verifier`, `authz` and
    /// `audit` sections are not read: `deps` replaces them).
    pub fn new(config: BillingConfig, deps: BillingDeps) -> Self {
        let billing = Billing::new(deps.db.conn().clone(), config.renewal.terms());
        Self {
            config,
            deps,
            metrics: Metrics::new(),
            billing,
            telemetry: None,
            cancel: CancellationToken::new(),
        }
    }

    /// Connects everything `config` describes, migrates the database, and builds the service. Denials are
    /// recorded by audit's `Record`, or, when audit cannot be reached, as events in billing's own outbox.
    pub async fn from_config(config: BillingConfig) -> Result<Self, AppError> {
        let db = kernel::db::connect(&config.database).await?;
        kernel::db::migrate::<migrations::billing::Migrator>(&db).await?;
        let bus = kernel::events::connect(&config.events).await?;
        let keys = JwksSource::remote(&config.verifier)?;
        let verifier = Arc::new(JwtVerifier::new(config.verifier.clone(), keys.clone()));
        let access = AccessGuard::for_service(SERVICE, &config.authz, &config.audit, db.conn().clone(), TOPIC)?;
        let refresh = Duration::from_secs(config.verifier.jwks_refresh_secs.max(1));
        let app = Self::new(
            config,
            BillingDeps {
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

    /// Billing's operations, e.g. to run a renewal pass at a chosen time.
    pub fn billing(&self) -> &Billing {
        &self.billing
    }

    /// The GraphQL subgraph's routes (`POST /graphql`).
    pub fn http_router(&self) -> Router {
        let schema = graphql::schema(Services {
            billing: self.billing.clone(),
            access: self.deps.access.clone(),
        });
        kernel::graphql::routes(schema, self.deps.verifier.clone())
    }

    /// The gRPC routes (`billing.v1.BillingService`).
    pub fn grpc_routes(&self) -> Routes {
        let service = BillingGrpc::new(
            self.deps.verifier.clone(),
            self.billing.clone(),
            self.deps.access.clone(),
        );
        Routes::new(service.into_server())
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

    /// Ensures `billing.events`, starts the relay and the renewal, binds the listeners and serves until
    /// [`RunningBilling::stop`].
    pub async fn start(self) -> Result<RunningBilling, AppError> {
        self.deps.bus.ensure_topics(&[TOPIC]).await?;
        let relay = OutboxRelay::new(
            self.deps.db.conn().clone(),
            self.deps.bus.clone(),
            self.config.relay.clone(),
        )
        .with_metrics(&self.metrics)
        .spawn(self.cancel.child_token());
        let renewal = spawn_renewal(
            self.billing.clone(),
            self.config.renewal.interval(),
            self.cancel.child_token(),
        );
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
        Ok(RunningBilling {
            http_addr,
            grpc_addr,
            shutdown,
            cancel: self.cancel,
            server,
            tasks: vec![relay, renewal],
            billing: self.billing,
        })
    }
}

/// A serving billing: its addresses, and how to stop it.
pub struct RunningBilling {
    http_addr: SocketAddr,
    grpc_addr: Option<SocketAddr>,
    shutdown: CancellationToken,
    cancel: CancellationToken,
    server: JoinHandle<ShutdownReport>,
    tasks: Vec<JoinHandle<()>>,
    billing: Billing,
}

impl RunningBilling {
    /// Where GraphQL, health and metrics are served.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// Where the gRPC service is served.
    pub fn grpc_addr(&self) -> Option<SocketAddr> {
        self.grpc_addr
    }

    /// Billing's operations, e.g. to run a renewal pass at a chosen time.
    pub fn billing(&self) -> &Billing {
        &self.billing
    }

    /// Serves until `signal` completes, then stops gracefully.
    pub async fn wait(self, signal: impl Future<Output = ()>) {
        tokio::select! {
            () = signal => {}
            () = self.shutdown.cancelled() => {}
        }
        self.stop().await;
    }

    /// Stops serving (letting requests in flight finish), then stops the relay and the renewal.
    pub async fn stop(self) {
        self.shutdown.cancel();
        if let Err(error) = self.server.await {
            tracing::error!(%error, "the billing server task failed");
        }
        self.cancel.cancel();
        for task in self.tasks {
            if let Err(error) = task.await {
                tracing::error!(%error, "a billing background task failed");
            }
        }
    }
}

impl std::fmt::Debug for RunningBilling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningBilling")
            .field("http_addr", &self.http_addr)
            .field("grpc_addr", &self.grpc_addr)
            .finish_non_exhaustive()
    }
}
