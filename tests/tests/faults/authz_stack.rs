//! authz on an SQLite file and the cache a test chose, with a token issuer it trusts: Check over gRPC and role
//! bindings over GraphQL, both on loopback.

use std::collections::HashSet;
use std::sync::Arc;

use authz::{AuthzApp, AuthzConfig, AuthzDeps, RunningAuthz};
use kernel::auth::{IssuerConfig, JwksSource, JwtVerifier, SigningKey, TokenIssuer, VerifierConfig};
use kernel::cache::Cache;
use kernel::db::DatabaseConfig;
use kernel::events::InProcessEventBus;
use proto::authz::v1::authz_service_client::AuthzServiceClient;
use proto::authz::v1::{CheckRequest, Decision, Resource, Subject};
use sea_orm::{ConnectionTrait, Statement};
use secrecy::SecretString;
use serde_json::{Value, json};
use tonic::transport::Channel;

use crate::load::Outcome;

/// The administrator the stack binds at start.
const ADMIN: &str = "faults-admin";

/// A running authz and what a test needs to call it.
pub struct AuthzStack {
    pub authz: RunningAuthz,
    database: kernel::db::Database,
    issuer: TokenIssuer,
    checks: AuthzServiceClient<Channel>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl AuthzStack {
    /// Starts authz over a fresh SQLite file, deciding through `cache`, and makes [`ADMIN`] an administrator.
    pub async fn start(cache: Arc<dyn Cache>) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("authz.db").display());
        let database = kernel::db::connect(&DatabaseConfig {
            url: SecretString::from(url),
            ..DatabaseConfig::default()
        })
        .await
        .expect("open authz's database");
        kernel::db::migrate::<migrations::authz::Migrator>(&database)
            .await
            .expect("migrate authz");
        let issuer = TokenIssuer::new(
            IssuerConfig::default(),
            SigningKey::generate_ed25519("faults").expect("a signing key"),
        );
        let verifier = Arc::new(JwtVerifier::new(
            VerifierConfig::default(),
            JwksSource::from_jwks(&issuer.jwks()),
        ));
        let mut config = AuthzConfig::default();
        config.server.http_addr = "127.0.0.1:0".parse().expect("an address");
        config.server.grpc_addr = Some("127.0.0.1:0".parse().expect("an address"));
        config.server.shutdown_grace_ms = 200;
        // Long enough that only invalidation, never expiry, can change a cached decision within the test.
        config.decision_ttl_secs = 3_600;
        config.relay.poll_interval_ms = 20;
        let deps = AuthzDeps {
            db: database.clone(),
            cache,
            bus: Arc::new(InProcessEventBus::new()),
            verifier,
        };
        let authz = AuthzApp::new(config, deps).start().await.expect("start authz");
        authz
            .manager()
            .bind_role("faults", ADMIN, "admin", None)
            .await
            .expect("bind the administrator");
        let grpc = authz.grpc_addr().expect("authz serves gRPC");
        let checks = AuthzServiceClient::connect(format!("http://{grpc}"))
            .await
            .expect("connect to authz's gRPC");
        Self {
            authz,
            database,
            issuer,
            checks,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// Binds `subject` to `role` over GraphQL as the administrator: the subject when the client saw it succeed.
    pub async fn bind_over_graphql(&self, subject: &str, role: &str) -> Outcome {
        let token = self.issuer.issue(ADMIN, Vec::new(), "").expect("a token").token;
        let query = "mutation($s: ID!, $r: String!) { bindRole(subject: $s, role: $r) { id } }";
        let sent = self
            .http
            .post(format!("http://{}/graphql", self.authz.http_addr()))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": { "s": subject, "r": role } }))
            .send()
            .await;
        let Ok(response) = sent else {
            return Outcome::failed("TRANSPORT");
        };
        if response.status() != reqwest::StatusCode::OK {
            return Outcome::failed(format!("HTTP_{}", response.status().as_u16()));
        }
        match response.json::<Value>().await {
            Ok(body) if body.get("errors").is_some() => Outcome::from_errors(&body),
            Ok(body) if body["data"]["bindRole"]["id"].is_string() => Outcome::Written(subject.to_owned()),
            Ok(_) => Outcome::failed("NO_DATA"),
            Err(_) => Outcome::failed("NOT_JSON"),
        }
    }

    /// Whether authz allows `subject` to publish post 1, asked over gRPC as a calling service: the decision, or
    /// the failure.
    pub async fn may_publish(&self, subject: &str) -> Result<bool, Outcome> {
        let mut request = tonic::Request::new(CheckRequest {
            subject: Some(Subject {
                id: subject.to_owned(),
                kind: "user".to_owned(),
            }),
            action: "publish".to_owned(),
            resource: Some(Resource {
                kind: "post".to_owned(),
                id: "1".to_owned(),
                owner_id: String::new(),
            }),
        });
        let token = self
            .issuer
            .issue("faults-blog", vec![kernel::auth::SERVICE_ROLE.to_owned()], "")
            .expect("a token")
            .token;
        let bearer = format!("Bearer {token}").parse().expect("an ASCII header value");
        request.metadata_mut().insert("authorization", bearer);
        match self.checks.clone().check(request).await {
            Ok(response) => Ok(response.into_inner().decision == i32::from(Decision::Allow)),
            Err(status) => Err(Outcome::Failed {
                code: format!("GRPC_{:?}", status.code()),
                messages: vec![status.message().to_owned()],
            }),
        }
    }

    /// The subjects holding a binding in the database.
    pub async fn bound_subjects(&self) -> HashSet<String> {
        let conn = self.database.conn();
        let sql = "SELECT subject FROM role_bindings";
        let rows = conn
            .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .expect("read the bindings");
        rows.iter()
            .map(|row| row.try_get_by_index::<String>(0).expect("a subject"))
            .collect()
    }
}
