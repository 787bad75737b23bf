//! Wiring: an [`IdentityApp`] built from explicit dependencies, its HTTP and gRPC routes, and [`start`] which
//! serves them with the outbox relay running.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use kernel::auth::{JwksSource, JwtVerifier, TokenIssuer, VerifierConfig};
use kernel::cache::Cache;
use kernel::db::Database;
use kernel::events::EventBus;
use kernel::health::{self, Health};
use kernel::outbox::OutboxRelay;
use kernel::server::{Server, ServerError, ShutdownReport};
use kernel::telemetry::TelemetryGuard;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::config::IdentityConfig;
use crate::domain::PasswordHasher;
use crate::error::StartError;
use crate::graphql::{self, IdentitySchema};
use crate::grpc::IdentityGrpc;
use crate::keys::SigningKeys;
use crate::roles::RoleSource;
use crate::service::{IdentityService, ServiceParts};

/// Where the JWKS is served.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";

/// A callback seeing the text of every SQL statement the service runs (for metrics and tests).
pub type StatementObserver = Arc<dyn Fn(&str) + Send + Sync>;

/// The external systems identity runs on, chosen by the caller.
pub struct IdentityDeps {
    /// The migrated database.
    pub database: Database,
    /// The cache holding sign-in counters.
    pub cache: Arc<dyn Cache>,
    /// The bus the outbox relay publishes to.
    pub events: Arc<dyn EventBus>,
    /// Where roles come from.
    pub roles: Arc<dyn RoleSource>,
    /// The signing keys, in rotation order.
    pub keys: SigningKeys,
}

/// Builds an [`IdentityApp`]; see [`IdentityApp::builder`].
pub struct IdentityAppBuilder {
    config: IdentityConfig,
    deps: IdentityDeps,
    observer: Option<StatementObserver>,
}

impl IdentityAppBuilder {
    /// Calls `observer` with every SQL statement the service runs.
    pub fn on_statement(mut self, observer: StatementObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Assembles the service; fails when the argon2 parameters are invalid.
    pub fn build(self) -> Result<IdentityApp, StartError> {
        let Self { config, deps, observer } = self;
        let issuer = Arc::new(deps.keys.issuer(config.tokens.issuer.clone()));
        let verifier_config = VerifierConfig {
            issuer: config.tokens.issuer.issuer.clone(),
            audience: config.tokens.issuer.audience.clone(),
            ..VerifierConfig::default()
        };
        let verifier = Arc::new(JwtVerifier::new(verifier_config, JwksSource::from_jwks(&issuer.jwks())));
        let hasher = PasswordHasher::new(config.passwords.argon2.params())?;
        let mut conn = deps.database.conn().clone();
        if let Some(observer) = observer {
            conn.set_metric_callback(move |info| observer(&info.statement.sql));
        }
        let service = Arc::new(IdentityService::new(ServiceParts {
            conn,
            cache: deps.cache.clone(),
            roles: deps.roles,
            issuer: issuer.clone(),
            hasher,
            limits: config.sign_in_limits.clone(),
            refresh_ttl_secs: config.tokens.refresh_token_ttl_secs,
        }));
        let schema = graphql::schema(service.clone());
        Ok(IdentityApp {
            config,
            database: deps.database,
            cache: deps.cache,
            events: deps.events,
            service,
            issuer,
            verifier,
            schema,
        })
    }
}

/// The identity service assembled from its dependencies, ready to be served.
pub struct IdentityApp {
    config: IdentityConfig,
    database: Database,
    cache: Arc<dyn Cache>,
    events: Arc<dyn EventBus>,
    service: Arc<IdentityService>,
    issuer: Arc<TokenIssuer>,
    verifier: Arc<JwtVerifier>,
    schema: IdentitySchema,
}

impl IdentityApp {
    /// Starts building the service from `config` and `deps`.
    pub fn builder(config: IdentityConfig, deps: IdentityDeps) -> IdentityAppBuilder {
        IdentityAppBuilder {
            config,
            deps,
            observer: None,
        }
    }

    /// The service's operations, for callers embedding identity.
    pub fn service(&self) -> &Arc<IdentityService> {
        &self.service
    }

    /// The issuer signing access tokens (its JWKS is what `/.well-known/jwks.json` serves).
    pub fn issuer(&self) -> &Arc<TokenIssuer> {
        &self.issuer
    }

    /// The verifier every GraphQL request and gRPC call goes through.
    pub fn verifier(&self) -> &Arc<JwtVerifier> {
        &self.verifier
    }

    /// The executable GraphQL schema.
    pub fn schema(&self) -> &IdentitySchema {
        &self.schema
    }

    /// `POST /graphql` and `GET /.well-known/jwks.json`.
    pub fn http_router(&self) -> Router {
        let jwks = self.issuer.jwks();
        kernel::graphql::routes(self.schema.clone(), self.verifier.clone())
            .route(JWKS_PATH, get(move || async move { Json(jwks) }))
    }

    /// The gRPC services.
    pub fn grpc_routes(&self) -> Routes {
        Routes::new(IdentityGrpc::new(self.service.clone(), self.verifier.clone()).into_server())
    }

    /// Starts the outbox relay, publishing identity's events until `cancel` fires.
    pub fn spawn_relay(&self, cancel: CancellationToken) -> JoinHandle<()> {
        OutboxRelay::new(
            self.database.conn().clone(),
            self.events.clone(),
            self.config.relay.clone(),
        )
        .spawn(cancel)
    }

    /// Binds the listeners from `server` config (port 0 picks free ports), starts the relay, and serves until
    /// a signal or [`RunningIdentity::stop`].
    pub async fn start(self, telemetry: Option<TelemetryGuard>) -> Result<RunningIdentity, StartError> {
        if self.config.server.grpc_addr.is_none() {
            return Err(StartError::GrpcAddrMissing);
        }
        let shutdown = CancellationToken::new();
        let relay = self.spawn_relay(shutdown.child_token());
        let health = self.health();
        let mut builder = Server::builder(self.config.server.clone())
            .http(self.http_router())
            .grpc(self.grpc_routes())
            .health(health)
            .shutdown_token(shutdown.clone());
        if let Some(guard) = telemetry {
            builder = builder.telemetry(guard);
        }
        let server = builder.bind().await?;
        let http_addr = server.http_addr();
        // Checked above: the builder refuses gRPC routes without an address.
        let grpc_addr = server.grpc_addr().ok_or(StartError::GrpcAddrMissing)?;
        tracing::info!(%http_addr, %grpc_addr, kid = self.issuer.active_kid(), "identity listening");
        let server = tokio::spawn(server.serve());
        Ok(RunningIdentity {
            http_addr,
            grpc_addr,
            shutdown,
            server,
            relay,
        })
    }

    fn health(&self) -> Health {
        let database = self.database.clone();
        let cache = self.cache.clone();
        Health::new()
            .with_check(health::from_fn("database", move || {
                let database = database.clone();
                async move { database.ping().await.map_err(|_| "database unreachable".to_owned()) }
            }))
            .with_check(health::from_fn("cache", move || {
                let cache = cache.clone();
                async move { cache.ping().await.map_err(|_| "cache unreachable".to_owned()) }
            }))
    }
}

/// A serving identity service.
pub struct RunningIdentity {
    /// Where GraphQL and the JWKS are served.
    pub http_addr: SocketAddr,
    /// Where gRPC is served.
    pub grpc_addr: SocketAddr,
    shutdown: CancellationToken,
    server: JoinHandle<Result<ShutdownReport, ServerError>>,
    relay: JoinHandle<()>,
}

impl RunningIdentity {
    /// The JWKS URL.
    pub fn jwks_url(&self) -> String {
        format!("http://{}{JWKS_PATH}", self.http_addr)
    }

    /// The GraphQL URL.
    pub fn graphql_url(&self) -> String {
        format!("http://{}{}", self.http_addr, kernel::graphql::GRAPHQL_PATH)
    }

    /// Serves until a signal (or [`RunningIdentity::stop`] from elsewhere), then waits for the relay to stop.
    pub async fn wait(self) -> Result<(), StartError> {
        let outcome = self.server.await;
        self.shutdown.cancel();
        let _ = self.relay.await;
        match outcome {
            Ok(result) => result.map(|_| ()).map_err(StartError::from),
            Err(error) => Err(StartError::Task(error.to_string())),
        }
    }

    /// Shuts down gracefully and waits for the server and relay to stop.
    pub async fn stop(self) -> Result<(), StartError> {
        self.shutdown.cancel();
        self.wait().await
    }
}
