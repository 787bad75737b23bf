//! [`Authorizer`] over authz's gRPC `Check`, called with the caller's own token so authz authenticates the very
//! caller whose access it decides, and decides from its current bindings rather than claims in the token.

use proto::authz::v1::authz_service_client::AuthzServiceClient;
use proto::authz::v1::{CheckRequest, Decision as WireDecision, Resource as WireResource, Subject};
use secrecy::SecretString;
use tonic::transport::Channel;

use super::{AccessError, Authorizer, Decision, Resource};
use crate::grpc::{ContextInterceptor, GrpcClientConfig};

/// Checks against the authz service.
#[derive(Debug, Clone)]
pub struct AuthzClient {
    channel: Channel,
}

impl AuthzClient {
    /// A client of the authz gRPC server at `address` (`host:port` or a URI); it connects on first use.
    pub fn new(address: &str, config: &GrpcClientConfig) -> Result<Self, AccessError> {
        Ok(Self {
            channel: crate::grpc::channel(address, config)?,
        })
    }
}

#[async_trait::async_trait]
impl Authorizer for AuthzClient {
    async fn check(
        &self,
        subject: &str,
        token: &SecretString,
        action: &str,
        resource: &Resource,
    ) -> Result<Decision, AccessError> {
        let mut client =
            AuthzServiceClient::with_interceptor(self.channel.clone(), ContextInterceptor::with_token(token.clone()));
        let request = CheckRequest {
            subject: Some(Subject {
                id: subject.to_owned(),
                kind: "user".to_owned(),
            }),
            action: action.to_owned(),
            resource: Some(WireResource {
                kind: resource.kind.clone(),
                id: resource.id.clone().unwrap_or_default(),
                owner_id: resource.owner_id.clone().unwrap_or_default(),
            }),
        };
        let response = client.check(request).await.map_err(|status| AccessError::Remote {
            service: "authz",
            code: status.code(),
            message: status.message().to_owned(),
        })?;
        let response = response.into_inner();
        Ok(if response.decision == i32::from(WireDecision::Allow) {
            Decision::Allow {
                reason: response.reason,
            }
        } else {
            Decision::Deny {
                reason: response.reason,
            }
        })
    }
}
