//! A running blog for one test, next to a real authz that decides its writes: a fresh database (an SQLite file,
//! or a PostgreSQL schema of its own), an in-process bus, and a token issuer whose JWKS both services trust.
//! Denials go to an audit address nobody listens on, so they fall back to the blog's outbox, as in production
//! when audit is down.

use std::sync::Arc;
use std::time::Duration;

use authz::{AuthzApp, AuthzConfig, AuthzDeps, RunningAuthz};
use blog::store::BlogStore;
use blog::{BlogApp, BlogConfig, BlogDeps, RunningBlog};
use kernel::access::{AccessGuard, AuditRecorder, AuthzClient, OutboxDenials};
use kernel::auth::{IssuerConfig, JwksSource, JwtVerifier, SigningKey, TokenIssuer, VerifierConfig};
use kernel::cache::InProcessCache;
use kernel::db::{Database, DatabaseConfig};
use kernel::events::{EventBus, InProcessEventBus};
use kernel::grpc::GrpcClientConfig;
use sea_orm::{ConnectionTrait, Statement};
use secrecy::SecretString;
use serde_json::{Value, json};

/// Bound to authz's `admin` role.
pub const ADMIN: &str = "admin-1";
/// Bound to `editor`.
pub const EDITOR: &str = "editor-1";
/// Bound to `member`: writes posts.
pub const AUTHOR: &str = "author-1";
/// Bound to `member`: reads and comments.
pub const READER: &str = "reader-1";
/// Bound to no role at all.
pub const NOBODY: &str = "nobody-1";

/// Where the database lives.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A started blog and authz with everything a test needs to talk to them.
pub struct Harness {
    pub blog: Option<RunningBlog>,
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

/// A migrated blog database of the given kind, and the PostgreSQL schema made for it.
pub async fn blog_db(kind: Db, dir: &tempfile::TempDir) -> (Database, Option<String>) {
    let (db, schema) = match kind {
        Db::Sqlite => (sqlite(dir, "blog.db").await, None),
        Db::Postgres => {
            let schema = platform_tests::unique_name("blog");
            let db = kernel::db::connect(&DatabaseConfig {
                url: SecretString::from(platform_tests::postgres_url()),
                schema: Some(schema.clone()),
                ..DatabaseConfig::default()
            })
            .await
            .unwrap();
            (db, Some(schema))
        }
    };
    kernel::db::migrate::<migrations::blog::Migrator>(&db).await.unwrap();
    (db, schema)
}

/// Drops a PostgreSQL schema made for a test.
pub async fn drop_schema(db: &Database, schema: Option<String>) {
    if let Some(schema) = schema {
        db.conn()
            .execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .await
            .unwrap();
    }
}

impl Harness {
    /// SQLite.
    pub async fn start() -> Self {
        Self::start_with(Db::Sqlite).await
    }

    /// The blog on `kind`; authz always on SQLite.
    pub async fn start_with(kind: Db) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (db, schema) = blog_db(kind, &dir).await;
        let issuer = TokenIssuer::new(
            IssuerConfig::default(),
            SigningKey::generate_ed25519("test-key").unwrap(),
        );
        let verifier = Arc::new(JwtVerifier::new(
            VerifierConfig::default(),
            JwksSource::from_jwks(&issuer.jwks()),
        ));
        let authz = start_authz(&dir, verifier.clone()).await;
        for (subject, role) in [
            (ADMIN, "admin"),
            (EDITOR, "editor"),
            (AUTHOR, "member"),
            (READER, "member"),
        ] {
            authz
                .manager()
                .bind_role("test-setup", subject, role, None)
                .await
                .unwrap();
        }
        let quick = GrpcClientConfig {
            connect_timeout_ms: 500,
            request_timeout_ms: 5_000,
        };
        let authz_address = format!("http://{}", authz.grpc_addr().unwrap());
        // Nothing listens on port 1: every denial falls back to the outbox.
        let guard = AccessGuard::new("blog", Arc::new(AuthzClient::new(&authz_address, &quick).unwrap()))
            .record_denials_with(Arc::new(AuditRecorder::new("http://127.0.0.1:1", &quick).unwrap()))
            .record_denials_with(Arc::new(OutboxDenials::new(db.conn().clone(), blog::events::TOPIC)));
        let mut config = BlogConfig::default();
        config.server.http_addr = "127.0.0.1:0".parse().unwrap();
        config.server.grpc_addr = Some("127.0.0.1:0".parse().unwrap());
        config.server.shutdown_grace_ms = 200;
        config.relay.poll_interval_ms = 20;
        let bus: Arc<dyn EventBus> = Arc::new(InProcessEventBus::new());
        let deps = BlogDeps {
            db: db.clone(),
            bus,
            verifier,
            guard,
        };
        let blog = BlogApp::new(config, deps).start().await.unwrap();
        Self {
            blog: Some(blog),
            authz,
            issuer,
            db,
            http: reqwest::Client::new(),
            schema,
            _dir: dir,
        }
    }

    /// The running blog.
    pub fn blog(&self) -> &RunningBlog {
        self.blog.as_ref().expect("blog is running")
    }

    /// Stops both services and drops a PostgreSQL schema made for the test.
    pub async fn finish(mut self) {
        if let Some(blog) = self.blog.take() {
            blog.stop().await;
        }
        self.authz.stop().await;
        drop_schema(&self.db, self.schema.take()).await;
    }

    /// The store over the test's database.
    pub fn store(&self) -> BlogStore {
        BlogStore::new(self.db.conn().clone())
    }

    /// A valid access token for `subject`.
    pub fn token(&self, subject: &str) -> String {
        self.issuer.issue(subject, Vec::new(), "").unwrap().token
    }

    /// POSTs a GraphQL request to the blog as `subject` (anonymous when `None`).
    pub async fn graphql(&self, subject: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(format!("http://{}/graphql", self.blog().http_addr()))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(subject) = subject {
            request = request.bearer_auth(self.token(subject));
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    /// Creates a post as `author` and returns its id; panics when refused.
    pub async fn create_post(&self, author: &str, title: &str, tags: &[&str]) -> String {
        let body = self
            .graphql(
                Some(author),
                "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }",
                json!({ "input": { "title": title, "body": "Some *Markdown*.", "tags": tags } }),
            )
            .await;
        body["data"]["createPost"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("createPost failed: {body}"))
            .to_owned()
    }

    /// Publishes post `id` as the editor; panics when refused.
    pub async fn publish(&self, id: &str) {
        let body = self
            .graphql(
                Some(EDITOR),
                "mutation($id: ID!) { publishPost(id: $id) { status } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(body["data"]["publishPost"]["status"], "PUBLISHED", "{body}");
    }

    /// Every outbox row as `(topic, key, envelope)`, oldest first.
    pub async fn outbox(&self) -> Vec<(String, String, Value)> {
        outbox_rows(&self.db).await
    }

    /// The outbox's `access.denied` envelopes.
    pub async fn denials(&self) -> Vec<Value> {
        self.outbox()
            .await
            .into_iter()
            .map(|(_, _, envelope)| envelope)
            .filter(|envelope| envelope["event_type"] == "access.denied")
            .collect()
    }
}

/// Every outbox row of `db` as `(topic, key, envelope)`, oldest first.
pub async fn outbox_rows(db: &Database) -> Vec<(String, String, Value)> {
    let backend = db.backend();
    let rows = db
        .conn()
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT topic, event_key, envelope FROM outbox ORDER BY sequence",
        ))
        .await
        .unwrap();
    rows.into_iter()
        .map(|row| {
            let topic: String = row.try_get("", "topic").unwrap();
            let key: String = row.try_get("", "event_key").unwrap();
            let envelope: String = row.try_get("", "envelope").unwrap();
            (topic, key, serde_json::from_str(&envelope).unwrap())
        })
        .collect()
}

async fn start_authz(dir: &tempfile::TempDir, verifier: Arc<JwtVerifier>) -> RunningAuthz {
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
        bus: Arc::new(InProcessEventBus::new()),
        verifier,
    };
    AuthzApp::new(config, deps).start().await.unwrap()
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
