//! Process-wide telemetry start-up. It installs global state, so this binary holds a single test.
#![allow(unused_crate_dependencies)]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use kernel::server::{Server, ServerConfig};
use kernel::telemetry::{self, LogFormat, TelemetryConfig, TelemetryError};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use tokio::sync::mpsc;
use tonic::service::Routes;

/// An OTLP collector that hands every export request to the test.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_exports_spans_sets_the_w3c_propagator_and_refuses_a_second_init() {
    let (sender, mut received) = mpsc::unbounded_channel();
    let localhost = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let collector = Server::builder(ServerConfig {
        http_addr: localhost,
        grpc_addr: Some(localhost),
        ..Default::default()
    })
    .grpc(Routes::new(TraceServiceServer::new(Collector(sender))))
    .bind()
    .await
    .unwrap();
    let config = TelemetryConfig {
        log_format: LogFormat::Json,
        otlp_endpoint: Some(format!("http://{}", collector.grpc_addr().unwrap())),
        ..TelemetryConfig::default()
    };
    let stop = collector.shutdown_token();
    let serving = tokio::spawn(collector.run_until(std::future::pending()));

    let guard = telemetry::init("billing", &config).unwrap();
    assert!(guard.is_exporting());
    tracing::info_span!("charge-card").in_scope(|| tracing::info!("charged"));

    let fields = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.fields().map(str::to_owned).collect::<Vec<_>>()
    });
    assert!(fields.contains(&"traceparent".to_owned()), "{fields:?}");

    let second = telemetry::init("billing", &TelemetryConfig::default()).unwrap_err();
    assert!(matches!(second, TelemetryError::AlreadyInitialized(_)), "{second}");

    tokio::task::spawn_blocking(move || guard.shutdown())
        .await
        .unwrap()
        .unwrap();
    let export = tokio::time::timeout(Duration::from_secs(5), received.recv())
        .await
        .unwrap()
        .unwrap();
    let names: Vec<String> = export
        .resource_spans
        .iter()
        .flat_map(|resource| &resource.scope_spans)
        .flat_map(|scope| &scope.spans)
        .map(|span| span.name.clone())
        .collect();
    assert!(names.contains(&"charge-card".to_owned()), "{names:?}");

    stop.cancel();
    serving.await.unwrap();
}
