//! A running authz for one test: a fresh database (an SQLite file, or a PostgreSQL schema of its own), a cache
//! (in-process, or a Redis namespace of its own), an in-process bus, and a token issuer whose JWKS authz trusts.

use std::sync::Arc;
use std::time::Duration;

use authz::store::BindingRecord;
use authz::{AuthzApp, AuthzConfig, AuthzDeps, RunningAuthz};
use kernel::auth::{IssuerConfig, JwksSource, JwtVerifier, SigningKey, TokenIssuer, VerifierConfig};
use kernel::cache::{Cache, CacheBackend, CacheConfig, InProcessCache};
use kernel::db::{Database, DatabaseConfig};
use kernel::events::{EventBus, InProcessEventBus};
use proto::authz::v1::authz_service_client::AuthzServiceClient;
use proto::authz::v1::{CheckRequest, CheckResponse, Decision, Resource, Subject};
use secrecy::SecretString;
use serde_json::{Value, json};
use tonic::transport::Channel;

/// The subject the harness makes an administrator.
pub const ADMIN: &str = "admin-1";
/// The actor recorded for changes the harness makes directly.
pub const SYSTEM: &str = "test-setup";

/// Where the database lives.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A started authz with everything a test needs to talk to it.
pub struct Harness {
    pub authz: RunningAuthz,
    pub issuer: TokenIssuer,
    pub bus: InProcessEventBus,
    pub db: Database,
    verifier: Arc<JwtVerifier>,
    http: reqwest::Client,
    schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

fn config() -> AuthzConfig {
    let mut config = AuthzConfig::default();
    config.server.http_addr = "127.0.0.1:0".parse().unwrap();
    config.server.grpc_addr = Some("127.0.0.1:0".parse().unwrap());
    config.server.shutdown_grace_ms = 200;
    // Long enough that only invalidation, never expiry, can explain a changed decision within a test.
    config.decision_ttl_secs = 3_600;
    config.relay.poll_interval_ms = 20;
    config
}

/// A fresh in-process cache.
pub fn in_process_cache() -> Arc<dyn Cache> {
    Arc::new(InProcessCache::new(std::num::NonZeroUsize::new(10_000).unwrap()))
}

/// A Redis cache in a namespace no other test uses.
pub async fn redis_cache() -> Arc<dyn Cache> {
    let config = CacheConfig {
        backend: CacheBackend::Redis,
        url: SecretString::from(platform_tests::redis_url()),
        key_prefix: platform_tests::unique_name("authz_test"),
        ..CacheConfig::default()
    };
    kernel::cache::connect(&config).await.unwrap()
}

impl Harness {
    /// SQLite, in-process cache and bus.
    pub async fn start() -> Self {
        Self::start_with(Db::Sqlite, in_process_cache()).await
    }

    /// The given database kind and cache; the bus is in-process.
    pub async fn start_with(db_kind: Db, cache: Arc<dyn Cache>) -> Self {
        let (db, schema, dir) = match db_kind {
            Db::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("authz.db").display());
                let db = kernel::db::connect(&DatabaseConfig {
                    url: SecretString::from(url),
                    ..DatabaseConfig::default()
                })
                .await
                .unwrap();
                (db, None, Some(dir))
            }
            Db::Postgres => {
                let schema = platform_tests::unique_name("authz");
                let db = kernel::db::connect(&DatabaseConfig {
                    url: SecretString::from(platform_tests::postgres_url()),
                    schema: Some(schema.clone()),
                    ..DatabaseConfig::default()
                })
                .await
                .unwrap();
                (db, Some(schema), None)
            }
        };
        kernel::db::migrate::<migrations::authz::Migrator>(&db).await.unwrap();
        let issuer = TokenIssuer::new(
            IssuerConfig::default(),
            SigningKey::generate_ed25519("test-key").unwrap(),
        );
        let verifier = Arc::new(JwtVerifier::new(
            VerifierConfig::default(),
            JwksSource::from_jwks(&issuer.jwks()),
        ));
        let bus = InProcessEventBus::new();
        let authz = start_app(&db, cache.clone(), &bus, verifier.clone()).await;
        authz.manager().bind_role(SYSTEM, ADMIN, "admin", None).await.unwrap();
        Self {
            authz,
            issuer,
            bus,
            db,
            verifier,
            http: reqwest::Client::new(),
            schema,
            _dir: dir,
        }
    }

    /// A second replica over the same database, bus and token issuer, with `cache` as its cache.
    pub async fn replica(&self, cache: Arc<dyn Cache>) -> RunningAuthz {
        start_app(&self.db, cache, &self.bus, self.verifier.clone()).await
    }

    /// Stops the service and drops a PostgreSQL schema made for the test.
    pub async fn finish(self) {
        self.authz.stop().await;
        if let Some(schema) = self.schema {
            use sea_orm::ConnectionTrait;
            self.db
                .conn()
                .execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .await
                .unwrap();
        }
    }

    /// The store over the test's database, to see what changed (or did not).
    pub fn store(&self) -> authz::store::AuthzStore {
        authz::store::AuthzStore::new(self.db.conn().clone(), authz::store::StoreMetrics::default())
    }

    /// The single number `sql` (a `SELECT COUNT(*) AS n …`) reads from the test's database.
    pub async fn count(&self, sql: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let statement = Statement::from_string(self.db.conn().get_database_backend(), sql.to_owned());
        let row = self.db.conn().query_one_raw(statement).await.unwrap().unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    /// How many bindings `subject` holds.
    pub async fn authz_bindings(&self, subject: &str) -> usize {
        self.store().bindings(subject).await.unwrap().len()
    }

    /// A valid access token for `subject`.
    pub fn token(&self, subject: &str) -> String {
        self.issuer.issue(subject, Vec::new(), "").unwrap().token
    }

    /// Binds `subject` to `role` directly (as test setup), globally or on `resource`.
    pub async fn bind(&self, subject: &str, role: &str, resource: Option<&str>) -> BindingRecord {
        self.authz
            .manager()
            .bind_role(SYSTEM, subject, role, resource)
            .await
            .unwrap()
    }

    /// POSTs a GraphQL request to `http`'s replica, with `token` as the bearer when given.
    pub async fn graphql_at(&self, authz: &RunningAuthz, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(format!("http://{}/graphql", authz.http_addr()))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    /// POSTs a GraphQL request to the primary replica.
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.graphql_at(&self.authz, token, query, variables).await
    }

    /// A gRPC client of `authz`'s Check API.
    pub async fn grpc_at(authz: &RunningAuthz) -> AuthzServiceClient<Channel> {
        AuthzServiceClient::connect(format!("http://{}", authz.grpc_addr().unwrap()))
            .await
            .unwrap()
    }

    /// A valid token of a calling service (role `service`), which may ask about any subject.
    pub fn service_token(&self) -> String {
        self.issuer
            .issue("service:caller", vec!["service".to_owned()], "")
            .unwrap()
            .token
    }

    /// A gRPC request carrying a calling service's valid token.
    pub fn authed<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        let value = format!("Bearer {}", self.service_token());
        request.metadata_mut().insert("authorization", value.parse().unwrap());
        request
    }

    /// Checks through gRPC on `authz`.
    pub async fn check_at(&self, authz: &RunningAuthz, check: CheckRequest) -> CheckResponse {
        let mut client = Self::grpc_at(authz).await;
        client.check(self.authed(check)).await.unwrap().into_inner()
    }

    /// Checks through gRPC on the primary replica.
    pub async fn check(&self, check: CheckRequest) -> CheckResponse {
        self.check_at(&self.authz, check).await
    }

    /// The value of a counter on `/metrics`.
    pub async fn counter(&self, name: &str) -> u64 {
        platform_tests::metric_counter(self.authz.http_addr(), name).await
    }
}

async fn start_app(
    db: &Database,
    cache: Arc<dyn Cache>,
    bus: &InProcessEventBus,
    verifier: Arc<JwtVerifier>,
) -> RunningAuthz {
    let bus: Arc<dyn EventBus> = Arc::new(bus.clone());
    let deps = AuthzDeps {
        db: db.clone(),
        cache,
        bus,
        verifier,
    };
    AuthzApp::new(config(), deps).start().await.unwrap()
}

/// A check of `action` on a resource of `kind` (`id` and `owner` empty when not given) by user `subject`.
pub fn check(subject: &str, kind: &str, action: &str, id: &str, owner: &str) -> CheckRequest {
    CheckRequest {
        subject: Some(Subject {
            id: subject.to_owned(),
            kind: "user".to_owned(),
        }),
        action: action.to_owned(),
        resource: Some(Resource {
            kind: kind.to_owned(),
            id: id.to_owned(),
            owner_id: owner.to_owned(),
        }),
    }
}

/// Whether `response` allows.
pub fn allowed(response: &CheckResponse) -> bool {
    response.decision == i32::from(Decision::Allow)
}

/// Waits until `condition` holds, polling, or panics after five seconds naming `what`.
pub async fn eventually<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !condition().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The `extensions.code` of the first error of a GraphQL response.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}
