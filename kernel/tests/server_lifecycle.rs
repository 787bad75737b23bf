//! A service's server from bind to shutdown, over real sockets: health, metrics, gRPC with propagated context,
//! and graceful shutdown with its grace period.
#![allow(unused_crate_dependencies)]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::{get, post};
use kernel::grpc::{self, ContextInterceptor, GrpcClientConfig};
use kernel::health::{self, Health};
use kernel::server::{BoundServer, Server, ServerConfig, ShutdownReport};
use kernel::telemetry::Metrics;
use kernel::telemetry::propagation::trace_id;
use opentelemetry::trace::TracerProvider;
use parking_lot::Mutex;
use proto::audit::v1::audit_service_client::AuditServiceClient;
use proto::audit::v1::audit_service_server::{AuditService, AuditServiceServer};
use proto::audit::v1::{RecordRequest, RecordResponse};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tonic::service::Routes;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;

fn local_port_zero() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

fn config(grace_ms: u64) -> ServerConfig {
    ServerConfig {
        http_addr: local_port_zero(),
        shutdown_grace_ms: grace_ms,
        ..ServerConfig::default()
    }
}

fn start(server: BoundServer) -> JoinHandle<ShutdownReport> {
    tokio::spawn(server.run_until(std::future::pending()))
}

async fn get_json(url: String) -> (u16, Value) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn server_on_port_zero_serves_routes_health_and_metrics() {
    let router = Router::new().route("/hello/{name}", get(|| async { "hello" })).route(
        "/peer",
        get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
    );
    let metrics = Metrics::new();
    let server = Server::builder(config(1_000))
        .http(router)
        .metrics(metrics.clone())
        .bind()
        .await
        .unwrap();
    let base = format!("http://{}", server.http_addr());
    assert_ne!(server.http_addr().port(), 0);
    assert_eq!(server.grpc_addr(), None);
    let stop = server.shutdown_token();
    let serving = start(server);

    assert_eq!(
        reqwest::get(format!("{base}/hello/ann"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "hello"
    );
    reqwest::get(format!("{base}/hello/bob")).await.unwrap();
    assert_eq!(
        reqwest::get(format!("{base}/peer"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "127.0.0.1"
    );
    assert_eq!(
        get_json(format!("{base}/healthz")).await,
        (200, json!({"status": "ok"}))
    );
    assert_eq!(
        get_json(format!("{base}/readyz")).await,
        (200, json!({"status": "ok", "checks": {}}))
    );

    let response = reqwest::get(format!("{base}/metrics")).await.unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains(r#"http_server_requests_total{method="GET",route="/hello/{name}",status="200"} 2"#),
        "{text}"
    );
    assert!(
        text.contains(r#"http_server_requests_total{method="GET",route="/healthz",status="200"} 1"#),
        "{text}"
    );

    stop.cancel();
    assert_eq!(serving.await.unwrap(), ShutdownReport { aborted_connections: 0 });
}

#[tokio::test]
async fn readiness_names_the_failing_dependency() {
    let health = Health::new()
        .with_check(health::from_fn("database", || async { Ok(()) }))
        .with_check(health::from_fn("cache", || async {
            Err("connection refused".to_owned())
        }));
    let server = Server::builder(config(1_000)).health(health).bind().await.unwrap();
    let base = format!("http://{}", server.http_addr());
    let stop = server.shutdown_token();
    let serving = start(server);

    let (status, body) = get_json(format!("{base}/readyz")).await;
    assert_eq!(status, 503);
    assert_eq!(
        body,
        json!({
            "status": "unavailable",
            "checks": {"database": {"status": "up"}, "cache": {"status": "down", "error": "connection refused"}}
        })
    );

    stop.cancel();
    serving.await.unwrap();
}

#[tokio::test]
async fn oversized_request_body_is_rejected() {
    let router = Router::new().route("/upload", post(|body: String| async move { body.len().to_string() }));
    let config = ServerConfig {
        request_body_limit_bytes: 16,
        ..config(1_000)
    };
    let server = Server::builder(config).http(router).bind().await.unwrap();
    let url = format!("http://{}/upload", server.http_addr());
    let stop = server.shutdown_token();
    let serving = start(server);

    let client = reqwest::Client::new();
    assert_eq!(client.post(&url).body("small").send().await.unwrap().status(), 200);
    assert_eq!(
        client.post(&url).body("x".repeat(64)).send().await.unwrap().status(),
        413
    );

    stop.cancel();
    serving.await.unwrap();
}

/// A router whose `/slow` handler signals when it starts, then takes `duration` to answer.
fn slow_router(started: Arc<Notify>, duration: Duration) -> Router {
    Router::new().route(
        "/slow",
        get(move || {
            let started = Arc::clone(&started);
            async move {
                started.notify_one();
                tokio::time::sleep(duration).await;
                "done"
            }
        }),
    )
}

#[tokio::test]
async fn in_flight_request_completes_while_new_connections_are_refused() {
    let started = Arc::new(Notify::new());
    let health = Health::new();
    let server = Server::builder(config(5_000))
        .http(slow_router(Arc::clone(&started), Duration::from_millis(700)))
        .health(health.clone())
        .bind()
        .await
        .unwrap();
    let addr = server.http_addr();
    let stop = server.shutdown_token();
    let serving = start(server);

    let in_flight = tokio::spawn(reqwest::get(format!("http://{addr}/slow")));
    started.notified().await;
    stop.cancel();

    let refused_by = Instant::now() + Duration::from_secs(2);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < refused_by, "the listener still accepts connections");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(health.is_draining());
    assert!(!serving.is_finished(), "the server must wait for the in-flight request");

    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "done");
    assert_eq!(serving.await.unwrap(), ShutdownReport { aborted_connections: 0 });
}

#[tokio::test]
async fn request_outliving_the_grace_period_is_cut_off() {
    let started = Arc::new(Notify::new());
    let server = Server::builder(config(200))
        .http(slow_router(Arc::clone(&started), Duration::from_secs(30)))
        .bind()
        .await
        .unwrap();
    let addr = server.http_addr();
    let stop = server.shutdown_token();
    let serving = start(server);

    let in_flight = tokio::spawn(reqwest::get(format!("http://{addr}/slow")));
    started.notified().await;
    let shutdown_began = Instant::now();
    stop.cancel();

    let report = tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report, ShutdownReport { aborted_connections: 1 });
    let took = shutdown_began.elapsed();
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(3),
        "shutdown took {took:?}"
    );
    assert!(
        in_flight.await.unwrap().is_err(),
        "the cut-off request must fail on the client"
    );
}

/// What the audit service saw of its caller.
#[derive(Default)]
struct SeenCaller {
    trace_id: Option<String>,
    token: Option<String>,
}

struct RecordingAudit(Arc<Mutex<SeenCaller>>);

#[tonic::async_trait]
impl AuditService for RecordingAudit {
    async fn record(
        &self,
        request: tonic::Request<RecordRequest>,
    ) -> Result<tonic::Response<RecordResponse>, tonic::Status> {
        let mut seen = self.0.lock();
        seen.trace_id = trace_id(&grpc::trace_parent(&request));
        seen.token = grpc::bearer_token(request.metadata()).map(|token| token.expose_secret().to_owned());
        Ok(tonic::Response::new(RecordResponse { created: true }))
    }
}

#[tokio::test]
async fn grpc_listener_receives_the_callers_trace_and_token() {
    let seen = Arc::new(Mutex::new(SeenCaller::default()));
    let metrics = Metrics::new();
    let config = ServerConfig {
        grpc_addr: Some(local_port_zero()),
        ..config(1_000)
    };
    let server = Server::builder(config)
        .grpc(Routes::new(AuditServiceServer::new(RecordingAudit(Arc::clone(&seen)))))
        .metrics(metrics.clone())
        .bind()
        .await
        .unwrap();
    let grpc_addr = server.grpc_addr().unwrap();
    let stop = server.shutdown_token();
    let serving = start(server);

    // The client side needs an OpenTelemetry layer so the current span has a trace to propagate.
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    let subscriber =
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(provider.tracer("client")));
    let _default = tracing::subscriber::set_default(subscriber);
    let span = tracing::info_span!("publish-post");
    let expected_trace = trace_id(&span.context());
    assert!(expected_trace.is_some());

    let channel = grpc::channel(&grpc_addr.to_string(), &GrpcClientConfig::default()).unwrap();
    let mut client = AuditServiceClient::with_interceptor(channel, ContextInterceptor::new());
    let call = async {
        client
            .record(RecordRequest {
                id: "01".into(),
                ..RecordRequest::default()
            })
            .await
    };
    let response = grpc::with_forwarded_token(SecretString::from("user.jwt.sig"), call.instrument(span))
        .await
        .unwrap();
    assert!(response.into_inner().created);
    {
        let seen = seen.lock();
        assert_eq!(seen.trace_id, expected_trace);
        assert_eq!(seen.token.as_deref(), Some("user.jwt.sig"));
    }

    let text = metrics.encode().unwrap();
    assert!(
        text.contains(
            r#"http_server_requests_total{method="POST",route="/audit.v1.AuditService/Record",status="200"} 1"#
        ),
        "{text}"
    );

    stop.cancel();
    assert_eq!(serving.await.unwrap(), ShutdownReport { aborted_connections: 0 });
}
