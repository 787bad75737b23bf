//! The `authz.v1.AuthzService` gRPC service: Check, BatchCheck and ListPermissions for other services.
//!
//! Every call is authenticated first ([`kernel::grpc::authenticate`]): a call without a verified caller is refused
//! before anything is read. A user's own token may then only ask about that user (its services call with it, so
//! authz decides for the very caller); asking about another subject needs a service's token (role `service`).
//! Such a refusal is `PERMISSION_DENIED` and is recorded as an `access.denied` event in authz's outbox, which the
//! audit service stores.

use std::sync::Arc;

use chrono::Utc;
use kernel::access::{Denial, DenialRecorder, OutboxDenials};
use kernel::auth::{Claims, JwtVerifier};
use proto::authz::v1::authz_service_server::{AuthzService, AuthzServiceServer};
use proto::authz::v1::{
    BatchCheckRequest, BatchCheckResponse, CheckRequest, CheckResponse, Decision as WireDecision, Grant,
    ListPermissionsRequest, ListPermissionsResponse,
};
use secrecy::SecretString;
use tonic::{Request, Response, Status};

use crate::decisions::DecisionService;
use crate::domain::{self, InvalidInput, Scope, SubjectId};
use crate::error::AuthzError;
use crate::events::{SOURCE, TOPIC};
use crate::store::AuthzStore;

/// Most checks one BatchCheck may carry.
const MAX_BATCH: usize = 1_000;

/// The tonic service; build it with [`AuthzGrpc::new`] and serve [`AuthzGrpc::into_server`].
#[derive(Clone)]
pub struct AuthzGrpc {
    verifier: Arc<JwtVerifier>,
    decisions: DecisionService,
    denials: OutboxDenials,
    store: AuthzStore,
}

impl AuthzGrpc {
    /// A service deciding through `decisions`, listing from `store` (and recording refusals in its outbox),
    /// authenticating with `verifier`.
    pub fn new(verifier: Arc<JwtVerifier>, decisions: DecisionService, store: AuthzStore) -> Self {
        Self {
            verifier,
            decisions,
            denials: OutboxDenials::new(store.conn().clone(), TOPIC),
            store,
        }
    }

    /// Lets `claims` ask `action` (`check`, `list`) about `subject` when it is the caller itself or the caller is a
    /// service; otherwise records the refusal and answers `PERMISSION_DENIED`.
    async fn may_ask<T>(
        &self,
        call: &Request<T>,
        claims: &Claims,
        action: &str,
        subject: &SubjectId,
    ) -> Result<(), Status> {
        if claims.sub == subject.as_str() || claims.is_service() {
            return Ok(());
        }
        let denial = Denial {
            id: uuid::Uuid::now_v7(),
            actor: claims.sub.clone(),
            action: format!("permission:{action}"),
            resource: format!("subject:{subject}"),
            reason: format!(
                "denied: `{}` asked about `{subject}`; only services may ask about others",
                claims.sub
            ),
            service: SOURCE.to_owned(),
            client_address: call.remote_addr().map(|address| address.ip()),
            occurred_at: Utc::now(),
        };
        let token = kernel::grpc::bearer_token(call.metadata()).unwrap_or_else(|| SecretString::from(String::new()));
        if let Err(error) = self.denials.record(&denial, &token).await {
            // The refusal stands; the log is the only record left.
            tracing::error!(%error, actor = %denial.actor, resource = %denial.resource, "could not record a denial");
        }
        Err(AuthzError::Forbidden(
            "a user may only ask about its own access; asking about others needs a service's token".to_owned(),
        )
        .into())
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
        let claims = kernel::grpc::authenticate(&self.verifier, &call).await?;
        let request = request(call.get_ref()).map_err(AuthzError::from)?;
        self.may_ask(&call, &claims, "check", &request.subject).await?;
        let decision = self.decisions.check(&request).await.map_err(AuthzError::from)?;
        Ok(Response::new(response(decision)))
    }

    async fn batch_check(&self, call: Request<BatchCheckRequest>) -> Result<Response<BatchCheckResponse>, Status> {
        let claims = kernel::grpc::authenticate(&self.verifier, &call).await?;
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
        for request in &requests {
            self.may_ask(&call, &claims, "check", &request.subject).await?;
        }
        let decisions = self.decisions.check_many(&requests).await.map_err(AuthzError::from)?;
        Ok(Response::new(BatchCheckResponse {
            results: decisions.into_iter().map(response).collect(),
        }))
    }

    async fn list_permissions(
        &self,
        call: Request<ListPermissionsRequest>,
    ) -> Result<Response<ListPermissionsResponse>, Status> {
        let claims = kernel::grpc::authenticate(&self.verifier, &call).await?;
        let subject = subject(call.get_ref().subject.as_ref()).map_err(AuthzError::from)?;
        self.may_ask(&call, &claims, "list", &subject).await?;
        // A disabled subject may do nothing, whatever it still holds.
        if self
            .store
            .disabled(subject.as_str())
            .await
            .map_err(AuthzError::from)?
            .is_some()
        {
            return Ok(Response::new(ListPermissionsResponse::default()));
        }
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
