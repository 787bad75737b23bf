//! The GraphQL shapes of the log: records, the Relay-style connection that pages them, and the filter.

use async_graphql::{Enum, ID, InputObject, Json, SimpleObject};

use crate::domain::{AuditRecord, Cursor, Outcome};

/// How a recorded action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "AuditOutcome")]
pub enum OutcomeValue {
    /// It happened.
    Success,
    /// It was refused.
    Denied,
    /// It was attempted and failed.
    Failure,
}

impl From<Outcome> for OutcomeValue {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Success => Self::Success,
            Outcome::Denied => Self::Denied,
            Outcome::Failure => Self::Failure,
        }
    }
}

/// One audit record: who did what to what, when, with which outcome.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "AuditRecord")]
pub struct AuditRecordObject {
    /// The record's id: the event's id, or the one its reporter chose.
    pub id: ID,
    /// Who did it: a subject id, or `system`.
    pub actor: String,
    /// What was done, e.g. `user.created`.
    pub action: String,
    /// What it was done to, as `kind:id`.
    pub resource: String,
    /// How it ended.
    pub outcome: OutcomeValue,
    /// The service that reported it.
    pub source_service: String,
    /// When it happened (RFC 3339).
    pub occurred_at: String,
    /// When audit stored it (RFC 3339).
    pub recorded_at: String,
    /// The trace of the request that did it.
    pub trace_id: Option<String>,
    /// Where the request came from.
    pub request_metadata: Json<serde_json::Value>,
    /// The event's data.
    pub payload: Json<serde_json::Value>,
}

impl From<AuditRecord> for AuditRecordObject {
    fn from(record: AuditRecord) -> Self {
        Self {
            id: ID(record.id.to_string()),
            actor: record.actor,
            action: record.action,
            resource: record.resource,
            outcome: record.outcome.into(),
            source_service: record.source_service,
            occurred_at: record.occurred_at.to_rfc3339(),
            recorded_at: record.recorded_at.to_rfc3339(),
            trace_id: record.trace_id,
            request_metadata: Json(record.request_metadata),
            payload: Json(record.payload),
        }
    }
}

/// One record of a page, with the cursor that resumes after it.
#[derive(Debug, Clone, SimpleObject)]
pub struct AuditRecordEdge {
    /// Pass as `after` to read the records following this one.
    pub cursor: String,
    /// The record.
    pub node: AuditRecordObject,
}

impl From<AuditRecord> for AuditRecordEdge {
    fn from(record: AuditRecord) -> Self {
        Self {
            cursor: Cursor::after(&record).encode(),
            node: record.into(),
        }
    }
}

/// Where a page ended. Named for the log so it never clashes with another subgraph's page type.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "AuditLogPageInfo")]
pub struct PageInfo {
    /// Whether more records follow this page.
    pub has_next_page: bool,
    /// The last edge's cursor; null for an empty page.
    pub end_cursor: Option<String>,
}

/// A page of the log, newest first.
#[derive(Debug, Clone, SimpleObject)]
pub struct AuditRecordConnection {
    /// The page's records.
    pub edges: Vec<AuditRecordEdge>,
    /// Where the page ended.
    pub page_info: PageInfo,
}

/// Which records to read; every field given must match.
#[derive(Debug, Clone, Default, InputObject)]
pub struct AuditLogFilter {
    /// Only records by this actor.
    pub actor: Option<String>,
    /// Only records about this resource, `kind:id`.
    pub resource: Option<String>,
    /// Only records of this action.
    pub action: Option<String>,
    /// Only records that happened at or after this time (RFC 3339).
    pub from: Option<String>,
    /// Only records that happened before this time (RFC 3339).
    pub to: Option<String>,
}
