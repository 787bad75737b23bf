//! Logs, traces and metrics for every service and the router.
//!
//! [`init`] installs the `tracing` subscriber once per process: human-readable or JSON log lines on stdout, and
//! — when `otlp_endpoint` is configured — spans exported over OTLP/gRPC through `tracing-opentelemetry`. Trace
//! context crosses process boundaries as W3C `traceparent` ([`propagation`]); [`RequestTraceLayer`] continues an
//! incoming trace on the server side. [`Metrics`] is the Prometheus registry a service serves on `/metrics`,
//! with HTTP server metrics recorded by [`HttpMetricsLayer`].

mod config;
mod error;
mod http_metrics;
mod init;
mod logging;
mod metrics;
pub mod propagation;
mod trace_layer;

pub use config::{LogFormat, TelemetryConfig};
pub use error::TelemetryError;
pub use http_metrics::{HttpMetricsLayer, HttpMetricsService, MetricsBody};
pub use init::{TelemetryGuard, init, otlp_tracer_provider};
pub use logging::{env_filter, fmt_layer};
pub use metrics::{Metrics, OPENMETRICS_CONTENT_TYPE};
pub use trace_layer::{RequestTraceLayer, RequestTraceService};
