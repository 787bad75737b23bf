//! Plumbing for internal gRPC calls: channels, and the caller identity and trace context every call carries.
//!
//! A client is built as `XServiceClient::with_interceptor(grpc::channel(addr, &config)?,
//! ContextInterceptor::new())`. The interceptor adds the current span's `traceparent` and the caller's
//! `authorization: Bearer <jwt>`, taken from [`with_forwarded_token`]'s task-local scope or set explicitly.
//! On the server side, [`trace_parent`] and [`bearer_token`] read the same values back from a request, and
//! [`authenticate`] refuses a call whose caller cannot be verified.

use std::future::Future;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use thiserror::Error;
use tonic::metadata::{MetadataMap, MetadataValue};
use tonic::service::Interceptor;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};

use crate::auth::{Claims, JwtVerifier};
use crate::telemetry::propagation::{extract_grpc, inject_grpc};

/// How outgoing gRPC channels connect and how long a call may take.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrpcClientConfig {
    /// Upper bound on establishing a connection to the server.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Upper bound on one call, from sending the request to receiving the whole response.
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
}

fn default_connect_timeout_ms() -> u64 {
    2_000
}

fn default_request_timeout_ms() -> u64 {
    10_000
}

impl Default for GrpcClientConfig {
    fn default() -> Self {
        Self {
            connect_timeout_ms: default_connect_timeout_ms(),
            request_timeout_ms: default_request_timeout_ms(),
        }
    }
}

/// Why a channel could not be built.
#[derive(Debug, Error)]
pub enum GrpcError {
    /// The address is not a valid URI (`http://host:port`, or `host:port`).
    #[error("invalid gRPC address `{address}`: {source}")]
    InvalidAddress {
        /// The address as given.
        address: String,
        /// Why it was rejected.
        source: tonic::transport::Error,
    },
    /// Channels spawn their connection worker onto Tokio, so they must be built inside a runtime.
    #[error("gRPC channels must be built inside a Tokio runtime")]
    NoRuntime,
}

/// Builds a channel to `address` that connects on first use (so services can start in any order) and
/// reconnects after failures. `host:port` is taken as plaintext `http://host:port`.
pub fn channel(address: &str, config: &GrpcClientConfig) -> Result<Channel, GrpcError> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(GrpcError::NoRuntime);
    }
    let uri = if address.contains("://") {
        address.to_owned()
    } else {
        format!("http://{address}")
    };
    let endpoint = Endpoint::from_shared(uri)
        .map_err(|source| GrpcError::InvalidAddress {
            address: address.to_owned(),
            source,
        })?
        .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
        .timeout(Duration::from_millis(config.request_timeout_ms));
    Ok(endpoint.connect_lazy())
}

tokio::task_local! {
    static FORWARDED_TOKEN: SecretString;
}

/// Runs `future` with `token` (a bare JWT, without `Bearer `) as the caller identity that
/// [`ContextInterceptor`] forwards on every gRPC call made inside it.
pub async fn with_forwarded_token<F: Future>(token: SecretString, future: F) -> F::Output {
    FORWARDED_TOKEN.scope(token, future).await
}

/// The token set by the enclosing [`with_forwarded_token`], if any.
pub fn forwarded_token() -> Option<SecretString> {
    FORWARDED_TOKEN.try_with(SecretString::clone).ok()
}

/// Adds `traceparent` and `authorization: Bearer <jwt>` to every outgoing request of a tonic client.
#[derive(Clone, Debug, Default)]
pub struct ContextInterceptor {
    token: Option<SecretString>,
}

impl ContextInterceptor {
    /// Forwards the current span's trace context and the token of the enclosing [`with_forwarded_token`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Always sends `token` (a bare JWT), e.g. a service's own credentials; it wins over a forwarded one.
    pub fn with_token(token: SecretString) -> Self {
        Self { token: Some(token) }
    }
}

impl Interceptor for ContextInterceptor {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        inject_grpc(request.metadata_mut());
        if let Some(token) = self.token.clone().or_else(forwarded_token) {
            let mut value = MetadataValue::try_from(format!("Bearer {}", token.expose_secret()))
                .map_err(|_| Status::unauthenticated("the caller's token is not a valid header value"))?;
            value.set_sensitive(true);
            request.metadata_mut().insert("authorization", value);
        }
        Ok(request)
    }
}

/// The caller's trace context from an incoming request's metadata (empty when none was sent).
pub fn trace_parent<T>(request: &Request<T>) -> opentelemetry::Context {
    extract_grpc(request.metadata())
}

/// The bare JWT from an incoming `authorization: Bearer <jwt>` entry, for verification by the auth module.
pub fn bearer_token(metadata: &MetadataMap) -> Option<SecretString> {
    crate::auth::bearer_token(metadata.get("authorization")?.to_str().ok()?)
}

/// The verified claims of an incoming call's bearer token. Every service's gRPC handlers call this first: a call
/// without a token, or with one that does not verify, is refused with `UNAUTHENTICATED` before anything runs.
pub async fn authenticate<T>(verifier: &JwtVerifier, request: &Request<T>) -> Result<Claims, Status> {
    let token = bearer_token(request.metadata()).ok_or_else(|| Status::unauthenticated("the call carries no token"))?;
    verifier.verify(token.expose_secret()).await.map_err(|error| {
        let code = error.code().grpc_code();
        Status::new(code, error.to_string())
    })
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::TracerProvider;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use proto::audit::v1::RecordRequest;
    use proto::audit::v1::audit_service_client::AuditServiceClient;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;
    use crate::telemetry::propagation::{current_context, trace_id};

    fn intercept(interceptor: &mut ContextInterceptor) -> Request<()> {
        interceptor.call(Request::new(())).unwrap()
    }

    #[test]
    fn empty_section_gives_the_defaults() {
        let config: GrpcClientConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(
            config.connect_timeout_ms,
            GrpcClientConfig::default().connect_timeout_ms
        );
        assert_eq!(
            config.request_timeout_ms,
            GrpcClientConfig::default().request_timeout_ms
        );
        assert!(serde_json::from_str::<GrpcClientConfig>(r#"{"retries": 3}"#).is_err());
    }

    #[tokio::test]
    async fn channel_accepts_a_bare_host_and_port_without_connecting() {
        // Nothing listens on port 1; a lazy channel must still be built.
        assert!(channel("127.0.0.1:1", &GrpcClientConfig::default()).is_ok());
        assert!(channel("http://127.0.0.1:1", &GrpcClientConfig::default()).is_ok());
    }

    #[tokio::test]
    async fn call_to_an_absent_server_fails_as_unavailable() {
        let config = GrpcClientConfig {
            connect_timeout_ms: 500,
            request_timeout_ms: 1_000,
        };
        let mut client =
            AuditServiceClient::with_interceptor(channel("127.0.0.1:1", &config).unwrap(), ContextInterceptor::new());
        let status = client.record(RecordRequest::default()).await.unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unavailable, "{status}");
    }

    #[tokio::test]
    async fn invalid_address_is_named_in_the_error() {
        let error = channel("http://exa mple:1", &GrpcClientConfig::default()).unwrap_err();
        assert!(error.to_string().contains("exa mple"), "{error}");
    }

    #[test]
    fn channel_outside_a_runtime_is_refused() {
        assert!(matches!(
            channel("127.0.0.1:1", &GrpcClientConfig::default()),
            Err(GrpcError::NoRuntime)
        ));
    }

    #[tokio::test]
    async fn forwarded_token_is_sent_as_a_bearer_credential() {
        let request = with_forwarded_token(SecretString::from("header.payload.sig"), async {
            intercept(&mut ContextInterceptor::new())
        })
        .await;
        assert_eq!(
            request.metadata().get("authorization").unwrap(),
            "Bearer header.payload.sig"
        );
        assert_eq!(
            bearer_token(request.metadata()).unwrap().expose_secret(),
            "header.payload.sig"
        );
    }

    #[tokio::test]
    async fn explicit_token_wins_over_the_forwarded_one() {
        let mut interceptor = ContextInterceptor::with_token(SecretString::from("service-token"));
        let request =
            with_forwarded_token(SecretString::from("user-token"), async { intercept(&mut interceptor) }).await;
        assert_eq!(request.metadata().get("authorization").unwrap(), "Bearer service-token");
    }

    #[test]
    fn no_token_means_no_authorization_entry() {
        let request = intercept(&mut ContextInterceptor::new());
        assert!(request.metadata().get("authorization").is_none());
        assert!(forwarded_token().is_none());
    }

    #[test]
    fn token_that_is_not_a_header_value_fails_the_call() {
        let mut interceptor = ContextInterceptor::with_token(SecretString::from("bad\ntoken"));
        let status = interceptor.call(Request::new(())).unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated);
    }

    #[test]
    fn debug_output_hides_the_token() {
        let interceptor = ContextInterceptor::with_token(SecretString::from("hunter2"));
        assert!(!format!("{interceptor:?}").contains("hunter2"));
    }

    #[test]
    fn bearer_token_ignores_other_schemes() {
        let mut metadata = MetadataMap::new();
        metadata.insert("authorization", MetadataValue::from_static("Basic dXNlcjpwYXNz"));
        assert!(bearer_token(&metadata).is_none());
        metadata.insert("authorization", MetadataValue::from_static("bearer abc"));
        assert_eq!(bearer_token(&metadata).unwrap().expose_secret(), "abc");
    }

    #[test]
    fn current_trace_reaches_the_server_side_helper() {
        let provider = SdkTracerProvider::builder().build();
        let subscriber =
            tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("client-call");
            let _entered = span.enter();
            let request = intercept(&mut ContextInterceptor::new());
            let expected = trace_id(&current_context());
            assert!(expected.is_some());
            assert_eq!(trace_id(&trace_parent(&request)), expected);
        });
    }
}
