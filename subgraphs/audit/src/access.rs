//! Who may read the log: a small trait, so the GraphQL layer does not care how it is decided, and its real
//! implementation, which asks authz's gRPC `Check` (action `read` on resource kind `audit_log`) with the
//! caller's own token, so authz decides from the caller's current bindings, not from claims in the token.

use kernel::grpc::{ContextInterceptor, GrpcClientConfig, GrpcError};
use proto::authz::v1::authz_service_client::AuthzServiceClient;
use proto::authz::v1::{CheckRequest, Decision, Resource, Subject};
use secrecy::SecretString;
use tonic::transport::Channel;

/// The resource kind the log is guarded as in authz.
pub const AUDIT_LOG_KIND: &str = "audit_log";
/// The action reading the log needs.
pub const READ_ACTION: &str = "read";

/// Why access could not be decided.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// Authz answered the check with an error status.
    #[error("authz refused the check: {code:?}: {message}")]
    Check {
        /// The status code authz returned.
        code: tonic::Code,
        /// Authz's message.
        message: String,
    },
}

/// Decides whether a caller may read the audit log.
#[async_trait::async_trait]
pub trait AccessCheck: Send + Sync {
    /// Whether `subject`, calling with `token` (a bare JWT), may read the log.
    async fn may_read_log(&self, subject: &str, token: &SecretString) -> Result<bool, AccessError>;
}

/// [`AccessCheck`] through authz's gRPC `Check`.
#[derive(Debug, Clone)]
pub struct AuthzAccessCheck {
    channel: Channel,
}

impl AuthzAccessCheck {
    /// Checks against the authz gRPC server at `address` (`host:port` or a URI); connects on first use.
    pub fn new(address: &str, config: &GrpcClientConfig) -> Result<Self, GrpcError> {
        Ok(Self {
            channel: kernel::grpc::channel(address, config)?,
        })
    }
}

#[async_trait::async_trait]
impl AccessCheck for AuthzAccessCheck {
    async fn may_read_log(&self, subject: &str, token: &SecretString) -> Result<bool, AccessError> {
        // The caller's own token goes along, so authz authenticates the very caller whose access it decides.
        let mut client =
            AuthzServiceClient::with_interceptor(self.channel.clone(), ContextInterceptor::with_token(token.clone()));
        let request = CheckRequest {
            subject: Some(Subject {
                id: subject.to_owned(),
                kind: "user".to_owned(),
            }),
            action: READ_ACTION.to_owned(),
            resource: Some(Resource {
                kind: AUDIT_LOG_KIND.to_owned(),
                id: String::new(),
                owner_id: String::new(),
            }),
        };
        let response = client.check(request).await.map_err(|status| AccessError::Check {
            code: status.code(),
            message: status.message().to_owned(),
        })?;
        Ok(response.get_ref().decision == i32::from(Decision::Allow))
    }
}
