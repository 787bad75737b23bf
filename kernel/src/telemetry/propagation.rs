//! W3C `traceparent`/`tracestate` propagation across HTTP headers and gRPC metadata.
//!
//! The helpers always speak W3C TraceContext, independent of the global propagator, so two services agree on
//! the wire format even when one of them runs without trace export.

use http::HeaderMap;
use http::header::{HeaderName, HeaderValue};
use opentelemetry::Context;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tonic::metadata::{KeyRef, MetadataKey, MetadataMap, MetadataValue};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::error::TelemetryError;

/// The OpenTelemetry context of the current `tracing` span (empty when traces are not exported).
pub fn current_context() -> Context {
    tracing::Span::current().context()
}

/// Writes the current span's trace context into outgoing HTTP headers.
pub fn inject_http(headers: &mut HeaderMap) {
    inject_context_http(&current_context(), headers);
}

/// Writes `context` into outgoing HTTP headers as `traceparent` (and `tracestate` when present).
pub fn inject_context_http(context: &Context, headers: &mut HeaderMap) {
    TraceContextPropagator::new().inject_context(context, &mut HeaderInjector(headers));
}

/// Reads the caller's trace context from incoming HTTP headers; empty when there is none or it is malformed.
pub fn extract_http(headers: &HeaderMap) -> Context {
    TraceContextPropagator::new().extract(&HeaderExtractor(headers))
}

/// Writes the current span's trace context into outgoing gRPC metadata.
pub fn inject_grpc(metadata: &mut MetadataMap) {
    inject_context_grpc(&current_context(), metadata);
}

/// Writes `context` into outgoing gRPC metadata as `traceparent` (and `tracestate` when present).
pub fn inject_context_grpc(context: &Context, metadata: &mut MetadataMap) {
    TraceContextPropagator::new().inject_context(context, &mut MetadataInjector(metadata));
}

/// Reads the caller's trace context from incoming gRPC metadata; empty when there is none or it is malformed.
pub fn extract_grpc(metadata: &MetadataMap) -> Context {
    TraceContextPropagator::new().extract(&MetadataExtractor(metadata))
}

/// Makes `parent` (usually extracted from a request) the parent of `span`, before the span is first entered.
///
/// Fails when traces are not exported (no OpenTelemetry layer), when the span is disabled by the filter, or
/// when it was already entered; the first two are expected and safe to ignore.
pub fn set_parent(span: &tracing::Span, parent: Context) -> Result<(), TelemetryError> {
    Ok(span.set_parent(parent)?)
}

/// The trace id of `context` as 32 lowercase hex digits, or `None` when it holds no valid span.
pub fn trace_id(context: &Context) -> Option<String> {
    let span = context.span();
    let span_context = span.span_context();
    span_context.is_valid().then(|| span_context.trace_id().to_string())
}

struct HeaderInjector<'a>(&'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        // The propagator only emits valid header names and visible-ASCII values; anything else is dropped.
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(key.as_bytes()), HeaderValue::from_str(&value)) {
            self.0.insert(name, value);
        }
    }
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

struct MetadataInjector<'a>(&'a mut MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(key), Ok(value)) = (MetadataKey::from_bytes(key.as_bytes()), MetadataValue::try_from(value)) {
            self.0.insert(key, value);
        }
    }
}

struct MetadataExtractor<'a>(&'a MetadataMap);

impl Extractor for MetadataExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0
            .keys()
            .map(|key| match key {
                KeyRef::Ascii(key) => key.as_str(),
                KeyRef::Binary(key) => key.as_str(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState, TracerProvider};
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    fn remote_context() -> Context {
        let span_context = SpanContext::new(
            TraceId::from_hex(TRACE_ID).unwrap(),
            SpanId::from_hex("00f067aa0ba902b7").unwrap(),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        Context::new().with_remote_span_context(span_context)
    }

    #[test]
    fn http_round_trip_keeps_the_trace_id() {
        let mut headers = HeaderMap::new();
        inject_context_http(&remote_context(), &mut headers);
        assert_eq!(
            headers["traceparent"],
            format!("00-{TRACE_ID}-00f067aa0ba902b7-01").as_str()
        );
        let extracted = extract_http(&headers);
        assert_eq!(trace_id(&extracted).as_deref(), Some(TRACE_ID));
        assert!(extracted.span().span_context().is_remote());
    }

    #[test]
    fn grpc_round_trip_keeps_the_trace_id() {
        let mut metadata = MetadataMap::new();
        inject_context_grpc(&remote_context(), &mut metadata);
        assert!(metadata.get("traceparent").is_some());
        let extracted = extract_grpc(&metadata);
        assert_eq!(trace_id(&extracted).as_deref(), Some(TRACE_ID));
    }

    #[test]
    fn missing_or_malformed_traceparent_gives_an_empty_context() {
        assert_eq!(trace_id(&extract_http(&HeaderMap::new())), None);
        let mut headers = HeaderMap::new();
        headers.insert("traceparent", HeaderValue::from_static("00-not-a-trace-01"));
        assert_eq!(trace_id(&extract_http(&headers)), None);
    }

    #[test]
    fn empty_context_injects_nothing() {
        let mut headers = HeaderMap::new();
        inject_context_http(&Context::new(), &mut headers);
        assert!(headers.is_empty());
    }

    #[test]
    fn current_span_is_injected_and_a_child_continues_the_callers_trace() {
        let provider = SdkTracerProvider::builder().build();
        let subscriber =
            tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("handle");
            set_parent(&span, remote_context()).unwrap();
            let _entered = span.enter();
            let mut headers = HeaderMap::new();
            inject_http(&mut headers);
            let outgoing = extract_http(&headers);
            assert_eq!(trace_id(&outgoing).as_deref(), Some(TRACE_ID));
            // The outgoing parent is our own span, not the caller's.
            assert_ne!(
                outgoing.span().span_context().span_id(),
                SpanId::from_hex("00f067aa0ba902b7").unwrap()
            );
        });
    }

    #[test]
    fn set_parent_without_an_opentelemetry_layer_reports_it() {
        let subscriber = tracing_subscriber::registry();
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("handle");
            assert!(set_parent(&span, remote_context()).is_err());
        });
    }
}
