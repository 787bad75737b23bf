//! Writing an event into the outbox, inside the transaction of the change it describes.

use chrono::Utc;
use sea_orm::{ActiveValue::NotSet, ConnectionTrait, EntityTrait, Set};

use super::entity;
use super::error::OutboxError;
use crate::events::{EnvelopeError, EventEnvelope, EventsError};

/// Adds `envelope` to the outbox as a pending event for `topic`, keyed by `key`.
///
/// Pass the transaction that makes the change the event describes: the event is then published if and only if
/// the change commits. `key` is the changed aggregate's id, so its events stay in order on the topic. Events of
/// one key are published in the order their transactions wrote them, provided those transactions are serialized
/// on the aggregate (they update its row before enqueueing), as any read-modify-write of it already is.
///
/// An envelope or topic that could never be published is refused here, failing the caller's transaction, rather
/// than left to block the relay; so is an envelope whose id is already in the outbox.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    topic: &str,
    key: &str,
    envelope: &EventEnvelope,
) -> Result<(), OutboxError> {
    validate_topic(topic)?;
    // The same encoding as `EventEnvelope::to_bytes`, kept as text so the column stays readable.
    let text = serde_json::to_string(envelope).map_err(EnvelopeError::Encode)?;
    // Reading it back applies the checks every consumer applies, so the relay never meets a poison row.
    EventEnvelope::from_bytes(text.as_bytes())?;
    let row = entity::ActiveModel {
        sequence: NotSet,
        event_id: Set(envelope.id),
        topic: Set(topic.to_owned()),
        event_key: Set(key.to_owned()),
        envelope: Set(text),
        created_at: Set(Utc::now()),
        sent_at: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        last_attempt_at: Set(None),
    };
    entity::Entity::insert(row).exec_without_returning(conn).await?;
    Ok(())
}

/// Kafka's rules for topic names, shared with the event bus so the outbox refuses what a broker would.
fn validate_topic(topic: &str) -> Result<(), OutboxError> {
    crate::events::validate_topic(topic).map_err(|error| match error {
        EventsError::InvalidName { reason, .. } => OutboxError::InvalidTopic {
            topic: topic.to_owned(),
            reason,
        },
        _ => OutboxError::InvalidTopic {
            topic: topic.to_owned(),
            reason: "it is not a valid topic name",
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_a_broker_would_refuse_are_refused() {
        for topic in ["", ".", "..", "with space", "a/b", &"x".repeat(250)] {
            assert!(
                matches!(validate_topic(topic), Err(OutboxError::InvalidTopic { .. })),
                "{topic:?}"
            );
        }
        for topic in ["user.created", "audit_events", "a-b.c_9"] {
            assert!(validate_topic(topic).is_ok(), "{topic}");
        }
    }
}
