//! A running billing for one test, next to a real authz that decides who may do what: a fresh database (an SQLite
//! file, or a PostgreSQL schema of its own), an in-process bus, and a token issuer whose JWKS both services trust.
//! Denials are recorded in billing's own outbox, where the tests read them back.

use std::sync::Arc;

use authz::{AuthzApp, AuthzConfig, AuthzDeps, RunningAuthz};
use billing::{BillingApp, BillingConfig, BillingDeps, RunningBilling};
use kernel::access::{AccessGuard, AuthzClient, OutboxDenials};
use kernel::auth::{IssuerConfig, JwksSource, JwtVerifier, SigningKey, TokenIssuer, VerifierConfig};
use kernel::cache::InProcessCache;
use kernel::db::{Database, DatabaseConfig};
use kernel::events::{EventBus, InProcessEventBus};
use kernel::grpc::GrpcClientConfig;
use sea_orm::{ConnectionTrait, Statement};
use secrecy::SecretString;
use serde_json::{Value, json};

/// The subject bound to authz's `admin` role.
pub const ADMIN: &str = "admin-1";
/// A subject bound to `member`.
pub const MEMBER: &str = "member-1";
/// Another subject bound to `member`.
pub const OTHER: &str = "member-2";
/// A subject with no role at all.
pub const NOBODY: &str = "nobody-1";

/// Where the database lives.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A started billing and authz with everything a test needs to talk to them.
pub struct Harness {
    pub billing: RunningBilling,
    pub authz: RunningAuthz,
    pub issuer: TokenIssuer,
    pub db: Database,
    http: reqwest::Client,
    schema: Option<String>,
    _dir: tempfile::TempDir,
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

impl Harness {
    /// On SQLite.
    pub async fn start() -> Self {
        Self::start_with(Db::Sqlite).await
    }

    /// On the given database.
    pub async fn start_with(kind: Db) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (db, schema) = match kind {
            Db::Sqlite => (sqlite(&dir, "billing.db").await, None),
            Db::Postgres => {
                let schema = platform_tests::unique_name("billing");
                let db = kernel::db::connect(&DatabaseConfig {
                    url: SecretString::from(platform_tests::postgres_url()),
                    schema: Some(schema.clone()),
                    // Room for the concurrent requests the real-backend tests make.
                    max_connections: 20,
                    ..DatabaseConfig::default()
                })
                .await
                .unwrap();
                (db, Some(schema))
            }
        };
        kernel::db::migrate::<migrations::billing::Migrator>(&db).await.unwrap();

        let issuer = TokenIssuer::new(
            IssuerConfig::default(),
            SigningKey::generate_ed25519("test-key").unwrap(),
        );
        let verifier = Arc::new(JwtVerifier::new(
            VerifierConfig::default(),
            JwksSource::from_jwks(&issuer.jwks()),
        ));
        let authz = start_authz(&dir, verifier.clone()).await;
        for (subject, role) in [(ADMIN, "admin"), (MEMBER, "member"), (OTHER, "member")] {
            authz
                .manager()
                .bind_role("test-setup", subject, role, None)
                .await
                .unwrap();
        }
        let address = format!("http://{}", authz.grpc_addr().unwrap());
        let authorizer = Arc::new(AuthzClient::new(&address, &GrpcClientConfig::default()).unwrap());
        let access = AccessGuard::new("billing", authorizer)
            .record_denials_with(Arc::new(OutboxDenials::new(db.conn().clone(), billing::events::TOPIC)));
        let bus: Arc<dyn EventBus> = Arc::new(InProcessEventBus::new());
        let mut config = BillingConfig::default();
        config.server.http_addr = "127.0.0.1:0".parse().unwrap();
        config.server.grpc_addr = Some("127.0.0.1:0".parse().unwrap());
        config.server.shutdown_grace_ms = 200;
        config.relay.poll_interval_ms = 20;
        // The tests drive renewal themselves, on their own clock.
        config.renewal.interval_secs = 3_600;
        let deps = BillingDeps {
            db: db.clone(),
            bus,
            verifier,
            access,
        };
        let billing = BillingApp::new(config, deps).start().await.unwrap();
        Self {
            billing,
            authz,
            issuer,
            db,
            http: reqwest::Client::new(),
            schema,
            _dir: dir,
        }
    }

    /// Stops both services and drops a PostgreSQL schema made for the test.
    pub async fn finish(self) {
        self.billing.stop().await;
        self.authz.stop().await;
        if let Some(schema) = self.schema {
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

    /// POSTs a GraphQL request to billing as `subject` (anonymous when `None`).
    pub async fn graphql(&self, subject: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(format!("http://{}/graphql", self.billing.http_addr()))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(subject) = subject {
            request = request.bearer_auth(self.token(subject));
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    /// Creates plan `code` as the administrator, at `price` minor units of `currency`.
    pub async fn create_plan(&self, code: &str, price: &str, currency: &str, trial_days: i32) -> Value {
        let body = self
            .graphql(
                Some(ADMIN),
                CREATE_PLAN,
                json!({ "input": {
                    "code": code,
                    "name": format!("Plan {code}"),
                    "price": { "amount": price, "currency": currency },
                    "interval": "MONTH",
                    "trialDays": trial_days,
                }}),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        body["data"]["createPlan"].clone()
    }

    /// Subscribes `subject` to `code`; the subscription and the user's open invoice (if any).
    pub async fn subscribe(&self, subject: &str, code: &str) -> (Value, Option<Value>) {
        let body = self.graphql(Some(subject), SUBSCRIBE, json!({ "code": code })).await;
        assert!(body["errors"].is_null(), "{body}");
        let subscription = body["data"]["subscribe"].clone();
        let invoices = self.invoices_of(subject, subject, json!({ "status": "OPEN" })).await;
        assert!(invoices["errors"].is_null(), "{invoices}");
        let invoice = invoices["data"]["_entities"][0]["invoices"]["edges"][0]["node"].clone();
        (subscription, (!invoice.is_null()).then_some(invoice))
    }

    /// `User.invoices` of `owner`, read by `reader`.
    pub async fn invoices_of(&self, reader: &str, owner: &str, arguments: Value) -> Value {
        let mut variables = arguments;
        variables["reps"] = json!([{ "__typename": "User", "id": owner }]);
        self.graphql(Some(reader), USER_INVOICES, variables).await
    }

    /// `payInvoice` as `subject`.
    pub async fn pay(&self, subject: &str, invoice: &str, amount: &str, currency: &str, key: &str) -> Value {
        self.graphql(
            Some(subject),
            PAY,
            json!({
                "id": invoice,
                "amount": { "amount": amount, "currency": currency },
                "key": key,
            }),
        )
        .await
    }

    /// Every envelope in billing's outbox, oldest first.
    pub async fn outbox(&self) -> Vec<Value> {
        let conn = self.db.conn();
        let rows = conn
            .query_all_raw(Statement::from_string(
                conn.get_database_backend(),
                "SELECT envelope FROM outbox ORDER BY sequence",
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|row| {
                let text: String = row.try_get("", "envelope").unwrap();
                serde_json::from_str(&text).unwrap()
            })
            .collect()
    }

    /// The outbox's envelopes of `event_type`.
    pub async fn events(&self, event_type: &str) -> Vec<Value> {
        self.outbox()
            .await
            .into_iter()
            .filter(|envelope| envelope["event_type"] == event_type)
            .collect()
    }

    /// How many rows `table` holds.
    pub async fn count(&self, table: &str) -> i64 {
        let conn = self.db.conn();
        let row = conn
            .query_one_raw(Statement::from_string(
                conn.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "n").unwrap()
    }
}

async fn start_authz(dir: &tempfile::TempDir, verifier: Arc<JwtVerifier>) -> RunningAuthz {
    let db = sqlite(dir, "authz.db").await;
    kernel::db::migrate::<migrations::authz::Migrator>(&db).await.unwrap();
    let mut config = AuthzConfig::default();
    config.server.http_addr = "127.0.0.1:0".parse().unwrap();
    config.server.grpc_addr = Some("127.0.0.1:0".parse().unwrap());
    config.server.shutdown_grace_ms = 200;
    let deps = AuthzDeps {
        db,
        cache: Arc::new(InProcessCache::new(std::num::NonZeroUsize::new(1_000).unwrap())),
        bus: Arc::new(InProcessEventBus::new()),
        verifier,
    };
    AuthzApp::new(config, deps).start().await.unwrap()
}

/// The `extensions.code` of the first error of a GraphQL response.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

pub const CREATE_PLAN: &str = "mutation($input: CreatePlanInput!) {
  createPlan(input: $input) { id code name price { amount currency formatted } interval trialDays active }
}";

pub const SUBSCRIBE: &str = "mutation($code: String!) {
  subscribe(planCode: $code) { id status plan { code } user { id } currentPeriodStart currentPeriodEnd trialEnd }
}";

pub const PAY: &str = "mutation($id: ID!, $amount: MoneyInput!, $key: String!) {
  payInvoice(invoiceId: $id, amount: $amount, idempotencyKey: $key) { id invoiceId amount { amount currency } idempotencyKey }
}";

pub const USER_INVOICES: &str = "query($reps: [_Any!]!, $first: Int, $after: String, $status: InvoiceStatus) {
  _entities(representations: $reps) {
    ... on User {
      id
      invoices(first: $first, after: $after, status: $status) {
        edges { cursor node { id status total { amount currency formatted } amountDue { amount } dueAt
                              lines { description quantity amount { amount } } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}";

pub const USER_SUBSCRIPTION: &str = "query($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on User { id subscription { id status plan { code } } } }
}";

pub const INVOICE: &str = "query($id: ID!) { invoice(id: $id) { id status user { id } total { amount } } }";
