//! `identity.v1.IdentityService` over gRPC: user look-ups for other services, each call authenticated first.

use std::sync::Arc;

use kernel::auth::JwtVerifier;
use proto::identity::v1::identity_service_server::{IdentityService as IdentityRpc, IdentityServiceServer};
use proto::identity::v1::{
    BatchGetUsersRequest, BatchGetUsersResponse, GetUserRequest, GetUserResponse, User, UserStatus as ProtoStatus,
};
use tonic::{Request, Response, Status};

use crate::domain::{UserId, UserStatus};
use crate::error::IdentityError;
use crate::service::IdentityService;
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
}

#[tonic::async_trait]
impl IdentityRpc for IdentityGrpc {
    async fn get_user(&self, request: Request<GetUserRequest>) -> Result<Response<GetUserResponse>, Status> {
        kernel::grpc::authenticate(&self.verifier, &request).await?;
        let id = UserId::parse(&request.get_ref().id).map_err(|e| Status::invalid_argument(e.to_string()))?;
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
        kernel::grpc::authenticate(&self.verifier, &request).await?;
        let ids = &request.get_ref().ids;
        if ids.len() > MAX_BATCH {
            return Err(Status::invalid_argument(format!("at most {MAX_BATCH} ids per call")));
        }
        let ids = ids
            .iter()
            .map(|id| UserId::parse(id))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
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
    tracing::error!(%error, "identity gRPC call failed");
    Status::new(error.code().grpc_code(), error.client_message())
}
