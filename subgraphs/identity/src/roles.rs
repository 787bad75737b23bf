//! Where the roles written into access tokens come from: authz over gRPC, or a fixed list.

use std::sync::Arc;

use kernel::auth::TokenIssuer;
use kernel::grpc::{ContextInterceptor, GrpcClientConfig, GrpcError};
use proto::authz::v1::authz_service_client::AuthzServiceClient;
use proto::authz::v1::{ListPermissionsRequest, Subject};
use secrecy::SecretString;
use tonic::transport::Channel;

use crate::domain::UserId;

/// The subject identity uses for its own calls to other services.
pub const SERVICE_SUBJECT: &str = "service:identity";

/// Why roles could not be read. Sign-in fails rather than issue a token with fewer roles than the user holds.
#[derive(Debug, thiserror::Error)]
pub enum RoleSourceError {
    /// The source could not be asked (unreachable, timed out, refused the call).
    #[error("roles are unavailable: {0}")]
    Unavailable(String),
}

/// The global role names of a user, asked at sign-in and refresh.
#[async_trait::async_trait]
pub trait RoleSource: Send + Sync {
    /// The roles bound to `user_id` right now.
    async fn roles(&self, user_id: UserId) -> Result<Vec<String>, RoleSourceError>;
}

/// The same roles for everyone: `FixedRoles::none()` when identity runs without authz, or a list in tests.
#[derive(Debug, Clone, Default)]
pub struct FixedRoles(Vec<String>);

impl FixedRoles {
    /// No roles for anyone.
    pub fn none() -> Self {
        Self(Vec::new())
    }

    /// `roles` for everyone.
    pub fn new(roles: Vec<String>) -> Self {
        Self(roles)
    }
}

#[async_trait::async_trait]
impl RoleSource for FixedRoles {
    async fn roles(&self, _user_id: UserId) -> Result<Vec<String>, RoleSourceError> {
        Ok(self.0.clone())
    }
}

/// Asks authz's `ListPermissions` over gRPC, authenticated by a short-lived token identity mints for itself
/// (subject `service:identity`, role `service`).
#[derive(Clone)]
pub struct AuthzRoleSource {
    channel: Channel,
    issuer: Arc<TokenIssuer>,
}

impl std::fmt::Debug for AuthzRoleSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthzRoleSource").finish_non_exhaustive()
    }
}

impl AuthzRoleSource {
    /// A source calling authz at `address`; connects lazily, so authz may start later.
    pub fn new(address: &str, config: &GrpcClientConfig, issuer: Arc<TokenIssuer>) -> Result<Self, GrpcError> {
        Ok(Self {
            channel: kernel::grpc::channel(address, config)?,
            issuer,
        })
    }
}

#[async_trait::async_trait]
impl RoleSource for AuthzRoleSource {
    async fn roles(&self, user_id: UserId) -> Result<Vec<String>, RoleSourceError> {
        let token = self
            .issuer
            .issue(SERVICE_SUBJECT, vec![kernel::auth::SERVICE_ROLE.to_owned()], "")
            .map_err(|e| RoleSourceError::Unavailable(format!("mint the service token: {e}")))?;
        let mut client = AuthzServiceClient::with_interceptor(
            self.channel.clone(),
            ContextInterceptor::with_token(SecretString::from(token.token)),
        );
        let request = ListPermissionsRequest {
            subject: Some(Subject {
                id: user_id.to_string(),
                kind: "user".to_owned(),
            }),
        };
        let response = client
            .list_permissions(request)
            .await
            .map_err(|status| RoleSourceError::Unavailable(format!("authz ListPermissions: {status}")))?;
        Ok(response.into_inner().roles)
    }
}
