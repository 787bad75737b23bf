//! [`DenialRecorder`] over audit's gRPC `Record`: the denial is in the audit log before the caller is answered.

use std::collections::HashMap;

use proto::audit::v1::audit_service_client::AuditServiceClient;
use proto::audit::v1::{Outcome, RecordRequest};
use secrecy::SecretString;
use tonic::transport::Channel;

use super::{AccessError, Denial, DenialRecorder};
use crate::grpc::{ContextInterceptor, GrpcClientConfig};

/// Records denials with the audit service.
#[derive(Debug, Clone)]
pub struct AuditRecorder {
    channel: Channel,
}

impl AuditRecorder {
    /// A client of the audit gRPC server at `address` (`host:port` or a URI); it connects on first use.
    pub fn new(address: &str, config: &GrpcClientConfig) -> Result<Self, AccessError> {
        Ok(Self {
            channel: crate::grpc::channel(address, config)?,
        })
    }
}

/// The `Record` call for `denial`; shared with the outbox fallback so both produce the same record.
pub(super) fn record_request(denial: &Denial) -> RecordRequest {
    let mut request_metadata = HashMap::new();
    if let Some(address) = denial.client_address {
        request_metadata.insert("client_address".to_owned(), address.to_string());
    }
    RecordRequest {
        id: denial.id.to_string(),
        actor: denial.actor.clone(),
        action: denial.action.clone(),
        resource: denial.resource.clone(),
        outcome: Outcome::Denied.into(),
        source_service: denial.service.clone(),
        occurred_at: denial.occurred_at.to_rfc3339(),
        trace_id: String::new(),
        request_metadata,
        payload_json: super::outbox::payload(denial).to_string(),
    }
}

#[async_trait::async_trait]
impl DenialRecorder for AuditRecorder {
    async fn record(&self, denial: &Denial, token: &SecretString) -> Result<(), AccessError> {
        let mut client =
            AuditServiceClient::with_interceptor(self.channel.clone(), ContextInterceptor::with_token(token.clone()));
        client
            .record(record_request(denial))
            .await
            .map_err(|status| AccessError::Remote {
                service: "audit",
                code: status.code(),
                message: status.message().to_owned(),
            })?;
        Ok(())
    }
}
