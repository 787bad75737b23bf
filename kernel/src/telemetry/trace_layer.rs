//! The tower layer that opens one server span per request, continuing the caller's trace.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::MatchedPath;
use http::{Request, Response};
use tower::{Layer, Service};
use tracing::Instrument;
use tracing::field::Empty;

use super::propagation::{extract_http, set_parent};

/// Wraps each request in an `http.server.request` span whose parent is the `traceparent` the caller sent.
///
/// Works for axum routers and tonic `Routes` alike (gRPC metadata travels as HTTP headers). Add it with
/// `Router::layer` so the span is named after the matched route rather than the raw path.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestTraceLayer;

impl<S> Layer<S> for RequestTraceLayer {
    type Service = RequestTraceService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestTraceService { inner }
    }
}

/// The service produced by [`RequestTraceLayer`].
#[derive(Clone, Debug)]
pub struct RequestTraceService<S> {
    inner: S,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RequestTraceService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Error: std::fmt::Display,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|path| path.as_str().to_owned());
        let name = match &route {
            Some(route) => format!("{} {route}", request.method()),
            None => request.method().to_string(),
        };
        let span = tracing::info_span!(
            "http.server.request",
            otel.name = %name,
            otel.kind = "server",
            otel.status_code = Empty,
            http.request.method = %request.method(),
            http.route = route.as_deref().unwrap_or_default(),
            url.path = request.uri().path(),
            http.response.status_code = Empty,
        );
        let parent = extract_http(request.headers());
        if super::propagation::trace_id(&parent).is_some() {
            // Fails only when traces are not exported or the span is filtered out; the span then stays local.
            let _ = set_parent(&span, parent);
        }
        let response = span.in_scope(|| self.inner.call(request));
        Box::pin(
            async move {
                let result = response.await;
                let span = tracing::Span::current();
                match &result {
                    Ok(response) => {
                        span.record("http.response.status_code", response.status().as_u16());
                        if response.status().is_server_error() {
                            span.record("otel.status_code", "ERROR");
                        }
                    }
                    Err(error) => {
                        span.record("otel.status_code", "ERROR");
                        tracing::warn!(%error, "request failed");
                    }
                }
                result
            }
            .instrument(span),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use opentelemetry::trace::TracerProvider;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use parking_lot::Mutex;
    use tower::ServiceExt;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;
    use crate::telemetry::propagation::{current_context, trace_id};

    #[tokio::test]
    async fn handler_runs_inside_a_span_continuing_the_callers_trace() {
        let provider = SdkTracerProvider::builder().build();
        let subscriber =
            tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        let _default = tracing::subscriber::set_default(subscriber);

        let seen = Arc::new(Mutex::new(None));
        let recorder = Arc::clone(&seen);
        let app = Router::new()
            .route(
                "/orders/{id}",
                get(move || async move {
                    *recorder.lock() = trace_id(&current_context());
                }),
            )
            .layer(RequestTraceLayer);
        let request = Request::get("/orders/9")
            .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            .body(Body::empty())
            .unwrap();
        app.oneshot(request).await.unwrap();
        assert_eq!(seen.lock().as_deref(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
    }
}
