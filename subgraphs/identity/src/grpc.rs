//! `identity.v1.IdentityService` over gRPC: user look-ups for other services, each call authenticated first. A
//! service's token (role `service`) may look up anyone; a user's own token (forwarded by a service acting for it)
//! only that user. Any other look-up is `PERMISSION_DENIED`, and recorded for audit.

use std::sync::Arc;

use kernel::auth::{Claims, JwtVerifier};
use kernel::error_code::ErrorCode;
use proto::identity::v1::identity_service_server::{IdentityService as IdentityRpc, IdentityServiceServer};
use proto::identity::v1::{
    BatchGetUsersRequest, BatchGetUsersResponse, GetUserRequest, GetUserResponse, User, UserStatus as ProtoStatus,
};
use tonic::{Request, Response, Status};

use crate::domain::{UserId, UserStatus};
use crate::error::IdentityError;
use crate::service::{Attempt, IdentityService};
use crate::store::UserRecord;

/// Most ids one `BatchGetUsers` call may ask for.
pub const MAX_BATCH: usize = 500;

/// The gRPC front of the identity service.
pub struct IdentityGrpc {
    service: Arc<IdentityService>,
    verifier: Arc<JwtVerifier>,
}

impl IdentityGrpc {
    /// A front over `service`, accepting callers whose tokens `verifier` accepts.
    pub fn new(service: Arc<IdentityService>, verifier: Arc<JwtVerifier>) -> Self {
        Self { service, verifier }
    }

    /// The tonic service, ready to add to the server's routes.
    pub fn into_server(self) -> IdentityServiceServer<Self> {
        IdentityServiceServer::new(self)
    }

    /// Lets `claims` look up `ids` when it is a service or they are all its own; otherwise records the refusal
    /// (naming the first id that is not the caller's) and answers `PERMISSION_DENIED`.
    async fn may_look_up<T>(&self, request: &Request<T>, claims: &Claims, ids: &[UserId]) -> Result<(), Status> {
        if claims.is_service() {
            return Ok(());
        }
        let Some(other) = ids.iter().find(|id| id.to_string() != claims.sub) else {
            return Ok(());
        };
        let address = request.remote_addr().map(|address| address.ip());
        let attempt = Attempt::on_user(&claims.sub, "user:read", other, address);
        let refused =
            IdentityError::Forbidden("a user may only look up itself; other users need a service's token".to_owned());
        self.service.record_refusal(&attempt, &refused.to_string()).await;
        Err(status(refused))
    }
}

#[tonic::async_trait]
impl IdentityRpc for IdentityGrpc {
    async fn get_user(&self, request: Request<GetUserRequest>) -> Result<Response<GetUserResponse>, Status> {
        let claims = kernel::grpc::authenticate(&self.verifier, &request).await?;
        let id = UserId::parse(&request.get_ref().id).map_err(|e| Status::invalid_argument(e.to_string()))?;
        self.may_look_up(&request, &claims, &[id]).await?;
        let user = self.service.user(id).await.map_err(status)?;
        let user = user.ok_or_else(|| Status::not_found("no user has this id"))?;
        Ok(Response::new(GetUserResponse {
            user: Some(to_proto(&user)),
        }))
    }

    async fn batch_get_users(
        &self,
        request: Request<BatchGetUsersRequest>,
    ) -> Result<Response<BatchGetUsersResponse>, Status> {
        let claims = kernel::grpc::authenticate(&self.verifier, &request).await?;
        let ids = &request.get_ref().ids;
        if ids.len() > MAX_BATCH {
            return Err(Status::invalid_argument(format!("at most {MAX_BATCH} ids per call")));
        }
        let ids = ids
            .iter()
            .map(|id| UserId::parse(id))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        self.may_look_up(&request, &claims, &ids).await?;
        let users = self.service.users(&ids).await.map_err(status)?;
        Ok(Response::new(BatchGetUsersResponse {
            users: users.iter().map(to_proto).collect(),
        }))
    }
}

fn to_proto(user: &UserRecord) -> User {
    let status = match user.status {
        UserStatus::Active => ProtoStatus::Active,
        UserStatus::Disabled => ProtoStatus::Disabled,
    };
    User {
        id: user.id.to_string(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        status: status.into(),
        created_at: user.created_at.to_rfc3339(),
        updated_at: user.updated_at.to_rfc3339(),
    }
}

fn status(error: IdentityError) -> Status {
    if matches!(
        error.code(),
        ErrorCode::InternalServerError | ErrorCode::ServiceUnavailable
    ) {
        tracing::error!(%error, "identity gRPC call failed");
    }
    Status::new(error.code().grpc_code(), error.client_message())
}
