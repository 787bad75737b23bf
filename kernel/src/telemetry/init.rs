//! Process-wide start-up of logs and traces, and the guard that flushes them at exit.

use std::io::IsTerminal;
use std::time::Duration;

use opentelemetry::global;
use opentelemetry::trace::TracerProvider;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use super::config::TelemetryConfig;
use super::error::TelemetryError;
use super::logging::{env_filter, fmt_layer};

/// Installs the global `tracing` subscriber (logs to stdout, and spans to OTLP when `otlp_endpoint` is set) and
/// the W3C TraceContext propagator. Call once, early in `main`, inside the Tokio runtime when exporting.
///
/// Keep the returned guard alive for the life of the process; shutting it down flushes spans not yet exported.
pub fn init(service_name: &str, config: &TelemetryConfig) -> Result<TelemetryGuard, TelemetryError> {
    let filter = env_filter(&config.log_level)?;
    let provider = match &config.otlp_endpoint {
        Some(endpoint) => Some(otlp_tracer_provider(service_name, endpoint, config)?),
        None => None,
    };
    let otel_layer = provider
        .as_ref()
        .map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer(service_name.to_owned())));
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(fmt_layer(
            config.log_format,
            std::io::stdout().is_terminal(),
            std::io::stdout,
        ))
        .with(otel_layer)
        .try_init();
    if let Err(error) = installed {
        if let Some(provider) = provider {
            // Stops the exporter's worker thread; the init error is the one worth reporting.
            let _ = provider.shutdown();
        }
        return Err(error.into());
    }
    global::set_text_map_propagator(TraceContextPropagator::new());
    if let Some(provider) = &provider {
        global::set_tracer_provider(provider.clone());
    }
    Ok(TelemetryGuard {
        provider,
        flush_timeout: Duration::from_millis(config.otlp_timeout_ms),
    })
}

/// Builds a tracer provider that batches spans to an OTLP/gRPC collector at `endpoint`.
///
/// The exporter's channel is created on the current Tokio runtime, so this fails outside one.
pub fn otlp_tracer_provider(
    service_name: &str,
    endpoint: &str,
    config: &TelemetryConfig,
) -> Result<SdkTracerProvider, TelemetryError> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(TelemetryError::NoRuntime);
    }
    let ratio = config.trace_sample_ratio;
    if !(0.0..=1.0).contains(&ratio) {
        return Err(TelemetryError::InvalidSampleRatio(ratio));
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .with_timeout(Duration::from_millis(config.otlp_timeout_ms))
        .build()?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(ratio))))
        .with_resource(Resource::builder().with_service_name(service_name.to_owned()).build())
        .build())
}

/// Owns the tracer provider; shutting it down (explicitly or on drop) exports the spans still buffered.
#[must_use = "dropping the guard immediately stops trace export"]
#[derive(Debug)]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
    flush_timeout: Duration,
}

impl TelemetryGuard {
    /// A guard with nothing to flush, for services and tests that run without trace export.
    pub fn disabled() -> Self {
        Self {
            provider: None,
            flush_timeout: Duration::ZERO,
        }
    }

    /// Wraps a tracer provider built elsewhere (e.g. by [`otlp_tracer_provider`]) so it is flushed at shutdown.
    pub fn from_provider(provider: SdkTracerProvider, flush_timeout: Duration) -> Self {
        Self {
            provider: Some(provider),
            flush_timeout,
        }
    }

    /// Whether spans are being exported.
    pub fn is_exporting(&self) -> bool {
        self.provider.is_some()
    }

    /// Exports the buffered spans and stops the exporter, waiting at most the configured OTLP timeout.
    ///
    /// This blocks the calling thread; from async code run it on `tokio::task::spawn_blocking`, since the
    /// exporter needs the runtime's other threads to make progress.
    pub fn shutdown(mut self) -> Result<(), TelemetryError> {
        self.flush()
    }

    fn flush(&mut self) -> Result<(), TelemetryError> {
        match self.provider.take() {
            Some(provider) => Ok(provider.shutdown_with_timeout(self.flush_timeout)?),
            None => Ok(()),
        }
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Err(error) = self.flush() {
            // The subscriber may already be gone at this point, so stderr is the only reliable place.
            eprintln!("{error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
    use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    use tonic::service::Routes;

    use super::*;
    use crate::server::{Server, ServerConfig};

    #[test]
    fn exporter_outside_a_runtime_is_refused() {
        let error = otlp_tracer_provider("svc", "http://127.0.0.1:4317", &TelemetryConfig::default()).unwrap_err();
        assert!(matches!(error, TelemetryError::NoRuntime), "{error}");
    }

    #[tokio::test]
    async fn sample_ratio_above_one_is_refused() {
        let config = TelemetryConfig {
            trace_sample_ratio: 1.5,
            ..TelemetryConfig::default()
        };
        let error = otlp_tracer_provider("svc", "http://127.0.0.1:4317", &config).unwrap_err();
        assert!(error.to_string().contains("trace_sample_ratio"), "{error}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shutdown_with_an_unreachable_collector_returns_within_the_timeout() {
        let config = TelemetryConfig {
            otlp_timeout_ms: 300,
            ..TelemetryConfig::default()
        };
        // Port 9 (discard) is closed on test machines, so every export fails to connect.
        let provider = otlp_tracer_provider("svc", "http://127.0.0.1:9", &config).unwrap();
        let tracer = provider.tracer("test");
        opentelemetry::trace::Tracer::in_span(&tracer, "lost", |_| {});
        let guard = TelemetryGuard::from_provider(provider, Duration::from_millis(300));
        let started = std::time::Instant::now();
        let _ = tokio::task::spawn_blocking(move || guard.shutdown()).await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
    }

    /// An OTLP collector that hands every export request to the test.
    struct Collector(tokio::sync::mpsc::UnboundedSender<ExportTraceServiceRequest>);

    #[async_trait::async_trait]
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
    async fn spans_reach_the_otlp_collector_when_the_guard_shuts_down() {
        let (sender, mut received) = tokio::sync::mpsc::unbounded_channel();
        let localhost = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let config = ServerConfig {
            http_addr: localhost,
            grpc_addr: Some(localhost),
            ..ServerConfig::default()
        };
        let collector = Server::builder(config)
            .grpc(Routes::new(TraceServiceServer::new(Collector(sender))))
            .bind()
            .await
            .unwrap();
        let endpoint = format!("http://{}", collector.grpc_addr().unwrap());
        let stop = collector.shutdown_token();
        let serving = tokio::spawn(collector.run_until(std::future::pending()));

        let provider = otlp_tracer_provider("orders", &endpoint, &TelemetryConfig::default()).unwrap();
        let subscriber =
            tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(provider.tracer("orders")));
        tracing::subscriber::with_default(subscriber, || tracing::info_span!("place-order").in_scope(|| {}));
        let guard = TelemetryGuard::from_provider(provider, Duration::from_secs(5));
        tokio::task::spawn_blocking(move || guard.shutdown())
            .await
            .unwrap()
            .unwrap();

        let export = tokio::time::timeout(Duration::from_secs(5), received.recv())
            .await
            .unwrap()
            .unwrap();
        let resource_spans = &export.resource_spans[0];
        let service_name = resource_spans
            .resource
            .as_ref()
            .unwrap()
            .attributes
            .iter()
            .find(|kv| kv.key == "service.name");
        assert_eq!(
            service_name
                .and_then(|kv| kv.value.as_ref())
                .and_then(|value| value.value.clone()),
            Some(Value::StringValue("orders".into()))
        );
        assert_eq!(resource_spans.scope_spans[0].spans[0].name, "place-order");
        stop.cancel();
        serving.await.unwrap();
    }

    #[test]
    fn disabled_guard_shuts_down_cleanly() {
        let guard = TelemetryGuard::disabled();
        assert!(!guard.is_exporting());
        guard.shutdown().unwrap();
    }
}
