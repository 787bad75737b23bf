//! A running audit for one test, next to a real authz that decides who may read the log: a fresh database (an
//! SQLite file, or a PostgreSQL schema of its own), an event bus (in-process and shared with authz, or a Kafka
//! bus), and a token issuer whose JWKS both services trust.

use std::sync::Arc;
use std::time::Duration;

use audit::access::{AccessCheck, AuthzAccessCheck};
use audit::config::ConsumerConfig;
use audit::domain::{NewRecord, Outcome, RecordId};
use audit::store::AuditStore;
use audit::{AuditApp, AuditConfig, AuditDeps, RunningAudit};
use authz::{AuthzApp, AuthzConfig, AuthzDeps, RunningAuthz};
use chrono::{DateTime, Utc};
use kernel::auth::{IssuerConfig, JwksSource, JwtVerifier, SigningKey, TokenIssuer, VerifierConfig};
use kernel::cache::InProcessCache;
use kernel::db::{Database, DatabaseConfig};
use kernel::events::{EventBus, InProcessEventBus, KafkaConfig};
use kernel::grpc::GrpcClientConfig;
use proto::audit::v1::RecordRequest;
use proto::audit::v1::audit_service_client::AuditServiceClient;
use secrecy::SecretString;
use serde_json::{Value, json};
use tonic::transport::Channel;

/// The subject bound to authz's `admin` role.
pub const ADMIN: &str = "admin-1";
/// A subject bound to `member` only.
pub const MEMBER: &str = "member-1";

/// Where the database lives.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// What a test runs audit on.
pub struct Options {
    pub db: Db,
    /// The bus audit consumes; `None` for an in-process bus of its own (see `authz_events`).
    pub bus: Option<Arc<dyn EventBus>>,
    /// Whether authz publishes to audit's in-process bus, so its changes are recorded (and counted).
    pub authz_events: bool,
    pub consumer: ConsumerConfig,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            db: Db::Sqlite,
            bus: None,
            authz_events: false,
            consumer: ConsumerConfig {
                commit_idle_ms: 20,
                retry_backoff_ms: 100,
                ..ConsumerConfig::default()
            },
        }
    }
}

/// A started audit and authz with everything a test needs to talk to them.
pub struct Harness {
    audit: Option<RunningAudit>,
    pub authz: RunningAuthz,
    pub issuer: TokenIssuer,
    /// The bus audit consumes.
    pub bus: Arc<dyn EventBus>,
    pub db: Database,
    pub store: AuditStore,
    config: AuditConfig,
    verifier: Arc<JwtVerifier>,
    access: Arc<dyn AccessCheck>,
    http: reqwest::Client,
    schema: Option<String>,
    _dirs: Vec<tempfile::TempDir>,
}

async fn sqlite(dir: &tempfile::TempDir, name: &str) -> Database {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
    kernel::db::connect(&DatabaseConfig {
        url: SecretString::from(url),
        ..DatabaseConfig::default()
    })
    .await
    .unwrap()
}

/// A connection to a PostgreSQL schema of its own.
pub async fn postgres(schema: &str) -> Database {
    kernel::db::connect(&DatabaseConfig {
        url: SecretString::from(platform_tests::postgres_url()),
        schema: Some(schema.to_owned()),
        ..DatabaseConfig::default()
    })
    .await
    .unwrap()
}

/// A Kafka bus on `brokers`, failing a publish after `message_timeout_ms`.
pub fn kafka_bus(brokers: &str, message_timeout_ms: u64) -> Arc<dyn EventBus> {
    let config = KafkaConfig {
        brokers: brokers.to_owned(),
        client_id: "audit-tests".to_owned(),
        message_timeout_ms,
        request_timeout_ms: 5_000,
        ..KafkaConfig::default()
    };
    Arc::new(kernel::events::KafkaEventBus::new(&config).unwrap())
}

/// A consumer config for a real broker: a group and topics no other test uses.
pub fn unique_consumer(commit_every: u32) -> ConsumerConfig {
    ConsumerConfig {
        group: platform_tests::unique_name("audit"),
        topics: vec![platform_tests::unique_name("events")],
        dead_letter_topic: platform_tests::unique_name("dead-letter"),
        commit_every,
        commit_idle_ms: 100,
        retry_backoff_ms: 500,
        renew_after_idle_ms: 5_000,
        ..ConsumerConfig::default()
    }
}

impl Harness {
    /// SQLite, and an in-process bus of audit's own.
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    /// As `options` say.
    pub async fn start_with(options: Options) -> Self {
        let mut dirs = Vec::new();
        let dir = tempfile::tempdir().unwrap();
        let (db, schema) = match options.db {
            Db::Sqlite => (sqlite(&dir, "audit.db").await, None),
            Db::Postgres => {
                let schema = platform_tests::unique_name("audit");
                (postgres(&schema).await, Some(schema))
            }
        };
        kernel::db::migrate::<migrations::audit::Migrator>(&db).await.unwrap();

        let issuer = TokenIssuer::new(
            IssuerConfig::default(),
            SigningKey::generate_ed25519("test-key").unwrap(),
        );
        let verifier = Arc::new(JwtVerifier::new(
            VerifierConfig::default(),
            JwksSource::from_jwks(&issuer.jwks()),
        ));
        let in_process = InProcessEventBus::new();
        let bus = options.bus.unwrap_or_else(|| Arc::new(in_process.clone()));
        let authz_bus: Arc<dyn EventBus> = if options.authz_events {
            Arc::new(in_process)
        } else {
            Arc::new(InProcessEventBus::new())
        };
        let authz = start_authz(&dir, authz_bus, verifier.clone()).await;
        dirs.push(dir);
        authz
            .manager()
            .bind_role("test-setup", ADMIN, "admin", None)
            .await
            .unwrap();
        authz
            .manager()
            .bind_role("test-setup", MEMBER, "member", None)
            .await
            .unwrap();
        let address = authz.grpc_addr().unwrap().to_string();
        let access: Arc<dyn AccessCheck> =
            Arc::new(AuthzAccessCheck::new(&address, &GrpcClientConfig::default()).unwrap());

        let mut config = AuditConfig::default();
        config.server.http_addr = "127.0.0.1:0".parse().unwrap();
        config.server.grpc_addr = Some("127.0.0.1:0".parse().unwrap());
        config.server.shutdown_grace_ms = 200;
        config.consumer = options.consumer;
        let mut harness = Self {
            audit: None,
            authz,
            issuer,
            bus,
            store: AuditStore::new(db.conn().clone()),
            db,
            config,
            verifier,
            access,
            http: reqwest::Client::new(),
            schema,
            _dirs: dirs,
        };
        harness.audit = Some(harness.start_audit().await);
        harness
    }

    /// Another audit replica over the same database, bus and consumer group.
    pub async fn start_audit(&self) -> RunningAudit {
        let deps = AuditDeps {
            db: self.db.clone(),
            bus: self.bus.clone(),
            verifier: self.verifier.clone(),
            access: self.access.clone(),
        };
        AuditApp::new(self.config.clone(), deps).start().await.unwrap()
    }

    /// The running audit.
    pub fn audit(&self) -> &RunningAudit {
        self.audit.as_ref().expect("audit is running")
    }

    /// Takes the running audit out, e.g. to kill it.
    pub fn take_audit(&mut self) -> RunningAudit {
        self.audit.take().expect("audit is running")
    }

    /// Puts a (new) running audit in place.
    pub fn set_audit(&mut self, audit: RunningAudit) {
        self.audit = Some(audit);
    }

    /// Stops both services and drops a PostgreSQL schema made for the test.
    pub async fn finish(mut self) {
        if let Some(audit) = self.audit.take() {
            audit.stop().await;
        }
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

    /// A valid access token for `subject`.
    pub fn token(&self, subject: &str) -> String {
        self.issuer.issue(subject, Vec::new(), "").unwrap().token
    }

    /// POSTs a GraphQL request to audit, with `token` as the bearer when given.
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(format!("http://{}/graphql", self.audit().http_addr()))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    /// `auditLog` as the administrator.
    pub async fn log(&self, arguments: Value) -> Value {
        self.graphql(Some(&self.token(ADMIN)), LOG_QUERY, arguments).await
    }

    /// A gRPC client of audit's Record API.
    pub async fn grpc(&self) -> AuditServiceClient<Channel> {
        AuditServiceClient::connect(format!("http://{}", self.audit().grpc_addr().unwrap()))
            .await
            .unwrap()
    }

    /// A gRPC request carrying a calling service's valid token (role `service`), which may record anything.
    pub fn authed(&self, message: RecordRequest) -> tonic::Request<RecordRequest> {
        let mut request = tonic::Request::new(message);
        let token = self
            .issuer
            .issue("blog-service", vec!["service".to_owned()], "")
            .unwrap()
            .token;
        let value = format!("Bearer {token}");
        request.metadata_mut().insert("authorization", value.parse().unwrap());
        request
    }

    /// The value of a counter on audit's `/metrics`.
    pub async fn counter(&self, name: &str) -> u64 {
        platform_tests::metric_counter(self.audit().http_addr(), name).await
    }
}

async fn start_authz(dir: &tempfile::TempDir, bus: Arc<dyn EventBus>, verifier: Arc<JwtVerifier>) -> RunningAuthz {
    let db = sqlite(dir, "authz.db").await;
    kernel::db::migrate::<migrations::authz::Migrator>(&db).await.unwrap();
    let mut config = AuthzConfig::default();
    config.server.http_addr = "127.0.0.1:0".parse().unwrap();
    config.server.grpc_addr = Some("127.0.0.1:0".parse().unwrap());
    config.server.shutdown_grace_ms = 200;
    config.relay.poll_interval_ms = 20;
    let deps = AuthzDeps {
        db,
        cache: Arc::new(InProcessCache::new(std::num::NonZeroUsize::new(1_000).unwrap())),
        bus,
        verifier,
    };
    AuthzApp::new(config, deps).start().await.unwrap()
}

/// The query every log test runs.
pub const LOG_QUERY: &str = "query($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id actor action resource outcome sourceService occurredAt recordedAt traceId requestMetadata payload } }
    pageInfo { hasNextPage endCursor }
  }
}";

/// A record by `actor` doing `action` on `resource` at `occurred_at`.
pub fn record(actor: &str, action: &str, resource: &str, occurred_at: DateTime<Utc>) -> NewRecord {
    NewRecord {
        id: RecordId::new(uuid::Uuid::now_v7()).unwrap(),
        actor: actor.to_owned(),
        action: action.to_owned(),
        resource: resource.to_owned(),
        outcome: Outcome::Success,
        source_service: "test".to_owned(),
        occurred_at,
        trace_id: None,
        request_metadata: json!({}),
        payload: json!({}),
    }
}

/// Waits until `condition` holds, polling, or panics after `timeout` naming `what`.
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    while !condition().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {timeout:?} waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the store holds `count` records (never more: a surplus fails at once).
pub async fn wait_for_records(store: &AuditStore, count: u64, timeout: Duration) {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let stored = store.count().await.unwrap();
        assert!(
            stored <= count,
            "{stored} records stored, more than the {count} expected"
        );
        if stored == count {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {stored} of {count} records after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The `extensions.code` of the first error of a GraphQL response.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}
