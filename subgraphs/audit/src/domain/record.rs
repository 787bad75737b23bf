//! One audit record: who did what to what, when, with which outcome, reported by which service.

use std::fmt;

use chrono::{DateTime, SubsecRound, Utc};
use uuid::Uuid;

use super::InvalidInput;

/// Longest actor, action or source service accepted.
pub const MAX_NAME_LEN: usize = 256;
/// Longest resource accepted.
pub const MAX_RESOURCE_LEN: usize = 512;
/// Longest source service name accepted.
pub const MAX_SOURCE_LEN: usize = 128;

/// A record's id: the event id it was made from, or the id a gRPC caller chose; never nil.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordId(Uuid);

impl RecordId {
    /// Parses a UUID in any of its text forms, refusing the nil UUID.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let id = Uuid::parse_str(text.trim())
            .map_err(|_| InvalidInput::new(format!("the id `{}` is not a UUID", shown(text))))?;
        Self::new(id)
    }

    /// Wraps an id, refusing the nil UUID (it would make every caller's default the same record).
    pub fn new(id: Uuid) -> Result<Self, InvalidInput> {
        if id.is_nil() {
            return Err(InvalidInput::new("the id must not be the nil UUID"));
        }
        Ok(Self(id))
    }

    /// The id as a UUID.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// How the recorded action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// It happened.
    Success,
    /// It was refused (e.g. an authorization denial).
    Denied,
    /// It was attempted and failed.
    Failure,
}

impl Outcome {
    /// The stored and displayed form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Denied => "denied",
            Self::Failure => "failure",
        }
    }

    /// Reads the stored form back; `None` for anything else.
    pub fn from_stored(text: &str) -> Option<Self> {
        match text {
            "success" => Some(Self::Success),
            "denied" => Some(Self::Denied),
            "failure" => Some(Self::Failure),
            _ => None,
        }
    }
}

/// A W3C trace id: 32 lowercase hex digits, not all zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceId(String);

impl TraceId {
    /// Parses a bare trace id.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let valid = text.len() == 32
            && text.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
            && text.chars().any(|c| c != '0');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidInput::new(format!(
                "the trace id `{}` is not 32 lowercase hex digits (and not all zero)",
                shown(text)
            )))
        }
    }

    /// The trace id inside a W3C `traceparent` (`version-traceid-parentid-flags`), when it holds a valid one.
    pub fn from_trace_parent(trace_parent: &str) -> Option<Self> {
        let mut parts = trace_parent.trim().split('-');
        let _version = parts.next()?;
        Self::parse(parts.next()?).ok()
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A record about to be stored; every field has passed its checks.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord {
    /// The record's id; storing the same id twice keeps the first.
    pub id: RecordId,
    /// Who did it: a subject id, or `system`.
    pub actor: String,
    /// What was done, e.g. `user.created` or `post.publish`.
    pub action: String,
    /// What it was done to, as `kind:id` (may be empty when nothing in particular).
    pub resource: String,
    /// How it ended.
    pub outcome: Outcome,
    /// The service that reported it.
    pub source_service: String,
    /// When it happened, to the microsecond (what both databases keep).
    pub occurred_at: DateTime<Utc>,
    /// The trace of the request that did it.
    pub trace_id: Option<TraceId>,
    /// Where the request came from: client address, user agent, topic and offset, … as a JSON object.
    pub request_metadata: serde_json::Value,
    /// The event's data.
    pub payload: serde_json::Value,
}

/// A stored record, as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// The record's id.
    pub id: Uuid,
    /// Who did it.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub resource: String,
    /// How it ended.
    pub outcome: Outcome,
    /// The service that reported it.
    pub source_service: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When the audit service stored it.
    pub recorded_at: DateTime<Utc>,
    /// The trace of the request that did it.
    pub trace_id: Option<String>,
    /// Where the request came from.
    pub request_metadata: serde_json::Value,
    /// The event's data.
    pub payload: serde_json::Value,
}

/// `time` cut to whole microseconds, the precision PostgreSQL keeps, so a value read back equals the one stored.
pub fn to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    time.trunc_subsecs(6)
}

/// A required text field: trimmed, non-empty, at most `max` characters.
pub(crate) fn required_text(value: &str, what: &str, max: usize) -> Result<String, InvalidInput> {
    let value = value.trim();
    if value.is_empty() {
        return Err(InvalidInput::new(format!("the {what} is empty")));
    }
    bounded_text(value, what, max)
}

/// An optional text field: trimmed, at most `max` characters, free of control characters.
pub(crate) fn bounded_text(value: &str, what: &str, max: usize) -> Result<String, InvalidInput> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(InvalidInput::new(format!("the {what} is longer than {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(InvalidInput::new(format!("the {what} holds control characters")));
    }
    Ok(value.to_owned())
}

/// `text` cut to a length that is safe to echo in a message.
pub(crate) fn shown(text: &str) -> String {
    let mut cut: String = text.chars().take(64).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_refuse_garbage_and_the_nil_uuid() {
        assert!(RecordId::parse("not-a-uuid").is_err());
        assert!(RecordId::parse("00000000-0000-0000-0000-000000000000").is_err());
        let id = Uuid::now_v7();
        assert_eq!(RecordId::parse(&id.to_string()).unwrap().as_uuid(), id);
    }

    #[test]
    fn trace_ids_come_out_of_a_trace_parent_only_when_valid() {
        let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert_eq!(
            TraceId::from_trace_parent(parent).unwrap().as_str(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert!(TraceId::from_trace_parent("00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_none());
        assert!(TraceId::from_trace_parent("garbage").is_none());
        assert!(TraceId::parse("4BF92F3577B34DA6A3CE929D0E0E4736").is_err());
    }

    #[test]
    fn outcomes_round_trip_through_their_stored_form() {
        for outcome in [Outcome::Success, Outcome::Denied, Outcome::Failure] {
            assert_eq!(Outcome::from_stored(outcome.as_str()), Some(outcome));
        }
        assert_eq!(Outcome::from_stored("maybe"), None);
    }

    #[test]
    fn text_fields_are_trimmed_bounded_and_required_where_needed() {
        assert_eq!(required_text("  post.publish ", "action", 20).unwrap(), "post.publish");
        assert!(required_text("   ", "action", 20).is_err());
        assert!(required_text(&"a".repeat(21), "action", 20).is_err());
        assert!(bounded_text("a\u{0}b", "actor", 20).is_err());
        assert_eq!(bounded_text("", "resource", 20).unwrap(), "");
    }
}
