//! How a platform event becomes an audit record.
//!
//! The event type is the action; the envelope's actor (or `system`, for changes no subject made) is the actor;
//! the resource is `<noun>:<id>`, where the noun is the event type's first segment (`user` in `user.created`)
//! and the id comes from the payload, or from the message key when the payload names none. A refused action
//! (`access.denied`) names its own action and resource in its payload, so it is stored exactly as the `Record`
//! call its service would have made. Text longer than a column holds is cut rather than refused: the event
//! describes something that already happened.

use kernel::events::{ACCESS_DENIED_EVENT, Delivery, EventEnvelope, HEADER_TRACEPARENT};
use serde_json::{Value, json};

use super::InvalidInput;
use super::record::{MAX_NAME_LEN, MAX_RESOURCE_LEN, MAX_SOURCE_LEN, NewRecord, Outcome, RecordId, TraceId, to_micros};

/// The actor of an event whose envelope names none.
pub const SYSTEM_ACTOR: &str = "system";

/// The record of `envelope`, read from `delivery`; refused only when the envelope's id is unusable.
pub fn record_from_event(envelope: &EventEnvelope, delivery: &Delivery) -> Result<NewRecord, InvalidInput> {
    let trace_parent = envelope
        .trace_parent
        .as_deref()
        .or_else(|| delivery.headers.get(HEADER_TRACEPARENT).map(String::as_str));
    let actor = envelope
        .actor
        .as_deref()
        .map(str::trim)
        .filter(|actor| !actor.is_empty())
        .unwrap_or(SYSTEM_ACTOR);
    let (action, resource) = match denied_action(envelope) {
        Some((action, resource)) => (action.to_owned(), resource.to_owned()),
        None => (
            envelope.event_type.clone(),
            resource(&envelope.event_type, &envelope.payload, &delivery.key),
        ),
    };
    Ok(NewRecord {
        id: RecordId::new(envelope.id)?,
        actor: clip(actor, MAX_NAME_LEN),
        action: clip(&action, MAX_NAME_LEN),
        resource: clip(&resource, MAX_RESOURCE_LEN),
        outcome: outcome(&envelope.payload),
        source_service: clip(&envelope.source, MAX_SOURCE_LEN),
        occurred_at: to_micros(envelope.occurred_at),
        trace_id: trace_parent.and_then(TraceId::from_trace_parent),
        request_metadata: json!({
            "topic": delivery.topic,
            "partition": delivery.partition,
            "offset": delivery.offset,
            "key": delivery.key,
            "event_version": envelope.version,
        }),
        payload: envelope.payload.clone(),
    })
}

/// The refused permission and resource of an `access.denied` event that names both.
fn denied_action(envelope: &EventEnvelope) -> Option<(&str, &str)> {
    if envelope.event_type != ACCESS_DENIED_EVENT {
        return None;
    }
    let text = |name: &str| {
        envelope
            .payload
            .get(name)
            .and_then(Value::as_str)
            .filter(|text| !text.trim().is_empty())
    };
    Some((text("action")?, text("resource")?))
}

/// `<noun>:<id>` for the event's subject; the bare noun when nothing identifies it.
fn resource(event_type: &str, payload: &Value, key: &str) -> String {
    let noun = event_type.split('.').next().unwrap_or(event_type);
    let field = |name: &str| {
        payload
            .get(name)
            .and_then(|value| match value {
                Value::String(text) => Some(text.clone()),
                Value::Number(number) => Some(number.to_string()),
                _ => None,
            })
            .filter(|text| !text.is_empty())
    };
    if let Some(id) = field("id")
        .or_else(|| field(&format!("{noun}_id")))
        .or_else(|| field("name"))
    {
        return format!("{noun}:{id}");
    }
    // An event about something of a user's (`session.revoked`) is about that user.
    if let Some(user) = field("user_id") {
        return format!("user:{user}");
    }
    if key.is_empty() {
        noun.to_owned()
    } else {
        format!("{noun}:{key}")
    }
}

/// The payload's own `outcome` when it names one; an event otherwise reports something that happened.
fn outcome(payload: &Value) -> Outcome {
    payload
        .get("outcome")
        .and_then(Value::as_str)
        .and_then(Outcome::from_stored)
        .unwrap_or(Outcome::Success)
}

fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn delivery(key: &str, headers: BTreeMap<String, String>) -> Delivery {
        Delivery {
            topic: "identity.events".to_owned(),
            partition: 2,
            offset: 41,
            key: key.to_owned(),
            headers,
            payload: Default::default(),
        }
    }

    #[test]
    fn a_user_event_becomes_a_record_about_that_user() {
        let envelope = EventEnvelope::new("user.created", "identity", json!({"id": "u-1", "email": "a@b.c"}))
            .with_actor("u-1")
            .with_trace_parent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        let record = record_from_event(&envelope, &delivery("u-1", BTreeMap::new())).unwrap();
        assert_eq!(record.id.as_uuid(), envelope.id);
        assert_eq!(record.actor, "u-1");
        assert_eq!(record.action, "user.created");
        assert_eq!(record.resource, "user:u-1");
        assert_eq!(record.outcome, Outcome::Success);
        assert_eq!(record.source_service, "identity");
        assert_eq!(record.trace_id.unwrap().as_str(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(record.request_metadata["offset"], 41);
        assert_eq!(record.payload["email"], "a@b.c");
    }

    #[test]
    fn resources_come_from_the_payload_then_the_key() {
        assert_eq!(
            resource("role.created", &json!({"name": "editor"}), "editor"),
            "role:editor"
        );
        assert_eq!(
            resource("role_binding.created", &json!({"id": "b1"}), "u1"),
            "role_binding:b1"
        );
        assert_eq!(resource("session.revoked", &json!({"user_id": "u9"}), "u9"), "user:u9");
        assert_eq!(resource("invoice.paid", &json!({"invoice_id": 7}), "k"), "invoice:7");
        assert_eq!(resource("post.published", &json!({}), "p3"), "post:p3");
        assert_eq!(resource("cache.flushed", &json!(null), ""), "cache");
    }

    #[test]
    fn an_event_without_actor_is_the_systems_and_a_stated_outcome_is_kept() {
        let envelope = EventEnvelope::new("access.denied", "authz", json!({"outcome": "denied"}));
        let mut headers = BTreeMap::new();
        headers.insert(
            HEADER_TRACEPARENT.to_owned(),
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_owned(),
        );
        let record = record_from_event(&envelope, &delivery("", headers)).unwrap();
        assert_eq!(record.actor, SYSTEM_ACTOR);
        assert_eq!(record.outcome, Outcome::Denied);
        assert_eq!(record.trace_id.unwrap().as_str(), "0af7651916cd43dd8448eb211c80319c");
    }

    #[test]
    fn a_denial_from_an_outbox_names_the_refused_permission_and_resource() {
        let envelope = EventEnvelope::new(
            ACCESS_DENIED_EVENT,
            "blog",
            json!({"outcome": "denied", "action": "post:publish", "resource": "post:p7", "reason": "no role"}),
        )
        .with_actor("u-2");
        let record = record_from_event(&envelope, &delivery("u-2", BTreeMap::new())).unwrap();
        assert_eq!(record.action, "post:publish");
        assert_eq!(record.resource, "post:p7");
        assert_eq!(record.outcome, Outcome::Denied);
        assert_eq!(record.actor, "u-2");
    }

    #[test]
    fn an_envelope_with_the_nil_id_is_refused() {
        let mut envelope = EventEnvelope::new("user.created", "identity", json!({}));
        envelope.id = uuid::Uuid::nil();
        assert!(record_from_event(&envelope, &delivery("k", BTreeMap::new())).is_err());
    }
}
