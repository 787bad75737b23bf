//! The tower layer that records the HTTP server metrics of every request it wraps.
//!
//! A request is counted once its response body has been sent (or dropped), so the latency covers streaming
//! bodies too, and a request whose handler is cancelled is still counted, with status `aborted`.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::MatchedPath;
use http::{Method, Request, Response, header};
use http_body::{Body, Frame, SizeHint};
use tower::{Layer, Service};

use super::metrics::{InFlightLabels, Metrics, RequestLabels};

/// Route label of requests no route matched (404s from the fallback), so probing clients add one series.
const UNMATCHED_ROUTE: &str = "unmatched";

/// Records request count, latency and in-flight requests into a [`Metrics`] registry.
///
/// Add it with `Router::layer` so it sees axum's matched route; it works the same for a tonic `Routes` router,
/// where the route is the gRPC method path.
#[derive(Clone, Debug)]
pub struct HttpMetricsLayer {
    metrics: Metrics,
}

impl HttpMetricsLayer {
    /// A layer recording into `metrics`.
    pub fn new(metrics: Metrics) -> Self {
        Self { metrics }
    }
}

impl<S> Layer<S> for HttpMetricsLayer {
    type Service = HttpMetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HttpMetricsService {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// The service produced by [`HttpMetricsLayer`].
#[derive(Clone, Debug)]
pub struct HttpMetricsService<S> {
    inner: S,
    metrics: Metrics,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for HttpMetricsService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
    ResBody: Body + Send + 'static,
{
    type Response = Response<MetricsBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let mut tracker = RequestTracker::start(self.metrics.clone(), &request);
        let response = self.inner.call(request);
        Box::pin(async move {
            match response.await {
                Ok(response) => {
                    tracker.responded(&response);
                    Ok(response.map(|body| MetricsBody {
                        inner: Box::pin(body),
                        tracker: Some(tracker),
                    }))
                }
                Err(error) => {
                    tracker.failed();
                    Err(error)
                }
            }
        })
    }
}

/// A response body that finishes its request's measurement when the last frame is sent or the body is dropped.
pub struct MetricsBody<B> {
    // Boxed so this wrapper is `Unpin` without projecting pins by hand.
    inner: Pin<Box<B>>,
    tracker: Option<RequestTracker>,
}

impl<B: Body> Body for MetricsBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = self.inner.as_mut().poll_frame(cx);
        if matches!(polled, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            self.tracker = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<B> std::fmt::Debug for MetricsBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsBody").finish_non_exhaustive()
    }
}

/// One request's measurement; dropping it records the request.
struct RequestTracker {
    metrics: Metrics,
    in_flight: InFlightLabels,
    started: Instant,
    status: Option<Cow<'static, str>>,
    /// The concrete gRPC method path, used instead of the `/{service}/{*rest}` template once the service has
    /// answered with anything but "unimplemented", so made-up method names never become series.
    grpc_method: Option<String>,
}

impl RequestTracker {
    fn start<B>(metrics: Metrics, request: &Request<B>) -> Self {
        let matched = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
        let route = matched.unwrap_or(UNMATCHED_ROUTE).to_owned();
        let grpc_method = (matched.is_some_and(|path| path.ends_with("/{*rest}")) && is_grpc(request))
            .then(|| request.uri().path().to_owned());
        let in_flight = InFlightLabels {
            method: method_label(request.method()),
            route,
        };
        metrics.http().started(&in_flight);
        Self {
            metrics,
            in_flight,
            started: Instant::now(),
            status: None,
            grpc_method,
        }
    }

    /// The inner service returned an error instead of a response.
    fn failed(mut self) {
        self.status = Some(Cow::Borrowed("error"));
    }

    fn responded<B>(&mut self, response: &Response<B>) {
        self.status = Some(Cow::Owned(response.status().as_str().to_owned()));
        let unimplemented = response
            .headers()
            .get("grpc-status")
            .is_some_and(|status| status == "12");
        if unimplemented {
            self.grpc_method = None;
        }
    }
}

impl Drop for RequestTracker {
    fn drop(&mut self) {
        let labels = RequestLabels {
            method: self.in_flight.method.clone(),
            route: self.grpc_method.take().unwrap_or_else(|| self.in_flight.route.clone()),
            status: self.status.take().unwrap_or(Cow::Borrowed("aborted")),
        };
        self.metrics
            .http()
            .finished(&self.in_flight, &labels, self.started.elapsed());
    }
}

fn is_grpc<B>(request: &Request<B>) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/grpc"))
}

/// The standard methods keep their name; extension methods share one label to bound the series.
fn method_label(method: &Method) -> Cow<'static, str> {
    let name = match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    };
    Cow::Borrowed(name)
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body as AxumBody;
    use axum::routing::get;
    use http::StatusCode;
    use tower::ServiceExt;

    use super::*;

    fn app(metrics: &Metrics) -> Router {
        Router::new()
            .route("/users/{id}", get(|| async { "user" }))
            .route("/fail", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
            .layer(metrics.http_layer())
    }

    async fn send(app: &Router, method: Method, path: &str) -> StatusCode {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(AxumBody::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        status
    }

    #[tokio::test]
    async fn requests_are_counted_by_route_template_method_and_status() {
        let metrics = Metrics::new();
        let app = app(&metrics);
        send(&app, Method::GET, "/users/1").await;
        send(&app, Method::GET, "/users/2").await;
        send(&app, Method::GET, "/fail").await;
        let text = metrics.encode().unwrap();
        assert!(
            text.contains(r#"http_server_requests_total{method="GET",route="/users/{id}",status="200"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"http_server_requests_total{method="GET",route="/fail",status="500"} 1"#),
            "{text}"
        );
        assert!(!text.contains("/users/1"), "raw paths must not become labels: {text}");
        assert!(
            text.contains(
                r#"http_server_request_duration_seconds_count{method="GET",route="/users/{id}",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"http_server_requests_in_flight{method="GET",route="/users/{id}"} 0"#),
            "{text}"
        );
    }

    #[tokio::test]
    async fn unmatched_paths_and_odd_methods_share_one_series() {
        let metrics = Metrics::new();
        let app = app(&metrics);
        assert_eq!(send(&app, Method::GET, "/nope/1").await, StatusCode::NOT_FOUND);
        send(&app, Method::GET, "/nope/2").await;
        send(&app, Method::from_bytes(b"PURGE").unwrap(), "/users/1").await;
        let text = metrics.encode().unwrap();
        assert!(
            text.contains(r#"{method="GET",route="unmatched",status="404"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"{method="other",route="/users/{id}",status="405"} 1"#),
            "{text}"
        );
    }

    #[tokio::test]
    async fn request_stays_in_flight_until_its_body_is_sent() {
        let metrics = Metrics::new();
        let app = app(&metrics);
        let request = Request::get("/users/7").body(AxumBody::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        let text = metrics.encode().unwrap();
        assert!(
            text.contains(r#"http_server_requests_in_flight{method="GET",route="/users/{id}"} 1"#),
            "{text}"
        );
        drop(response);
        let text = metrics.encode().unwrap();
        assert!(
            text.contains(r#"http_server_requests_in_flight{method="GET",route="/users/{id}"} 0"#),
            "{text}"
        );
    }
}
