//! What can go wrong while starting, using or stopping telemetry.

use thiserror::Error;

/// A telemetry failure; start-up errors name the setting at fault.
#[derive(Debug, Error)]
pub enum TelemetryError {
    /// `log_level` (or `RUST_LOG`) is not a valid `tracing` filter.
    #[error("invalid log filter `{directives}` (telemetry.log_level or RUST_LOG): {source}")]
    InvalidFilter {
        /// The directives that failed to parse.
        directives: String,
        /// Why they failed.
        source: tracing_subscriber::filter::ParseError,
    },
    /// `trace_sample_ratio` lies outside 0.0..=1.0.
    #[error("telemetry.trace_sample_ratio must be between 0.0 and 1.0, got {0}")]
    InvalidSampleRatio(f64),
    /// The OTLP/gRPC exporter spawns onto Tokio, so it must be started inside a runtime.
    #[error("the OTLP exporter must be started inside a Tokio runtime")]
    NoRuntime,
    /// The OTLP exporter could not be built (e.g. the endpoint is not a valid URI).
    #[error("cannot build the OTLP exporter for telemetry.otlp_endpoint: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    /// A global `tracing` subscriber was already installed in this process.
    #[error("telemetry is already initialised in this process: {0}")]
    AlreadyInitialized(#[from] tracing_subscriber::util::TryInitError),
    /// Flushing or stopping the tracer provider failed; some spans may be lost.
    #[error("flushing traces at shutdown failed: {0}")]
    Shutdown(#[from] opentelemetry_sdk::error::OTelSdkError),
    /// A remote parent could not be attached to a span.
    #[error("cannot set the span's parent: {0}")]
    SetParent(#[from] tracing_opentelemetry::SetParentError),
    /// The metrics registry could not be written in the exposition format.
    #[error("cannot encode metrics: {0}")]
    Encode(#[from] std::fmt::Error),
}
