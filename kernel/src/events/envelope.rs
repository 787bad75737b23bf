//! The envelope every platform event travels in, whatever the bus.

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::message::OutgoingMessage;

/// Header carrying the envelope's id, so consumers can deduplicate without decoding the payload.
pub const HEADER_EVENT_ID: &str = "event_id";
/// Header carrying the envelope's event type, so consumers can route without decoding the payload.
pub const HEADER_EVENT_TYPE: &str = "event_type";
/// Header carrying the W3C trace context, under the name W3C propagators look for.
pub const HEADER_TRACEPARENT: &str = "traceparent";

/// Why bytes read from a topic are not a usable envelope; the message is poison and belongs in a dead-letter topic.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    /// The bytes are not JSON of the envelope's shape.
    #[error("malformed event envelope: {0}")]
    Malformed(#[source] serde_json::Error),
    /// The JSON has the envelope's shape but a field holds a value no producer may send.
    #[error("invalid event envelope: {0}")]
    Invalid(&'static str),
    /// The envelope could not be written as JSON.
    #[error("cannot encode event envelope: {0}")]
    Encode(#[source] serde_json::Error),
}

/// A versioned, self-describing event: what happened, where, when, on whose behalf, and its data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    /// Unique and time-ordered; consumers are idempotent by this id.
    pub id: Uuid,
    /// What happened, as `noun.past_verb` (e.g. `user.created`).
    pub event_type: String,
    /// Schema version of `payload` for this event type; consumers branch on `(event_type, version)`.
    pub version: u32,
    /// The service that emitted the event.
    pub source: String,
    /// When the change happened, not when the event was published.
    pub occurred_at: DateTime<Utc>,
    /// The subject who caused the change, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// W3C `traceparent` of the request that caused the change, so consumers continue its trace.
    #[serde(default, rename = "traceparent", skip_serializing_if = "Option::is_none")]
    pub trace_parent: Option<String>,
    /// The event's data, shaped by `event_type` and `version`.
    pub payload: serde_json::Value,
}

impl EventEnvelope {
    /// A new event with a fresh UUIDv7 id, version 1, occurring now.
    pub fn new(event_type: impl Into<String>, source: impl Into<String>, payload: serde_json::Value) -> Self {
        Self {
            id: Uuid::now_v7(),
            event_type: event_type.into(),
            version: 1,
            source: source.into(),
            occurred_at: Utc::now(),
            actor: None,
            trace_parent: None,
            payload,
        }
    }

    /// Records who caused the event.
    pub fn with_actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = Some(actor.into());
        self
    }

    /// Records the W3C `traceparent` of the request that caused the event.
    pub fn with_trace_parent(mut self, trace_parent: impl Into<String>) -> Self {
        self.trace_parent = Some(trace_parent.into());
        self
    }

    /// Sets the payload's schema version, for event types whose payload has changed shape.
    pub fn with_version(mut self, version: u32) -> Self {
        self.version = version;
        self
    }

    /// Sets when the change happened, for events recorded after the fact.
    pub fn with_occurred_at(mut self, occurred_at: DateTime<Utc>) -> Self {
        self.occurred_at = occurred_at;
        self
    }

    /// The envelope as JSON bytes.
    pub fn to_bytes(&self) -> Result<Bytes, EnvelopeError> {
        serde_json::to_vec(self).map(Bytes::from).map_err(EnvelopeError::Encode)
    }

    /// Reads an envelope from JSON bytes, rejecting envelopes no producer may send.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let envelope: Self = serde_json::from_slice(bytes).map_err(EnvelopeError::Malformed)?;
        if envelope.event_type.trim().is_empty() {
            return Err(EnvelopeError::Invalid("event_type is empty"));
        }
        if envelope.source.trim().is_empty() {
            return Err(EnvelopeError::Invalid("source is empty"));
        }
        if envelope.version == 0 {
            return Err(EnvelopeError::Invalid("version must be at least 1"));
        }
        Ok(envelope)
    }

    /// A message carrying this envelope under `key`, with the id, type and trace context copied into headers.
    ///
    /// Messages with the same key keep their order, so the key is usually the id of the changed aggregate.
    pub fn to_message(&self, key: impl Into<String>) -> Result<OutgoingMessage, EnvelopeError> {
        let mut headers = BTreeMap::new();
        headers.insert(HEADER_EVENT_ID.to_owned(), self.id.to_string());
        headers.insert(HEADER_EVENT_TYPE.to_owned(), self.event_type.clone());
        if let Some(trace_parent) = &self.trace_parent {
            headers.insert(HEADER_TRACEPARENT.to_owned(), trace_parent.clone());
        }
        Ok(OutgoingMessage {
            key: key.into(),
            headers,
            payload: self.to_bytes()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TRACE_PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn envelope_round_trips_through_json_bytes() {
        let envelope = EventEnvelope::new("user.created", "identity", json!({"id": "u1", "email": "a@b.c"}))
            .with_actor("admin")
            .with_trace_parent(TRACE_PARENT)
            .with_version(2);
        let decoded = EventEnvelope::from_bytes(&envelope.to_bytes().unwrap()).unwrap();
        assert_eq!(decoded, envelope);
    }

    #[test]
    fn new_envelopes_get_distinct_time_ordered_ids() {
        let first = EventEnvelope::new("a.b", "s", json!(null));
        let second = EventEnvelope::new("a.b", "s", json!(null));
        assert_eq!(first.id.get_version_num(), 7);
        assert!(first.id < second.id);
        assert_eq!(first.version, 1);
    }

    #[test]
    fn absent_optional_fields_are_omitted_and_read_back_as_none() {
        let envelope = EventEnvelope::new("post.published", "blog", json!({}));
        let text = String::from_utf8(envelope.to_bytes().unwrap().to_vec()).unwrap();
        assert!(!text.contains("actor") && !text.contains("traceparent"));
        assert_eq!(EventEnvelope::from_bytes(text.as_bytes()).unwrap().actor, None);
    }

    #[test]
    fn garbage_is_a_malformed_error_not_a_panic() {
        for bytes in [&b""[..], b"not json", b"{}", b"[1,2]", &[0xff, 0xfe, 0x00]] {
            assert!(matches!(
                EventEnvelope::from_bytes(bytes),
                Err(EnvelopeError::Malformed(_))
            ));
        }
    }

    #[test]
    fn envelopes_with_empty_type_or_zero_version_are_invalid() {
        let mut envelope = EventEnvelope::new("", "identity", json!({}));
        assert!(matches!(
            EventEnvelope::from_bytes(&envelope.to_bytes().unwrap()),
            Err(EnvelopeError::Invalid(_))
        ));
        envelope.event_type = "user.created".into();
        envelope.version = 0;
        assert!(matches!(
            EventEnvelope::from_bytes(&envelope.to_bytes().unwrap()),
            Err(EnvelopeError::Invalid(_))
        ));
    }

    #[test]
    fn message_headers_carry_id_type_and_trace_context() {
        let envelope =
            EventEnvelope::new("invoice.paid", "billing", json!({"amount": 100})).with_trace_parent(TRACE_PARENT);
        let message = envelope.to_message("invoice-7").unwrap();
        assert_eq!(message.key, "invoice-7");
        assert_eq!(message.headers[HEADER_EVENT_ID], envelope.id.to_string());
        assert_eq!(message.headers[HEADER_EVENT_TYPE], "invoice.paid");
        assert_eq!(message.headers[HEADER_TRACEPARENT], TRACE_PARENT);
        assert_eq!(EventEnvelope::from_bytes(&message.payload).unwrap(), envelope);
    }
}
