//! Rate limiting end to end: real HTTP to the router's routes on port 0, with the limiter in front of a
//! recording handler or inside the gateway (after authentication, before the pipeline and its subgraphs).
//!
//! The Redis tests need `PLATFORM_TEST_REDIS_URL` and are reported skipped without it; each uses its own key
//! prefix, so runs share one Redis safely. The closed-port tests need no Redis at all.

#![allow(unused_crate_dependencies)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Json;
use axum::routing::post as post_route;
use kernel::auth::{IssuerConfig, JwksSource, JwtVerifier, SigningKey, TokenIssuer, VerifierConfig};
use kernel::cache::CacheBackend;
use kernel::server::{Server, ServerConfig};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use router::auth::Authenticator;
use router::config::{AuthConfig, BucketConfig, RateLimitConfig, RouterConfig, SubgraphOverride};
use router::gateway::{Gateway, build_pipeline};
use router::http::{self, GraphQLHandler, GraphQLRequest, GraphQLResponse, HttpOptions, RequestContext};
use router::rate_limit::{ClientKeySource, OnStoreError, RateLimited, RateLimiter};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

const QUERY: &str = r#"{"query":"{ users { id } }"}"#;
const ISSUER: &str = "https://id.example";

/// Counts the requests that reach it and answers each with 200.
#[derive(Default)]
struct RecordingHandler {
    seen: AtomicUsize,
}

#[async_trait::async_trait]
impl GraphQLHandler for RecordingHandler {
    async fn execute(&self, _: GraphQLRequest, _: RequestContext) -> GraphQLResponse {
        self.seen.fetch_add(1, Ordering::SeqCst);
        GraphQLResponse::ok(r#"{"data":{"ok":true}}"#)
    }
}

/// A server on a loopback port; stopped when dropped.
struct TestServer {
    addr: SocketAddr,
    stop: CancellationToken,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl TestServer {
    async fn start(handler: Arc<dyn GraphQLHandler>) -> Self {
        Self::serve(http::router(handler, HttpOptions::default())).await
    }

    async fn serve(routes: axum::Router) -> Self {
        let config = ServerConfig {
            http_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ..ServerConfig::default()
        };
        let server = Server::builder(config).http(routes).bind().await.expect("binds port 0");
        let addr = server.http_addr();
        let stop = server.shutdown_token();
        tokio::spawn(server.run_until(std::future::pending()));
        Self { addr, stop }
    }

    /// A recording handler behind a limiter built from `config`.
    async fn limited(config: &RateLimitConfig) -> (Self, Arc<RecordingHandler>) {
        let recording = Arc::new(RecordingHandler::default());
        let limiter = RateLimiter::from_config(config)
            .expect("a valid section")
            .expect("enabled");
        let handler = RateLimited::new(Arc::new(limiter), Arc::clone(&recording) as Arc<dyn GraphQLHandler>);
        (Self::start(Arc::new(handler)).await, recording)
    }
}

/// A client whose connections come from `source` (any 127.x.y.z reaches the loopback listener).
fn client_from(source: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::from(source)))
        .build()
        .expect("a client")
}

async fn post(client: &reqwest::Client, server: &TestServer, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = client
        .post(format!("http://{}/graphql", server.addr))
        .header(CONTENT_TYPE, "application/json")
        .body(QUERY);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("the server answers")
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get(RETRY_AFTER)
        .unwrap_or_else(|| panic!("no Retry-After on a {}", response.status()))
        .to_str()
        .expect("ASCII")
        .parse()
        .expect("whole seconds")
}

async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("a JSON body");
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code in {body}"))
        .to_owned()
}

fn config(per_client: (u32, f64), client_key: ClientKeySource) -> RateLimitConfig {
    RateLimitConfig {
        enabled: true,
        per_client: BucketConfig {
            capacity: per_client.0,
            refill_per_sec: per_client.1,
        },
        client_key,
        ..RateLimitConfig::default()
    }
}

#[tokio::test]
async fn a_client_over_its_bucket_gets_429_while_another_address_gets_through() {
    let (server, recording) = TestServer::limited(&config((2, 0.5), ClientKeySource::Address)).await;
    let first = client_from([127, 0, 0, 1]);
    let second = client_from([127, 0, 0, 2]);
    for _ in 0..2 {
        assert_eq!(post(&first, &server, &[]).await.status(), StatusCode::OK);
    }
    // Over the limit in either media type: 429, not the legacy format's 200.
    for accept in ["application/json", "application/graphql-response+json"] {
        let refused = post(&first, &server, &[("accept", accept)]).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "{accept}");
        assert_eq!(retry_after(&refused), 2, "one token at 0.5 a second");
        assert!(refused.headers().contains_key("x-request-id"));
        assert_eq!(error_code(refused).await, "RATE_LIMITED");
    }
    assert_eq!(post(&second, &server, &[]).await.status(), StatusCode::OK);
    assert_eq!(
        recording.seen.load(Ordering::SeqCst),
        3,
        "refused requests never reach the handler"
    );
}

#[tokio::test]
async fn the_bucket_refills_and_the_request_passes_after_the_advertised_wait() {
    let (server, recording) = TestServer::limited(&config((1, 2.0), ClientKeySource::Address)).await;
    let client = client_from([127, 0, 0, 1]);
    assert_eq!(post(&client, &server, &[]).await.status(), StatusCode::OK);
    let refused = post(&client, &server, &[]).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&refused);
    assert_eq!(wait, 1, "half a second, rounded up to whole seconds");
    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(post(&client, &server, &[]).await.status(), StatusCode::OK);
    assert_eq!(recording.seen.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn api_keys_tell_clients_on_one_address_apart() {
    let (server, recording) = TestServer::limited(&config((1, 0.01), ClientKeySource::ApiKey)).await;
    let client = client_from([127, 0, 0, 1]);
    assert_eq!(
        post(&client, &server, &[("x-api-key", "one")]).await.status(),
        StatusCode::OK
    );
    let refused = post(&client, &server, &[("x-api-key", "one")]).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&refused), 100);
    assert_eq!(
        post(&client, &server, &[("x-api-key", "two")]).await.status(),
        StatusCode::OK
    );
    // Without a key the address is the client, and it has not spent anything yet.
    assert_eq!(post(&client, &server, &[]).await.status(), StatusCode::OK);
    assert_eq!(recording.seen.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_global_bucket_limits_every_client() {
    let mut section = config((100, 100.0), ClientKeySource::Address);
    section.global = Some(BucketConfig {
        capacity: 2,
        refill_per_sec: 0.1,
    });
    let (server, recording) = TestServer::limited(&section).await;
    let clients = [[127, 0, 0, 1], [127, 0, 0, 2], [127, 0, 0, 3]].map(client_from);
    assert_eq!(post(&clients[0], &server, &[]).await.status(), StatusCode::OK);
    assert_eq!(post(&clients[1], &server, &[]).await.status(), StatusCode::OK);
    let refused = post(&clients[2], &server, &[]).await;
    assert_eq!(
        refused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a fresh client meets the global limit"
    );
    assert_eq!(retry_after(&refused), 10);
    assert_eq!(error_code(refused).await, "RATE_LIMITED");
    assert_eq!(recording.seen.load(Ordering::SeqCst), 2);
}

/// An address nothing listens on: a port bound and released.
fn closed_port_url() -> SecretString {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free port");
    let port = listener.local_addr().expect("an address").port();
    drop(listener);
    SecretString::from(format!("redis://127.0.0.1:{port}"))
}

fn redis_config(url: SecretString, prefix: &str, per_client: (u32, f64)) -> RateLimitConfig {
    let mut section = config(per_client, ClientKeySource::Address);
    section.cache.backend = CacheBackend::Redis;
    section.cache.url = url;
    section.cache.key_prefix = prefix.to_owned();
    section.cache.command_timeout_ms = 500;
    section
}

#[tokio::test]
async fn an_unreachable_redis_lets_requests_through_by_default() {
    let section = redis_config(closed_port_url(), "router:rl:test", (1, 0.01));
    assert_eq!(section.on_store_error, OnStoreError::Allow, "the default");
    let (server, recording) = TestServer::limited(&section).await;
    let client = client_from([127, 0, 0, 1]);
    for _ in 0..3 {
        assert_eq!(post(&client, &server, &[]).await.status(), StatusCode::OK);
    }
    assert_eq!(recording.seen.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_unreachable_redis_refuses_requests_when_configured_to_deny() {
    let mut section = redis_config(closed_port_url(), "router:rl:test", (100, 100.0));
    section.on_store_error = OnStoreError::Deny;
    let (server, recording) = TestServer::limited(&section).await;
    let client = client_from([127, 0, 0, 1]);
    for _ in 0..2 {
        let refused = post(&client, &server, &[("accept", "application/graphql-response+json")]).await;
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after(&refused), 1);
        assert_eq!(error_code(refused).await, "SERVICE_UNAVAILABLE");
    }
    assert_eq!(recording.seen.load(Ordering::SeqCst), 0);
}

#[tokio::test]
#[cfg_attr(not(backend_redis), ignore = "PLATFORM_TEST_REDIS_URL is not set")]
async fn two_limiters_over_one_redis_share_a_bucket_that_expires_when_idle() {
    let url = std::env::var("PLATFORM_TEST_REDIS_URL").expect("PLATFORM_TEST_REDIS_URL is set");
    let prefix = format!("router:rl:test:{}", uuid::Uuid::now_v7().simple());
    let section = redis_config(SecretString::from(url.clone()), &prefix, (3, 1.0));
    // Two replicas, each with its own limiter and connection.
    let (one, one_seen) = TestServer::limited(&section).await;
    let (two, two_seen) = TestServer::limited(&section).await;
    let client = client_from([127, 0, 0, 1]);
    assert_eq!(post(&client, &one, &[]).await.status(), StatusCode::OK);
    assert_eq!(post(&client, &two, &[]).await.status(), StatusCode::OK);
    assert_eq!(post(&client, &one, &[]).await.status(), StatusCode::OK);
    let refused = post(&client, &two, &[]).await;
    assert_eq!(
        refused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the fourth request, on either replica"
    );
    assert_eq!(error_code(refused).await, "RATE_LIMITED");
    assert_eq!(post(&client, &one, &[]).await.status(), StatusCode::TOO_MANY_REQUESTS);
    let other = client_from([127, 0, 0, 2]);
    assert_eq!(post(&other, &two, &[]).await.status(), StatusCode::OK, "another client");
    assert_eq!(one_seen.load() + two_seen.load(), 4);

    let redis = redis::Client::open(url).expect("a Redis URL");
    let mut connection = redis.get_multiplexed_async_connection().await.expect("Redis answers");
    let ttl_ms: i64 = redis::cmd("PTTL")
        .arg(format!("{prefix}:client:ip:127.0.0.1"))
        .query_async(&mut connection)
        .await
        .expect("PTTL");
    assert!(
        (1..=3_000).contains(&ttl_ms),
        "an idle bucket expires once it would be full again: {ttl_ms} ms"
    );

    let refused = post(&client, &two, &[]).await;
    let wait = retry_after(&refused);
    assert_eq!(wait, 1);
    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(
        post(&client, &one, &[]).await.status(),
        StatusCode::OK,
        "refilled for both replicas"
    );
}

#[tokio::test]
#[cfg_attr(not(backend_redis), ignore = "PLATFORM_TEST_REDIS_URL is not set")]
async fn a_global_bucket_in_redis_is_shared_by_every_replica() {
    let url = std::env::var("PLATFORM_TEST_REDIS_URL").expect("PLATFORM_TEST_REDIS_URL is set");
    let prefix = format!("router:rl:test:{}", uuid::Uuid::now_v7().simple());
    let mut section = redis_config(SecretString::from(url), &prefix, (100, 100.0));
    section.global = Some(BucketConfig {
        capacity: 2,
        refill_per_sec: 0.1,
    });
    let (one, _) = TestServer::limited(&section).await;
    let (two, _) = TestServer::limited(&section).await;
    assert_eq!(
        post(&client_from([127, 0, 0, 1]), &one, &[]).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        post(&client_from([127, 0, 0, 2]), &two, &[]).await.status(),
        StatusCode::OK
    );
    let refused = post(&client_from([127, 0, 0, 3]), &one, &[]).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&refused), 10);
}

impl RecordingHandler {
    fn load(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }
}

/// A subgraph standing in for `accounts`: answers `users` and counts the requests it gets.
async fn accounts_subgraph() -> (TestServer, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let routes = axum::Router::new().route(
        "/graphql",
        post_route(move || {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                Json(json!({"data": {"users": [{"id": "1"}]}}))
            }
        }),
    );
    (TestServer::serve(routes).await, hits)
}

#[tokio::test]
async fn the_gateway_limits_verified_subjects_before_any_subgraph_is_called() {
    let (subgraph, hits) = accounts_subgraph().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("supergraph.graphql");
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/federation/supergraph.graphql"
    );
    std::fs::copy(fixture, &path).expect("copy the federation fixture");
    let mut config = RouterConfig::default();
    config.subgraphs.overrides.insert(
        "accounts".to_owned(),
        SubgraphOverride {
            url: Some(format!("http://{}/graphql", subgraph.addr)),
            ..SubgraphOverride::default()
        },
    );
    config.auth = AuthConfig {
        enabled: true,
        ..AuthConfig::default()
    };
    config.rate_limit = router::config::RateLimitConfig {
        enabled: true,
        per_client: BucketConfig {
            capacity: 2,
            refill_per_sec: 0.01,
        },
        ..RateLimitConfig::default()
    };

    let issuer = TokenIssuer::new(
        IssuerConfig {
            issuer: ISSUER.to_owned(),
            audience: "platform".to_owned(),
            access_token_ttl_secs: 300,
        },
        SigningKey::generate_ed25519("k1").expect("a key"),
    );
    let verifier = JwtVerifier::new(
        VerifierConfig {
            issuer: ISSUER.to_owned(),
            audience: "platform".to_owned(),
            ..VerifierConfig::default()
        },
        JwksSource::from_jwks(&issuer.jwks()),
    );
    let authenticator = Authenticator::with_verifiers(&config.auth, vec![verifier]).expect("valid auth");
    let limiter = RateLimiter::from_config(&config.rate_limit)
        .expect("valid")
        .expect("enabled");
    let pipeline = build_pipeline(&config, &path).expect("the fixture builds");
    let gateway = Gateway::new(pipeline)
        .with_authenticator(authenticator)
        .with_rate_limiter(limiter);
    let server = TestServer::start(Arc::new(gateway)).await;

    let bearer = |subject: &str| {
        let token = issuer.issue(subject, vec![], "").expect("a token").token;
        format!("Bearer {token}")
    };
    let (alice, bob) = (bearer("alice"), bearer("bob"));
    let client = client_from([127, 0, 0, 1]);
    for _ in 0..2 {
        let response = post(&client, &server, &[(AUTHORIZATION.as_str(), &alice)]).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body, json!({"data": {"users": [{"id": "1"}]}}));
    }
    let refused = post(
        &client,
        &server,
        &[(AUTHORIZATION.as_str(), &alice), (ACCEPT.as_str(), "*/*")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&refused), 100);
    assert_eq!(error_code(refused).await, "RATE_LIMITED");
    // Another subject from the same address, and the anonymous address bucket, are untouched.
    assert_eq!(
        post(&client, &server, &[(AUTHORIZATION.as_str(), &bob)]).await.status(),
        StatusCode::OK
    );
    assert_eq!(post(&client, &server, &[]).await.status(), StatusCode::OK);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        4,
        "the refused request never reached the subgraph"
    );
    // A token that fails verification is refused by authentication, which runs first.
    let forged = post(&client, &server, &[(AUTHORIZATION.as_str(), "Bearer not.a.token")]).await;
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
}

#[test]
fn the_section_loads_from_toml_and_environment_and_bad_limits_name_their_key() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("router.toml");
    std::fs::write(
        &file,
        "[rate_limit]\nenabled = true\nper_client = { capacity = 5, refill_per_sec = 0.5 }\n\
         client_key = \"address\"\n[rate_limit.cache]\nbackend = \"redis\"\n",
    )
    .expect("write the config");
    let env = [("PLATFORM__RATE_LIMIT__GLOBAL__CAPACITY".to_owned(), "50".to_owned())];
    let partial = RouterConfig::load_with_env(Some(&file), env.clone());
    let error = partial.expect_err("a global bucket needs its refill rate too");
    assert!(error.to_string().contains("rate_limit.global"), "{error}");

    let env = [
        env[0].clone(),
        (
            "PLATFORM__RATE_LIMIT__GLOBAL__REFILL_PER_SEC".to_owned(),
            "20".to_owned(),
        ),
    ];
    let loaded = RouterConfig::load_with_env(Some(&file), env).expect("a valid config");
    let section = &loaded.rate_limit;
    assert_eq!(section.per_client.capacity, 5);
    assert_eq!(section.global.as_ref().map(|global| global.capacity), Some(50));
    assert_eq!(section.client_key, ClientKeySource::Address);
    assert_eq!(section.cache.backend, CacheBackend::Redis);
    assert_eq!(section.key_prefix(), "router:rl");

    let mut zero = section.clone();
    zero.per_client.capacity = 0;
    let error = RateLimiter::from_config(&zero).expect_err("nothing would ever run");
    assert!(error.to_string().contains("rate_limit.per_client.capacity"), "{error}");
    let mut header = section.clone();
    header.api_key_header = "bad header".to_owned();
    assert!(RateLimiter::from_config(&header).is_err());
    assert!(
        RateLimiter::from_config(&RateLimitConfig::default())
            .expect("valid")
            .is_none(),
        "off by default"
    );
}
