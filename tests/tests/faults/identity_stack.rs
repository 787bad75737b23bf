//! The identity service on the backends a test chose, behind a router over the platform's committed supergraph:
//! sign-ups and sign-ins travel client → router → identity over loopback HTTP, as in production.

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use identity::app::{IdentityApp, IdentityDeps, RunningIdentity};
use identity::config::{IdentityConfig, SignInLimits};
use identity::domain::RefreshToken;
use identity::keys::SigningKeys;
use identity::roles::FixedRoles;
use kernel::auth::SigningKey;
use kernel::cache::CacheConfig;
use kernel::db::DatabaseConfig;
use kernel::events::{EventBus, EventEnvelope, HEADER_EVENT_TYPE, Subscription};
use kernel::outbox::RelayConfig;
use router::config::{RouterConfig, SubgraphOverride};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::load::Outcome;

/// How long the events of a run may take to arrive once the backends are back.
const EVENTS_TIMEOUT: Duration = Duration::from_secs(60);

/// Every account's password.
pub const PASSWORD: &str = "a long enough passphrase";

/// What identity runs on.
pub struct Backends {
    /// Its database.
    pub database: DatabaseConfig,
    /// The cache holding its sign-in counters.
    pub cache: CacheConfig,
    /// The bus its outbox relay publishes to.
    pub events: Arc<dyn EventBus>,
}

/// A running identity behind a running router.
pub struct IdentityStack {
    identity: RunningIdentity,
    database: DatabaseConfig,
    router: SocketAddr,
    stop_router: Box<dyn Fn() + Send + Sync>,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl IdentityStack {
    /// Migrates the database, starts identity over `backends` and a router in front of it.
    pub async fn start(backends: Backends) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut config = IdentityConfig::default();
        config.server.http_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        config.server.grpc_addr = Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        config.server.shutdown_grace_ms = 200;
        config.passwords.argon2.memory_kib = 64;
        config.passwords.argon2.iterations = 1;
        // Every sign-in of the load comes from one address and repeats a few accounts: only a fault may refuse one.
        config.sign_in_limits = SignInLimits {
            per_account: 1_000_000,
            per_address: 1_000_000,
            window_secs: 300,
        };
        config.relay = RelayConfig {
            poll_interval_ms: 20,
            max_backoff_ms: 500,
            ..RelayConfig::default()
        };
        config.database = backends.database.clone();
        config.cache = backends.cache.clone();
        let database = kernel::db::connect(&config.database).await.expect("open the database");
        kernel::db::migrate::<migrations::identity::Migrator>(&database)
            .await
            .expect("migrate identity");
        let cache = kernel::cache::connect(&config.cache).await.expect("connect the cache");
        let deps = IdentityDeps {
            database,
            cache,
            events: backends.events,
            roles: Arc::new(FixedRoles::none()),
            keys: SigningKeys::single(SigningKey::generate_ed25519("faults").expect("a signing key")),
        };
        let identity = IdentityApp::builder(config, deps)
            .build()
            .expect("build identity")
            .start(None)
            .await
            .expect("start identity");

        let path = dir.path().join("supergraph.graphql");
        let supergraph = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/supergraph.graphql");
        std::fs::copy(supergraph, &path).expect("copy the platform supergraph");
        let mut router = RouterConfig::default();
        router.listen.http_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        router.listen.shutdown_grace_ms = 100;
        router.supergraph.path = Some(path);
        router.supergraph.watch_interval_ms = 0;
        router.subgraphs.overrides.insert(
            "identity".to_owned(),
            SubgraphOverride {
                url: Some(identity.graphql_url()),
                timeout_ms: Some(10_000),
                ..SubgraphOverride::default()
            },
        );
        let running = router::gateway::start(router, None).await.expect("start the router");
        let router = running.server.http_addr();
        let token = running.server.shutdown_token();
        tokio::spawn(running.server.run_until(std::future::pending()));
        Self {
            identity,
            database: backends.database,
            router,
            stop_router: Box::new(move || token.cancel()),
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// Posts a GraphQL request to the router: the JSON answer, or a failure naming how the exchange broke.
    pub async fn graphql(&self, query: &str, variables: Value) -> Result<Value, Outcome> {
        let response = self
            .client
            .post(format!("http://{}/graphql", self.router))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .map_err(|_| Outcome::failed("TRANSPORT"))?;
        // The router answers a request that reached it with 200, errors and all; anything else is a failure of
        // its own, named by its status.
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(Outcome::failed(format!("HTTP_{}", status.as_u16())));
        }
        response.json().await.map_err(|_| Outcome::failed("NOT_JSON"))
    }

    /// Signs up `email`: the address (unique in the `users` table) when the client saw it succeed.
    pub async fn sign_up(&self, email: &str) -> Outcome {
        let query = "mutation($input: SignUpInput!) { signUp(input: $input) { id } }";
        let input = json!({ "input": { "email": email, "password": PASSWORD, "displayName": "Load" } });
        match self.graphql(query, input).await {
            Ok(body) if body.get("errors").is_some() => Outcome::from_errors(&body),
            Ok(body) if body["data"]["signUp"]["id"].is_string() => Outcome::Written(email.to_owned()),
            Ok(_) => Outcome::failed("NO_DATA"),
            Err(failure) => failure,
        }
    }

    /// Signs in as `email`: the refresh token's hash (what the database keeps) when the client saw it succeed.
    pub async fn sign_in(&self, email: &str) -> Outcome {
        let query = "mutation($email: String!, $password: String!) {
            signIn(email: $email, password: $password) { accessToken refreshToken } }";
        match self
            .graphql(query, json!({ "email": email, "password": PASSWORD }))
            .await
        {
            Ok(body) if body.get("errors").is_some() => Outcome::from_errors(&body),
            Ok(body) => match body["data"]["signIn"]["refreshToken"].as_str() {
                Some(token) => Outcome::Written(RefreshToken::from_client(token).hash().as_str().to_owned()),
                None => Outcome::failed("NO_DATA"),
            },
            Err(failure) => failure,
        }
    }

    /// The values of the one-column query `sql` on a fresh connection to identity's database.
    pub async fn column(&self, sql: &str) -> HashSet<String> {
        let database = kernel::db::connect(&self.database)
            .await
            .expect("open identity's database");
        let conn = database.conn();
        let rows = conn
            .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let values = rows
            .iter()
            .map(|row| {
                row.try_get_by_index::<String>(0)
                    .unwrap_or_else(|e| panic!("{sql} returns text: {e}"))
            })
            .collect();
        database.close().await.expect("close the connection");
        values
    }

    /// Stops the router and identity.
    pub async fn stop(self) {
        (self.stop_router)();
        self.identity.stop().await.expect("identity stops cleanly");
    }
}

/// Reads `user.created` events from `subscription` until every address in `expected` has been seen (or the
/// timeout passes), and returns the addresses seen.
pub async fn created_emails(subscription: &mut dyn Subscription, expected: &HashSet<String>) -> HashSet<String> {
    let deadline = tokio::time::Instant::now() + EVENTS_TIMEOUT;
    let mut seen = HashSet::new();
    while !expected.is_subset(&seen) {
        let Ok(next) = tokio::time::timeout_at(deadline, subscription.next()).await else {
            break;
        };
        let delivery = next.unwrap_or_else(|e| panic!("reading identity's events failed: {e}"));
        if delivery.headers.get(HEADER_EVENT_TYPE).map(String::as_str) != Some(identity::events::USER_CREATED) {
            continue;
        }
        let envelope = EventEnvelope::from_bytes(&delivery.payload).expect("an event envelope");
        if let Some(email) = envelope.payload["email"].as_str() {
            seen.insert(email.to_owned());
        }
    }
    seen
}
