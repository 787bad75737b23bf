//! What can go wrong writing to the outbox or relaying it to the bus.

use uuid::Uuid;

use crate::events::{EnvelopeError, EventsError};

/// An outbox failure. It is internal to a service: a request handler that fails to enqueue answers its client
/// with a generic internal error, never with this text.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// Reading or writing the `outbox` table failed.
    #[error("outbox database operation failed: {0}")]
    Database(#[from] sea_orm::DbErr),

    /// The envelope cannot be stored (or a stored one read back) as a valid event.
    #[error("outbox event cannot be encoded: {0}")]
    Encode(#[from] EnvelopeError),

    /// The topic is not a name any broker accepts, so the event could never be published.
    #[error("outbox topic `{topic}` is invalid: {reason}")]
    InvalidTopic {
        /// The refused topic.
        topic: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// The bus refused an event; it stays in the outbox and is retried.
    #[error("publishing event {event_id} to topic `{topic}` failed: {source}")]
    Publish {
        /// The event that was not published.
        event_id: Uuid,
        /// The topic it was meant for.
        topic: String,
        /// The bus's error, boxed because the Kafka client's errors are large and this is the rare path.
        #[source]
        source: Box<EventsError>,
    },
}
