//! The Prometheus registry a service exposes on `GET /metrics`, and the HTTP server metrics it always carries.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use parking_lot::Mutex;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Metric, Registry, Unit};

use super::error::TelemetryError;
use super::http_metrics::HttpMetricsLayer;

/// Content type of the OpenMetrics text exposition that `/metrics` serves.
pub const OPENMETRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Upper bounds (seconds) of the request-latency buckets: 5 ms to 10 s, Prometheus' usual spread.
const LATENCY_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// A cloneable handle on the service's metrics registry; every clone shares the same registry.
///
/// It always holds the HTTP server metrics recorded by [`Metrics::http_layer`]; other modules add their own with
/// [`Metrics::register`] or [`Metrics::with_registry`].
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    // Registering needs `&mut Registry` while encoding needs `&Registry`; both are rare and short.
    registry: Mutex<Registry>,
    http: HttpMetrics,
}

impl Metrics {
    /// A fresh registry holding the HTTP server metrics.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let http = HttpMetrics::default();
        http.register(&mut registry);
        Self {
            inner: Arc::new(Inner {
                registry: Mutex::new(registry),
                http,
            }),
        }
    }

    /// Adds a metric under `name`; keep a clone of the metric to update it (metrics are cheap `Arc` handles).
    pub fn register(&self, name: &str, help: &str, metric: impl Metric) {
        self.inner.registry.lock().register(name, help, metric);
    }

    /// Runs `f` with the registry, for registrations that need more than [`Metrics::register`] (units,
    /// sub-registries with a prefix, collectors).
    pub fn with_registry<R>(&self, f: impl FnOnce(&mut Registry) -> R) -> R {
        f(&mut self.inner.registry.lock())
    }

    /// Writes every metric in the OpenMetrics text format.
    pub fn encode(&self) -> Result<String, TelemetryError> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.inner.registry.lock())?;
        Ok(text)
    }

    /// A tower layer recording request count, latency and in-flight requests for any HTTP service.
    pub fn http_layer(&self) -> HttpMetricsLayer {
        HttpMetricsLayer::new(self.clone())
    }

    /// A router serving `GET /metrics` from this registry.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/metrics", get(serve_metrics))
            .with_state(self.clone())
    }

    pub(crate) fn http(&self) -> &HttpMetrics {
        &self.inner.http
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

async fn serve_metrics(State(metrics): State<Metrics>) -> Response {
    match metrics.encode() {
        Ok(text) => ([(header::CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE)], text).into_response(),
        Err(error) => {
            tracing::error!(%error, "cannot encode metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Labels of a finished request. `route` is the matched route template, never the raw path, so the number of
/// series stays bounded whatever clients send.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    pub(crate) method: Cow<'static, str>,
    pub(crate) route: String,
    pub(crate) status: Cow<'static, str>,
}

/// Labels of a request still being served.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct InFlightLabels {
    pub(crate) method: Cow<'static, str>,
    pub(crate) route: String,
}

type LatencyFamily = Family<RequestLabels, Histogram, fn() -> Histogram>;

/// The HTTP server metric families shared by every layer built from one [`Metrics`].
pub(crate) struct HttpMetrics {
    requests: Family<RequestLabels, Counter>,
    duration: LatencyFamily,
    in_flight: Family<InFlightLabels, Gauge>,
}

impl Default for HttpMetrics {
    fn default() -> Self {
        Self {
            requests: Family::default(),
            duration: Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS)),
            in_flight: Family::default(),
        }
    }
}

impl HttpMetrics {
    fn register(&self, registry: &mut Registry) {
        registry.register("http_server_requests", "HTTP requests served", self.requests.clone());
        registry.register_with_unit(
            "http_server_request_duration",
            "Time from receiving a request to sending the last byte of its response",
            Unit::Seconds,
            self.duration.clone(),
        );
        registry.register(
            "http_server_requests_in_flight",
            "HTTP requests being served",
            self.in_flight.clone(),
        );
    }

    pub(crate) fn started(&self, labels: &InFlightLabels) {
        self.in_flight.get_or_create(labels).inc();
    }

    pub(crate) fn finished(&self, in_flight: &InFlightLabels, labels: &RequestLabels, elapsed: Duration) {
        self.in_flight.get_or_create(in_flight).dec();
        self.requests.get_or_create(labels).inc();
        self.duration.get_or_create(labels).observe(elapsed.as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http::Request;
    use tower::ServiceExt;

    use super::*;

    #[test]
    fn fresh_registry_is_a_complete_exposition() {
        // Families without a series are left out by the encoder; the EOF marker must still be there.
        assert_eq!(Metrics::new().encode().unwrap(), "# EOF\n");
    }

    #[test]
    fn registered_metric_appears_in_the_exposition() {
        let metrics = Metrics::new();
        let backlog = Gauge::<i64>::default();
        metrics.register("outbox_backlog", "Events waiting to be published", backlog.clone());
        backlog.set(7);
        let text = metrics.clone().encode().unwrap();
        assert!(text.contains("outbox_backlog 7"), "{text}");
    }

    #[tokio::test]
    async fn metrics_endpoint_serves_openmetrics_text() {
        let response = Metrics::new()
            .router()
            .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], OPENMETRICS_CONTENT_TYPE);
    }
}
