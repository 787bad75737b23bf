//! The `audit.v1.AuditService` gRPC service: `Record`, for facts a service must have recorded before it answers
//! (an authz denial, say). Same storage and same idempotency as events: a retried call with the same id is
//! stored once and answered `created = false`.
//!
//! Every call is authenticated first ([`kernel::grpc::authenticate`]); a call that is refused, for any reason,
//! stores nothing it asked for. A service's token (role `service`) may record anything; a user's own token (which
//! a service's access guard uses to record that user's refusal) may record only a denial of that very user. Any
//! other record is `PERMISSION_DENIED`, and the attempt to write the log is itself recorded, as a denial of its
//! caller.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use kernel::auth::{Claims, JwtVerifier};
use kernel::events::HEADER_TRACEPARENT;
use proto::audit::v1::audit_service_server::{AuditService, AuditServiceServer};
use proto::audit::v1::{Outcome as WireOutcome, RecordRequest, RecordResponse};
use serde_json::{Value, json};
use tonic::{Request, Response, Status};

use crate::domain::page::parse_time;
use crate::domain::record::{MAX_NAME_LEN, MAX_RESOURCE_LEN, MAX_SOURCE_LEN, bounded_text, required_text, to_micros};
use crate::domain::{InvalidInput, NewRecord, Outcome, RecordId, TraceId};
use crate::error::AuditError;
use crate::store::AuditStore;

/// Largest `payload_json` accepted, in bytes.
const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
/// Most `request_metadata` entries accepted.
const MAX_METADATA_ENTRIES: usize = 64;
/// The tonic service; build it with [`AuditGrpc::new`] and serve [`AuditGrpc::into_server`].
#[derive(Clone)]
pub struct AuditGrpc {
    verifier: Arc<JwtVerifier>,
    store: AuditStore,
}

impl AuditGrpc {
    /// A service storing into `store`, authenticating with `verifier`.
    pub fn new(verifier: Arc<JwtVerifier>, store: AuditStore) -> Self {
        Self { verifier, store }
    }

    /// The service as tonic serves it.
    pub fn into_server(self) -> AuditServiceServer<Self> {
        AuditServiceServer::new(self)
    }
}

/// The record a `Record` call asks for; `trace_parent` is the call's own `traceparent`, used when the request
/// names no trace id.
pub fn record_from_request(request: &RecordRequest, trace_parent: Option<&str>) -> Result<NewRecord, InvalidInput> {
    let id = RecordId::parse(&request.id)?;
    let actor = required_text(&request.actor, "actor", MAX_NAME_LEN)?;
    let action = required_text(&request.action, "action", MAX_NAME_LEN)?;
    let resource = bounded_text(&request.resource, "resource", MAX_RESOURCE_LEN)?;
    let source_service = required_text(&request.source_service, "source service", MAX_SOURCE_LEN)?;
    let outcome = match WireOutcome::try_from(request.outcome) {
        Ok(WireOutcome::Success) => Outcome::Success,
        Ok(WireOutcome::Denied) => Outcome::Denied,
        Ok(WireOutcome::Failure) => Outcome::Failure,
        Ok(WireOutcome::Unspecified) | Err(_) => {
            return Err(InvalidInput::new("the outcome must be SUCCESS, DENIED or FAILURE"));
        }
    };
    let occurred_at = if request.occurred_at.trim().is_empty() {
        Utc::now()
    } else {
        parse_time(&request.occurred_at, "occurred_at")?
    };
    let trace_id = if request.trace_id.is_empty() {
        trace_parent.and_then(TraceId::from_trace_parent)
    } else {
        Some(TraceId::parse(&request.trace_id)?)
    };
    if request.request_metadata.len() > MAX_METADATA_ENTRIES {
        return Err(InvalidInput::new(format!(
            "the request metadata has more than {MAX_METADATA_ENTRIES} entries"
        )));
    }
    let payload = payload(&request.payload_json)?;
    Ok(NewRecord {
        id,
        actor,
        action,
        resource,
        outcome,
        source_service,
        occurred_at: to_micros(occurred_at),
        trace_id,
        request_metadata: metadata(&request.request_metadata),
        payload,
    })
}

fn payload(text: &str) -> Result<Value, InvalidInput> {
    if text.trim().is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(InvalidInput::new(format!(
            "the payload is larger than {MAX_PAYLOAD_BYTES} bytes"
        )));
    }
    serde_json::from_str(text).map_err(|error| InvalidInput::new(format!("the payload is not JSON: {error}")))
}

fn metadata(entries: &HashMap<String, String>) -> Value {
    let object = entries
        .iter()
        .map(|(name, value)| (name.clone(), Value::String(value.clone())))
        .collect();
    Value::Object(object)
}

#[tonic::async_trait]
impl AuditService for AuditGrpc {
    async fn record(&self, call: Request<RecordRequest>) -> Result<Response<RecordResponse>, Status> {
        let claims = kernel::grpc::authenticate(&self.verifier, &call).await?;
        let trace_parent = call
            .metadata()
            .get(HEADER_TRACEPARENT)
            .and_then(|value| value.to_str().ok());
        let record = record_from_request(call.get_ref(), trace_parent).map_err(AuditError::from)?;
        if !may_record(&claims, &record) {
            let address = call.remote_addr().map(|address| address.ip());
            let stored = match refusal(&claims, &record, address) {
                Ok(refused) => self.store.append(&refused).await.map(|_| ()).map_err(AuditError::from),
                Err(invalid) => Err(AuditError::from(invalid)),
            };
            if let Err(error) = stored {
                // The refusal stands; the log is the only record left.
                tracing::error!(%error, actor = %claims.sub, "could not record a refused audit write");
            }
            return Err(AuditError::Forbidden(
                "a user may only record its own denials; other records need a service's token".to_owned(),
            )
            .into());
        }
        let created = self.store.append(&record).await.map_err(AuditError::from)?;
        Ok(Response::new(RecordResponse { created }))
    }
}

/// Whether `claims` may write `record`: a service anything, a user only a denial of itself.
fn may_record(claims: &Claims, record: &NewRecord) -> bool {
    claims.is_service() || (record.actor == claims.sub && record.outcome == Outcome::Denied)
}

/// The record of `claims` trying to write `record` into the log, from `address`: a denial of the caller, naming
/// what it tried to write.
fn refusal(claims: &Claims, record: &NewRecord, address: Option<std::net::IpAddr>) -> Result<NewRecord, InvalidInput> {
    let mut request_metadata = serde_json::Map::new();
    if let Some(address) = address {
        request_metadata.insert("client_address".to_owned(), Value::String(address.to_string()));
    }
    Ok(NewRecord {
        id: RecordId::new(uuid::Uuid::now_v7())?,
        actor: bounded(&claims.sub, MAX_NAME_LEN),
        action: "audit_log:record".to_owned(),
        resource: "audit_log".to_owned(),
        outcome: Outcome::Denied,
        source_service: "audit".to_owned(),
        occurred_at: to_micros(Utc::now()),
        trace_id: record.trace_id.clone(),
        request_metadata: Value::Object(request_metadata),
        payload: json!({
            "reason": "a user may only record its own denials",
            "attempted": {
                "actor": record.actor,
                "action": record.action,
                "resource": record.resource,
                "outcome": record.outcome.as_str(),
                "source_service": record.source_service,
            },
        }),
    })
}

fn bounded(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> RecordRequest {
        RecordRequest {
            id: uuid::Uuid::now_v7().to_string(),
            actor: "u1".into(),
            action: "post.publish".into(),
            resource: "post:9".into(),
            outcome: WireOutcome::Denied.into(),
            source_service: "blog".into(),
            occurred_at: String::new(),
            trace_id: String::new(),
            request_metadata: HashMap::from([("client_address".to_owned(), "10.0.0.1".to_owned())]),
            payload_json: r#"{"reason":"no binding grants post:publish"}"#.into(),
        }
    }

    #[test]
    fn a_complete_request_becomes_a_record_with_the_calls_trace() {
        let record = record_from_request(
            &request(),
            Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        )
        .unwrap();
        assert_eq!(record.outcome, Outcome::Denied);
        assert_eq!(record.trace_id.unwrap().as_str(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(record.request_metadata["client_address"], "10.0.0.1");
        assert_eq!(record.payload["reason"], "no binding grants post:publish");
    }

    #[test]
    fn each_bad_field_is_refused() {
        type Spoil = fn(&mut RecordRequest);
        let cases: [(&str, Spoil); 8] = [
            ("id", |r| r.id = "nope".into()),
            ("action", |r| r.action = " ".into()),
            ("actor", |r| r.actor = String::new()),
            ("source service", |r| r.source_service = String::new()),
            ("outcome", |r| r.outcome = 0),
            ("occurred_at", |r| r.occurred_at = "noon".into()),
            ("trace id", |r| r.trace_id = "xyz".into()),
            ("payload", |r| r.payload_json = "{not json".into()),
        ];
        for (what, spoil) in cases {
            let mut bad = request();
            spoil(&mut bad);
            let error = record_from_request(&bad, None).unwrap_err();
            assert!(error.to_string().contains(what), "{what}: {error}");
        }
    }
}
