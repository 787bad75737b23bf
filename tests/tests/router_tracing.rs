//! One trace per request, end to end: the router exports its spans over OTLP (parse, validate, plan, execute and
//! one fetch per subgraph request) under the request's trace, and the subgraph receives the fetch span as its
//! parent in `traceparent`. Telemetry installs process-wide state, so this binary holds a single test.

#![allow(unused_crate_dependencies)]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use kernel::server::{Server, ServerConfig};
use kernel::telemetry::{LogFormat, TelemetryConfig};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::trace::v1::Span;
use parking_lot::Mutex;
use router::config::{RouterConfig, SubgraphOverride};
use serde_json::json;
use tokio::sync::mpsc;
use tonic::service::Routes;

/// An OTLP collector that hands every export to the test.
struct Collector(mpsc::UnboundedSender<ExportTraceServiceRequest>);

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let _ = self.0.send(request.into_inner());
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

/// A stand-in for the accounts subgraph that answers `users` and keeps each request's `traceparent`.
async fn accounts(seen: Arc<Mutex<Vec<String>>>) -> String {
    let app = axum::Router::new().route(
        "/graphql",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let seen = Arc::clone(&seen);
            async move {
                if let Some(value) = headers.get("traceparent").and_then(|value| value.to_str().ok()) {
                    seen.lock().push(value.to_owned());
                }
                axum::Json(json!({ "data": { "users": [{ "id": "u1", "name": "Ada" }] } }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/graphql", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_one_trace_and_the_subgraph_continues_it() {
    let (sender, mut exports) = mpsc::unbounded_channel();
    let localhost = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let collector = Server::builder(ServerConfig {
        http_addr: localhost,
        grpc_addr: Some(localhost),
        ..ServerConfig::default()
    })
    .grpc(Routes::new(TraceServiceServer::new(Collector(sender))))
    .bind()
    .await
    .expect("the collector binds");
    let telemetry = TelemetryConfig {
        log_format: LogFormat::Json,
        otlp_endpoint: Some(format!("http://{}", collector.grpc_addr().expect("gRPC"))),
        ..TelemetryConfig::default()
    };
    tokio::spawn(collector.run_until(std::future::pending()));
    let guard = kernel::telemetry::init("router", &telemetry).expect("telemetry starts");

    let seen = Arc::new(Mutex::new(Vec::new()));
    let accounts_url = accounts(Arc::clone(&seen)).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("supergraph.graphql");
    let fixture = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/federation/supergraph.graphql"
    ))
    .expect("the fixture");
    std::fs::write(&path, fixture).expect("write the supergraph");
    let mut config = RouterConfig::default();
    config.listen.http_addr = localhost;
    config.listen.shutdown_grace_ms = 100;
    config.supergraph.path = Some(path);
    config.supergraph.watch_interval_ms = 0;
    config.subgraphs.overrides.insert(
        "accounts".to_owned(),
        SubgraphOverride {
            url: Some(accounts_url),
            ..SubgraphOverride::default()
        },
    );
    let running = router::gateway::start(config, Some(guard))
        .await
        .expect("the router starts");
    let url = format!("http://{}/graphql", running.server.http_addr());
    let stop = running.server.shutdown_token();
    let serving = tokio::spawn(running.server.run_until(std::future::pending()));

    let body: serde_json::Value = reqwest::Client::new()
        .post(&url)
        .json(&json!({ "query": "query Everyone { users { id name } }", "operationName": "Everyone" }))
        .send()
        .await
        .expect("the router answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["data"]["users"][0]["name"], "Ada", "{body}");
    // Shutting the server down flushes the exporter.
    stop.cancel();
    serving.await.expect("the server stops");

    let mut spans: Vec<Span> = Vec::new();
    while let Ok(Some(export)) = tokio::time::timeout(Duration::from_secs(5), exports.recv()).await {
        spans.extend(
            export
                .resource_spans
                .into_iter()
                .flat_map(|resource| resource.scope_spans)
                .flat_map(|scope| scope.spans),
        );
        if spans.iter().any(|span| span.name == "fetch") && spans.iter().any(|span| span.name == "validate") {
            break;
        }
    }
    let fetch = spans.iter().find(|span| span.name == "fetch").expect("a fetch span");
    for stage in ["parse", "validate", "plan", "execute"] {
        let span = spans.iter().find(|span| span.name == stage).unwrap_or_else(|| {
            panic!(
                "no {stage} span among {:?}",
                spans.iter().map(|s| &s.name).collect::<Vec<_>>()
            )
        });
        assert_eq!(span.trace_id, fetch.trace_id, "{stage} belongs to the request's trace");
    }
    let hex = |bytes: &[u8]| bytes.iter().map(|byte| format!("{byte:02x}")).collect::<String>();
    let traceparent = seen.lock().first().cloned().expect("the subgraph got a traceparent");
    let parts: Vec<&str> = traceparent.split('-').collect();
    assert_eq!(parts[1], hex(&fetch.trace_id), "{traceparent}");
    assert_eq!(
        parts[2],
        hex(&fetch.span_id),
        "the fetch span is the subgraph's parent: {traceparent}"
    );
}
