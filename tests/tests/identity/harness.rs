//! A running identity service for one test: its own SQLite file (or PostgreSQL schema), cache, in-process bus
//! and signing key, served on loopback port 0, with helpers to call it and look into its store.

use std::sync::Arc;
use std::time::Duration;

use identity::app::{IdentityApp, IdentityDeps, RunningIdentity};
use identity::config::{IdentityConfig, SignInLimits};
use identity::keys::SigningKeys;
use identity::roles::{FixedRoles, RoleSource};
use kernel::auth::{SigningKey, TokenIssuer};
use kernel::cache::{CacheBackend, CacheConfig};
use kernel::db::{Database, DatabaseConfig};
use kernel::events::{EventBus, EventEnvelope, InProcessEventBus};
use parking_lot::Mutex;
use sea_orm::{ConnectionTrait, Statement};
use secrecy::SecretString;
use serde_json::{Value, json};

/// Builds a [`TestIdentity`].
pub struct Builder {
    roles: Arc<dyn RoleSource>,
    keys: Option<SigningKeys>,
    limits: SignInLimits,
    postgres: bool,
    redis: bool,
}

impl Builder {
    pub fn roles(mut self, roles: Arc<dyn RoleSource>) -> Self {
        self.roles = roles;
        self
    }

    pub fn keys(mut self, keys: SigningKeys) -> Self {
        self.keys = Some(keys);
        self
    }

    pub fn limits(mut self, per_account: u64, per_address: u64) -> Self {
        self.limits = SignInLimits {
            per_account,
            per_address,
            window_secs: 60,
        };
        self
    }

    /// Uses the real PostgreSQL (a fresh schema) instead of SQLite.
    #[allow(dead_code)]
    pub fn postgres(mut self) -> Self {
        self.postgres = true;
        self
    }

    /// Uses the real Redis (a fresh key prefix) instead of the in-process cache.
    #[allow(dead_code)]
    pub fn redis(mut self) -> Self {
        self.redis = true;
        self
    }

    pub async fn start(self) -> TestIdentity {
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut config = IdentityConfig::default();
        config.server.http_addr = "127.0.0.1:0".parse().unwrap();
        config.server.grpc_addr = Some("127.0.0.1:0".parse().unwrap());
        config.server.shutdown_grace_ms = 500;
        config.passwords.argon2.memory_kib = 64;
        config.passwords.argon2.iterations = 1;
        config.sign_in_limits = self.limits;
        config.relay.poll_interval_ms = 20;
        let schema = self.postgres.then(|| platform_tests::unique_name("identity"));
        config.database = match &schema {
            Some(schema) => DatabaseConfig {
                url: SecretString::from(platform_tests::postgres_url()),
                schema: Some(schema.clone()),
                ..DatabaseConfig::default()
            },
            None => DatabaseConfig {
                url: SecretString::from(format!("sqlite://{}/identity.db?mode=rwc", dir.path().display())),
                ..DatabaseConfig::default()
            },
        };
        config.cache = if self.redis {
            CacheConfig {
                backend: CacheBackend::Redis,
                url: SecretString::from(platform_tests::redis_url()),
                key_prefix: platform_tests::unique_name("identity"),
                ..CacheConfig::default()
            }
        } else {
            CacheConfig::default()
        };
        let database = kernel::db::connect(&config.database).await.expect("open the database");
        kernel::db::migrate::<migrations::identity::Migrator>(&database)
            .await
            .expect("migrate");
        let cache = kernel::cache::connect(&config.cache).await.expect("connect the cache");
        let bus = Arc::new(InProcessEventBus::new());
        let keys = self
            .keys
            .unwrap_or_else(|| SigningKeys::single(SigningKey::generate_ed25519("test-key-1").unwrap()));
        let issuer = keys.issuer(config.tokens.issuer.clone());
        let statements = Arc::new(Mutex::new(Vec::new()));
        let seen = statements.clone();
        let deps = IdentityDeps {
            database: database.clone(),
            cache,
            events: bus.clone(),
            roles: self.roles,
            keys,
        };
        let app = IdentityApp::builder(config, deps)
            .on_statement(Arc::new(move |sql: &str| seen.lock().push(sql.to_owned())))
            .build()
            .expect("build identity");
        let running = app.start(None).await.expect("start identity");
        TestIdentity {
            running: Some(running),
            database,
            bus,
            issuer,
            statements,
            client: reqwest::Client::new(),
            schema,
            _dir: dir,
        }
    }
}

/// A running identity service and what a test needs around it.
pub struct TestIdentity {
    running: Option<RunningIdentity>,
    pub database: Database,
    pub bus: Arc<InProcessEventBus>,
    /// An issuer with the service's keys and config, to mint tokens the service accepts.
    pub issuer: TokenIssuer,
    pub statements: Arc<Mutex<Vec<String>>>,
    pub client: reqwest::Client,
    schema: Option<String>,
    _dir: tempfile::TempDir,
}

pub fn builder() -> Builder {
    Builder {
        roles: Arc::new(FixedRoles::none()),
        keys: None,
        limits: SignInLimits {
            per_account: 100,
            per_address: 1000,
            window_secs: 60,
        },
        postgres: false,
        redis: false,
    }
}

pub async fn start() -> TestIdentity {
    builder().start().await
}

pub const PASSWORD: &str = "correct horse battery staple";

impl TestIdentity {
    pub fn running(&self) -> &RunningIdentity {
        self.running.as_ref().expect("running")
    }

    /// POSTs a GraphQL request, with a bearer token and an `X-Forwarded-For` client address when given.
    pub async fn post(&self, token: Option<&str>, client: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(self.running().graphql_url())
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(client) = client {
            request = request.header("x-forwarded-for", client);
        }
        let response = request.send().await.expect("identity answers");
        response.json().await.expect("a JSON body")
    }

    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.post(None, None, query, variables).await
    }

    pub async fn gql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        self.post(Some(token), None, query, variables).await
    }

    /// Signs a user up and returns the `User` object.
    pub async fn sign_up(&self, email: &str, display_name: &str) -> Value {
        let body = self
            .gql(
                "mutation($input: SignUpInput!) { signUp(input: $input) { id email displayName status } }",
                json!({ "input": { "email": email, "password": PASSWORD, "displayName": display_name } }),
            )
            .await;
        assert!(body.get("errors").is_none(), "sign-up failed: {body}");
        body["data"]["signUp"].clone()
    }

    /// The raw `signIn` response body, from client address `client`.
    pub async fn sign_in_from(&self, client: &str, email: &str, password: &str) -> Value {
        self.post(
            None,
            Some(client),
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken refreshToken \
             tokenType expiresIn user { id email } } }",
            json!({ "e": email, "p": password }),
        )
        .await
    }

    /// Signs in with [`PASSWORD`] and returns the `Session` object.
    pub async fn sign_in(&self, email: &str) -> Value {
        let body = self.sign_in_from("198.51.100.1", email, PASSWORD).await;
        assert!(body.get("errors").is_none(), "sign-in failed: {body}");
        body["data"]["signIn"].clone()
    }

    /// The raw `refresh` response body.
    pub async fn refresh(&self, refresh_token: &str) -> Value {
        self.gql(
            "mutation($t: String!) { refresh(refreshToken: $t) { accessToken refreshToken user { id } } }",
            json!({ "t": refresh_token }),
        )
        .await
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let row = self
            .database
            .conn()
            .query_one_raw(Statement::from_string(self.database.backend(), sql))
            .await
            .expect("query")
            .expect("a row");
        row.try_get_by_index::<i64>(0).expect("a count")
    }

    pub async fn execute(&self, sql: &str) {
        self.database.conn().execute_unprepared(sql).await.expect("execute");
    }

    /// A snapshot of the rows a bad request must not change: users, credentials, tokens, outbox rows.
    pub async fn store_snapshot(&self) -> [i64; 4] {
        [
            self.count("SELECT COUNT(*) FROM users").await,
            self.count("SELECT COUNT(*) FROM credentials").await,
            self.count("SELECT COUNT(*) FROM refresh_tokens WHERE revoked_at IS NULL")
                .await,
            self.count("SELECT COUNT(*) FROM outbox").await,
        ]
    }

    /// Events on `identity.events` with their keys, read by a fresh consumer group until `done` says enough or 10 s pass.
    pub async fn events_until(
        &self,
        done: impl Fn(&[(String, EventEnvelope)]) -> bool,
    ) -> Vec<(String, EventEnvelope)> {
        self.events_within(Duration::from_secs(10), done).await
    }

    /// Like [`TestIdentity::events_until`], waiting at most `wait`.
    pub async fn events_within(
        &self,
        wait: Duration,
        done: impl Fn(&[(String, EventEnvelope)]) -> bool,
    ) -> Vec<(String, EventEnvelope)> {
        let group = platform_tests::unique_name("identity_test");
        let mut subscription = self
            .bus
            .subscribe(&group, &[identity::events::TOPIC])
            .await
            .expect("subscribe");
        let mut events = Vec::new();
        let deadline = tokio::time::Instant::now() + wait;
        while !done(&events) {
            let Ok(next) = tokio::time::timeout_at(deadline, subscription.next()).await else {
                break;
            };
            let delivery = next.expect("a delivery");
            events.push((
                delivery.key.clone(),
                EventEnvelope::from_bytes(&delivery.payload).expect("an envelope"),
            ));
        }
        events
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("stop identity");
        }
        if let Some(schema) = self.schema.take() {
            self.database
                .conn()
                .execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .await
                .expect("drop the test schema");
        }
    }
}

/// The error code of the first error in a GraphQL response body.
pub fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<no error code>")
}

/// A unique e-mail address for one test.
pub fn email(name: &str) -> String {
    format!("{name}.{}@example.org", uuid::Uuid::now_v7().simple())
}
