//! The `authz.v1.AuthzService` gRPC service: Check, BatchCheck and ListPermissions for other services.
//!
//! Every call is authenticated first ([`kernel::grpc::authenticate`]): a call without a verified caller is refused
//! before anything is read.

use std::sync::Arc;

use kernel::auth::JwtVerifier;
use proto::authz::v1::authz_service_server::{AuthzService, AuthzServiceServer};
use proto::authz::v1::{
    BatchCheckRequest, BatchCheckResponse, CheckRequest, CheckResponse, Decision as WireDecision, Grant,
    ListPermissionsRequest, ListPermissionsResponse,
};
use tonic::{Request, Response, Status};

use crate::decisions::DecisionService;
use crate::domain::{self, InvalidInput, Scope, SubjectId};
use crate::error::AuthzError;
use crate::store::AuthzStore;

/// Most checks one BatchCheck may carry.
const MAX_BATCH: usize = 1_000;

/// The tonic service; build it with [`AuthzGrpc::new`] and serve [`AuthzGrpc::into_server`].
#[derive(Clone)]
pub struct AuthzGrpc {
    verifier: Arc<JwtVerifier>,
    decisions: DecisionService,
    store: AuthzStore,
}

impl AuthzGrpc {
    /// A service deciding through `decisions`, listing from `store`, authenticating with `verifier`.
    pub fn new(verifier: Arc<JwtVerifier>, decisions: DecisionService, store: AuthzStore) -> Self {
        Self {
            verifier,
            decisions,
            store,
        }
    }

    /// The service as tonic serves it.
    pub fn into_server(self) -> AuthzServiceServer<Self> {
        AuthzServiceServer::new(self)
    }
}

fn subject(subject: Option<&proto::authz::v1::Subject>) -> Result<SubjectId, InvalidInput> {
    let subject = subject.ok_or_else(|| InvalidInput::new("the request names no subject"))?;
    SubjectId::from_parts(&subject.id, &subject.kind)
}

fn request(check: &CheckRequest) -> Result<domain::Request, InvalidInput> {
    let subject = subject(check.subject.as_ref())?;
    let resource = check
        .resource
        .as_ref()
        .ok_or_else(|| InvalidInput::new("the request names no resource"))?;
    domain::Request::new(subject, &resource.kind, &check.action, &resource.id, &resource.owner_id)
}

fn response(decision: domain::Decision) -> CheckResponse {
    let verdict = if decision.allowed {
        WireDecision::Allow
    } else {
        WireDecision::Deny
    };
    CheckResponse {
        decision: verdict.into(),
        reason: decision.reason,
    }
}

#[tonic::async_trait]
impl AuthzService for AuthzGrpc {
    async fn check(&self, call: Request<CheckRequest>) -> Result<Response<CheckResponse>, Status> {
        kernel::grpc::authenticate(&self.verifier, &call).await?;
        let request = request(call.get_ref()).map_err(AuthzError::from)?;
        let decision = self.decisions.check(&request).await.map_err(AuthzError::from)?;
        Ok(Response::new(response(decision)))
    }

    async fn batch_check(&self, call: Request<BatchCheckRequest>) -> Result<Response<BatchCheckResponse>, Status> {
        kernel::grpc::authenticate(&self.verifier, &call).await?;
        let checks = &call.get_ref().checks;
        if checks.len() > MAX_BATCH {
            return Err(AuthzError::from(InvalidInput::new(format!(
                "a batch may hold at most {MAX_BATCH} checks"
            )))
            .into());
        }
        let requests = checks
            .iter()
            .enumerate()
            .map(|(index, check)| request(check).map_err(|error| InvalidInput::new(format!("check {index}: {error}"))))
            .collect::<Result<Vec<_>, _>>()
            .map_err(AuthzError::from)?;
        let decisions = self.decisions.check_many(&requests).await.map_err(AuthzError::from)?;
        Ok(Response::new(BatchCheckResponse {
            results: decisions.into_iter().map(response).collect(),
        }))
    }

    async fn list_permissions(
        &self,
        call: Request<ListPermissionsRequest>,
    ) -> Result<Response<ListPermissionsResponse>, Status> {
        kernel::grpc::authenticate(&self.verifier, &call).await?;
        let subject = subject(call.get_ref().subject.as_ref()).map_err(AuthzError::from)?;
        let held = self.store.grants(subject.as_str()).await.map_err(AuthzError::from)?;
        let mut roles: Vec<String> = held
            .iter()
            .filter(|b| b.scope == Scope::Global)
            .map(|b| b.role.to_string())
            .collect();
        roles.dedup();
        let grants = held
            .iter()
            .flat_map(|binding| {
                binding.permissions.iter().map(|permission| Grant {
                    permission: permission.to_string(),
                    role: binding.role.to_string(),
                    scope: binding.scope.to_stored(),
                })
            })
            .collect();
        Ok(Response::new(ListPermissionsResponse { roles, grants }))
    }
}
