//! identity and authz wired as in production, through the router: identity asks authz for roles over gRPC with a
//! service token, authz verifies every caller against identity's JWKS over HTTP, and the router composes both
//! subgraphs into one graph and forwards the client's token to each of them.
//!
//! Both services are built from their config (`bootstrap::from_config`, `AuthzApp::from_config`), exactly as
//! their binaries build them, over embedded SQLite files, in-process caches and buses.

use std::net::{Ipv4Addr, SocketAddr};

use authz::{AuthzApp, AuthzConfig};
use identity::app::RunningIdentity;
use identity::config::IdentityConfig;
use kernel::grpc::{ContextInterceptor, GrpcClientConfig};
use proto::authz::v1::authz_service_client::AuthzServiceClient;
use proto::authz::v1::{CheckRequest, Decision, Resource, Subject};
use router::config::{RouterConfig, SubgraphOverride};
use secrecy::SecretString;
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough passphrase";

/// identity, authz and a router over the committed `schema/supergraph.graphql`.
struct Platform {
    identity: RunningIdentity,
    authz: authz::app::RunningAuthz,
    router: SocketAddr,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Platform {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let sqlite = |name: &str| SecretString::from(format!("sqlite://{}/{name}.db?mode=rwc", dir.path().display()));
        // identity dials authz lazily, so authz's gRPC port is chosen first and authz binds it afterwards.
        let authz_grpc = SocketAddr::from((Ipv4Addr::LOCALHOST, platform_tests::free_port()));

        let mut config = IdentityConfig::default();
        config.server.http_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        config.server.grpc_addr = Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        config.server.shutdown_grace_ms = 200;
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

        let mut config = AuthzConfig::default();
        config.server.http_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        config.server.grpc_addr = Some(authz_grpc);
        config.server.shutdown_grace_ms = 200;
        config.database.url = sqlite("authz");
        config.relay.poll_interval_ms = 20;
        config.verifier.jwks_url = identity.jwks_url();
        // These tests assert exact role lists; onboarding's `member` binding is covered by platform_e2e.
        config.onboarding.default_roles.clear();
        let authz = AuthzApp::from_config(config)
            .await
            .expect("build authz")
            .start()
            .await
            .expect("start authz");

        let path = dir.path().join("supergraph.graphql");
        let supergraph = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/supergraph.graphql");
        std::fs::copy(supergraph, &path).expect("copy the platform supergraph");
        let mut config = RouterConfig::default();
        config.listen.http_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        config.listen.shutdown_grace_ms = 100;
        config.supergraph.path = Some(path);
        config.supergraph.watch_interval_ms = 0;
        for (name, addr) in [("identity", identity.http_addr), ("authz", authz.http_addr())] {
            let url = format!("http://{addr}{}", kernel::graphql::GRAPHQL_PATH);
            let subgraph = SubgraphOverride {
                url: Some(url),
                timeout_ms: Some(10_000),
                ..SubgraphOverride::default()
            };
            config.subgraphs.overrides.insert(name.to_owned(), subgraph);
        }
        let running = router::gateway::start(config, None).await.expect("start the router");
        let router = running.server.http_addr();
        tokio::spawn(running.server.run_until(std::future::pending()));

        Self {
            identity,
            authz,
            router,
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// Sends a GraphQL request through the router.
    async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("http://{}/graphql", self.router))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .expect("the router answers")
            .json()
            .await
            .expect("a JSON body")
    }

    async fn sign_up(&self, email: &str) -> String {
        let body = self
            .graphql(
                None,
                "mutation($input: SignUpInput!) { signUp(input: $input) { id } }",
                json!({ "input": { "email": email, "password": PASSWORD, "displayName": email } }),
            )
            .await;
        body["data"]["signUp"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("sign-up failed: {body}"))
            .to_owned()
    }

    /// Signs in and returns the access token.
    async fn sign_in(&self, email: &str) -> String {
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

    /// The `roles` claim of an access token, read back through identity's own verifier of the same JWKS.
    async fn roles_in(&self, token: &str) -> Vec<String> {
        let verifier = kernel::auth::JwtVerifier::new(
            kernel::auth::VerifierConfig {
                jwks_url: self.identity.jwks_url(),
                ..kernel::auth::VerifierConfig::default()
            },
            kernel::auth::JwksSource::remote(&kernel::auth::VerifierConfig {
                jwks_url: self.identity.jwks_url(),
                ..kernel::auth::VerifierConfig::default()
            })
            .expect("a JWKS source"),
        );
        verifier.verify(token).await.expect("identity's token verifies").roles
    }

    async fn may_publish(&self, token: &str, subject: &str) -> bool {
        let address = format!("http://{}", self.authz.grpc_addr().expect("authz serves gRPC"));
        let channel = kernel::grpc::channel(&address, &GrpcClientConfig::default()).expect("a channel");
        let interceptor = ContextInterceptor::with_token(SecretString::from(token.to_owned()));
        let mut client = AuthzServiceClient::with_interceptor(channel, interceptor);
        let request = CheckRequest {
            subject: Some(Subject {
                id: subject.to_owned(),
                kind: "user".to_owned(),
            }),
            action: "publish".to_owned(),
            resource: Some(Resource {
                kind: "post".to_owned(),
                id: "42".to_owned(),
                owner_id: String::new(),
            }),
        };
        let answer = client.check(request).await.expect("authz answers").into_inner();
        answer.decision == Decision::Allow as i32
    }
}

#[tokio::test]
async fn roles_granted_in_authz_reach_identity_tokens_and_the_composed_graph() {
    let platform = Platform::start().await;
    let alice = platform.sign_up("alice@example.test").await;
    let bob = platform.sign_up("bob@example.test").await;
    // The first administrator is bound directly, as `authz bind-role` does.
    platform
        .authz
        .manager()
        .bind_role("setup", &alice, "admin", None)
        .await
        .expect("bind the first admin");

    // identity fetched alice's roles from authz over gRPC while signing her in.
    let admin = platform.sign_in("alice@example.test").await;
    assert_eq!(platform.roles_in(&admin).await, vec!["admin".to_owned()]);

    // The admin grants bob `editor` through the router; authz verified her token against identity's JWKS.
    let body = platform
        .graphql(
            Some(&admin),
            "mutation($subject: ID!) { bindRole(subject: $subject, role: \"editor\") { id role } }",
            json!({ "subject": bob }),
        )
        .await;
    assert_eq!(body["data"]["bindRole"]["role"], "editor", "{body}");
    let binding = body["data"]["bindRole"]["id"]
        .as_str()
        .expect("a binding id")
        .to_owned();

    let editor = platform.sign_in("bob@example.test").await;
    assert_eq!(platform.roles_in(&editor).await, vec!["editor".to_owned()]);
    assert!(platform.may_publish(&editor, &bob).await, "editors publish posts");

    // One query, two subgraphs: identity's user and authz's roles on the same entity.
    let body = platform
        .graphql(Some(&editor), "{ me { id email roles { role subject } } }", json!({}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["me"]["id"], bob.as_str());
    assert_eq!(body["data"]["me"]["email"], "bob@example.test");
    assert_eq!(
        body["data"]["me"]["roles"],
        json!([{ "role": "editor", "subject": bob }])
    );

    // Revoking the binding takes effect on the very next check, although bob's token still names the role.
    let body = platform
        .graphql(
            Some(&admin),
            "mutation($id: ID!) { unbindRole(bindingId: $id) { id } }",
            json!({ "id": binding }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(
        !platform.may_publish(&editor, &bob).await,
        "the revoked role no longer allows publishing"
    );
}

#[tokio::test]
async fn callers_without_a_valid_token_are_refused_through_the_router() {
    let platform = Platform::start().await;
    platform.sign_up("carol@example.test").await;
    let member = platform.sign_in("carol@example.test").await;

    let body = platform.graphql(None, "{ me { id } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
    assert!(body["data"].is_null(), "{body}");

    // A token signed by a key identity never published.
    let forger = kernel::auth::TokenIssuer::new(
        kernel::auth::IssuerConfig::default(),
        kernel::auth::SigningKey::generate_ed25519("forged").expect("a key"),
    );
    let forged = forger
        .issue("someone", vec!["admin".into()], "")
        .expect("a token")
        .token;
    let body = platform.graphql(Some(&forged), "{ me { id } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");

    let body = platform
        .graphql(
            Some(&forged),
            "mutation { createRole(name: \"owner\", permissions: [\"*:*\"]) { name } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");

    // A real member is authenticated but may not manage roles.
    let body = platform
        .graphql(
            Some(&member),
            "mutation { createRole(name: \"owner\", permissions: [\"*:*\"]) { name } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
    let body = platform.graphql(Some(&member), "{ roles { name } }", json!({})).await;
    let names: Vec<&str> = body["data"]["roles"]
        .as_array()
        .unwrap_or_else(|| panic!("roles: {body}"))
        .iter()
        .filter_map(|role| role["name"].as_str())
        .collect();
    assert!(!names.contains(&"owner"), "the refused role was not created: {names:?}");
}

/// 64-bit FNV-1a, the fingerprint `router compose` records in the header for each subgraph it composed.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn platform_supergraph_was_composed_from_the_committed_service_sdl() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema"));
    let supergraph = std::fs::read_to_string(dir.join("supergraph.graphql")).expect("read schema/supergraph.graphql");
    for name in ["identity", "authz", "audit", "blog", "billing"] {
        let sdl = std::fs::read(dir.join(format!("{name}.graphql"))).expect("read the service SDL");
        let line = format!("# source {name}.graphql fnv1a64={:016x}", fnv1a64(&sdl));
        assert!(
            supergraph.lines().any(|l| l == line),
            "schema/supergraph.graphql was not composed from the current schema/{name}.graphql: run \
             `cargo run -p router -- compose --config schema/supergraph.toml --output schema/supergraph.graphql`"
        );
    }
}
