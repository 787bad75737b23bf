//! The five services and the router, started as `platform dev` starts them: each from its own config, on
//! loopback ports chosen by the OS, over SQLite files in one temporary folder.

use std::net::{Ipv4Addr, SocketAddr};

use audit::{AuditApp, AuditConfig, RunningAudit};
use authz::app::RunningAuthz;
use authz::{AuthzApp, AuthzConfig};
use billing::app::RunningBilling;
use billing::{BillingApp, BillingConfig};
use blog::app::RunningBlog;
use blog::{BlogApp, BlogConfig};
use identity::app::RunningIdentity;
use identity::config::IdentityConfig;
use kernel::auth::VerifierConfig;
use kernel::server::ServerConfig;
use router::config::{RouterConfig, SubgraphOverride};
use secrecy::SecretString;
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough passphrase";

/// The running platform.
pub struct Stack {
    authz: RunningAuthz,
    identity: RunningIdentity,
    audit: RunningAudit,
    blog: RunningBlog,
    billing: RunningBilling,
    router: SocketAddr,
    client: reqwest::Client,
    dir: tempfile::TempDir,
}

/// One of the five services, to reach its gRPC port or its database directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code, reason = "the attacks suite names every service; platform_e2e names none")]
pub enum Service {
    Identity,
    Authz,
    Audit,
    Blog,
    Billing,
}

impl Service {
    /// The service's name, as its SQLite file is named.
    pub fn name(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Authz => "authz",
            Self::Audit => "audit",
            Self::Blog => "blog",
            Self::Billing => "billing",
        }
    }
}

fn loopback_server(grpc: Option<SocketAddr>) -> ServerConfig {
    ServerConfig {
        http_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        grpc_addr: Some(grpc.unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))),
        shutdown_grace_ms: 200,
        ..ServerConfig::default()
    }
}

fn grpc_url(addr: Option<SocketAddr>) -> String {
    format!("http://{}", addr.expect("the service serves gRPC"))
}

impl Stack {
    /// Starts identity, authz, audit, blog, billing and the router.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let sqlite = |name: &str| SecretString::from(format!("sqlite://{}/{name}.db?mode=rwc", dir.path().display()));
        // identity dials authz lazily, so authz's gRPC port is chosen first and authz binds it afterwards.
        let authz_grpc = SocketAddr::from((Ipv4Addr::LOCALHOST, platform_tests::free_port()));

        let mut config = IdentityConfig {
            server: loopback_server(None),
            ..IdentityConfig::default()
        };
        config.database.url = sqlite("identity");
        config.passwords.argon2.memory_kib = 64;
        config.passwords.argon2.iterations = 1;
        config.relay.poll_interval_ms = 20;
        config.authz.address = Some(format!("http://{authz_grpc}"));
        let identity = identity::bootstrap::from_config(config)
            .await
            .expect("build identity")
            .start(None)
            .await
            .expect("start identity");
        let verifier = VerifierConfig {
            jwks_url: identity.jwks_url(),
            ..VerifierConfig::default()
        };

        let mut config = AuthzConfig {
            server: loopback_server(Some(authz_grpc)),
            ..AuthzConfig::default()
        };
        config.database.url = sqlite("authz");
        config.relay.poll_interval_ms = 20;
        config.verifier = verifier.clone();
        let authz = AuthzApp::from_config(config)
            .await
            .expect("build authz")
            .start()
            .await
            .expect("start authz");

        let mut config = AuditConfig {
            server: loopback_server(None),
            ..AuditConfig::default()
        };
        config.database.url = sqlite("audit");
        config.verifier = verifier.clone();
        config.authz.address = format!("http://{authz_grpc}");
        let audit = AuditApp::from_config(config)
            .await
            .expect("build audit")
            .start()
            .await
            .expect("start audit");
        let audit_grpc = grpc_url(audit.grpc_addr());

        let mut config = BlogConfig {
            server: loopback_server(None),
            ..BlogConfig::default()
        };
        config.database.url = sqlite("blog");
        config.relay.poll_interval_ms = 20;
        config.verifier = verifier.clone();
        config.authz.address = format!("http://{authz_grpc}");
        config.audit.address = audit_grpc.clone();
        let blog = BlogApp::from_config(config)
            .await
            .expect("build blog")
            .start()
            .await
            .expect("start blog");

        let mut config = BillingConfig {
            server: loopback_server(None),
            ..BillingConfig::default()
        };
        config.database.url = sqlite("billing");
        config.relay.poll_interval_ms = 20;
        config.verifier = verifier.clone();
        config.authz.address = format!("http://{authz_grpc}");
        config.audit.address = audit_grpc;
        let billing = BillingApp::from_config(config)
            .await
            .expect("build billing")
            .start()
            .await
            .expect("start billing");

        let path = dir.path().join("supergraph.graphql");
        let supergraph = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/supergraph.graphql");
        std::fs::copy(supergraph, &path).expect("copy the platform supergraph");
        let mut config = RouterConfig::default();
        config.listen.http_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        config.listen.shutdown_grace_ms = 100;
        config.supergraph.path = Some(path);
        config.supergraph.watch_interval_ms = 0;
        config.auth.enabled = true;
        config.auth.issuers = vec![verifier];
        for (name, addr) in [
            ("identity", identity.http_addr),
            ("authz", authz.http_addr()),
            ("audit", audit.http_addr()),
            ("blog", blog.http_addr()),
            ("billing", billing.http_addr()),
        ] {
            let subgraph = SubgraphOverride {
                url: Some(format!("http://{addr}{}", kernel::graphql::GRAPHQL_PATH)),
                timeout_ms: Some(10_000),
                ..SubgraphOverride::default()
            };
            config.subgraphs.overrides.insert(name.to_owned(), subgraph);
        }
        let running = router::gateway::start(config, None).await.expect("start the router");
        let router = running.server.http_addr();
        tokio::spawn(running.server.run_until(std::future::pending()));

        Self {
            authz,
            identity,
            audit,
            blog,
            billing,
            router,
            client: reqwest::Client::new(),
            dir,
        }
    }

    /// Posts a GraphQL request to the router.
    pub async fn post(&self, token: Option<&str>, query: &str, variables: Value) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("http://{}/graphql", self.router))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("the router answers")
    }

    /// Posts a GraphQL request to the router and reads the JSON answer.
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.post(token, query, variables)
            .await
            .json()
            .await
            .expect("a JSON body")
    }

    /// Signs up through the router and returns the new user's id.
    pub async fn sign_up(&self, email: &str, name: &str) -> String {
        let body = self
            .graphql(
                None,
                "mutation($input: SignUpInput!) { signUp(input: $input) { id } }",
                json!({ "input": { "email": email, "password": PASSWORD, "displayName": name } }),
            )
            .await;
        body["data"]["signUp"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("sign-up failed: {body}"))
            .to_owned()
    }

    /// Signs in through the router and returns the access token.
    pub async fn sign_in(&self, email: &str) -> String {
        let body = self
            .graphql(
                None,
                "mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { accessToken } }",
                json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        body["data"]["signIn"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("sign-in failed: {body}"))
            .to_owned()
    }

    /// Binds `user` to `admin`, as `authz bind-role` does for the first administrator.
    pub async fn make_admin(&self, user: &str) {
        self.authz
            .manager()
            .bind_role("setup", user, "admin", None)
            .await
            .expect("bind the first administrator");
    }

    /// Waits until authz has bound `user` to `role` (onboarding runs from an event, shortly after sign-up).
    pub async fn wait_for_role(&self, user: &str, role: &str) {
        for _ in 0..200 {
            let bindings = self.authz.manager().bindings_of(user).await.expect("read the bindings");
            if bindings.iter().any(|binding| binding.role == role) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("{user} never got the role {role}");
    }
}

/// Direct access behind the router, for the attacks suite: each service's internal gRPC port and its database.
#[allow(dead_code, reason = "used by the attacks suite, not by platform_e2e")]
impl Stack {
    /// Where `service` serves gRPC.
    pub fn grpc_addr(&self, service: Service) -> SocketAddr {
        let addr = match service {
            Service::Identity => Some(self.identity.grpc_addr),
            Service::Authz => self.authz.grpc_addr(),
            Service::Audit => self.audit.grpc_addr(),
            Service::Blog => self.blog.grpc_addr(),
            Service::Billing => self.billing.grpc_addr(),
        };
        addr.expect("every service serves gRPC")
    }

    /// A connection of its own to `service`'s database, to see what a request changed (or did not).
    pub async fn database(&self, service: Service) -> kernel::db::Database {
        let config = kernel::db::DatabaseConfig {
            url: SecretString::from(format!(
                "sqlite://{}/{}.db?mode=rw",
                self.dir.path().display(),
                service.name()
            )),
            ..kernel::db::DatabaseConfig::default()
        };
        kernel::db::connect(&config).await.expect("open the service's database")
    }

    /// Whether authz has disabled `user` (it learns of it from identity's `user.disabled` event).
    pub async fn disabled_in_authz(&self, user: &str) -> bool {
        self.authz
            .manager()
            .is_disabled(user)
            .await
            .expect("read authz's disabled subjects")
    }
}
