//! The dead-letter topic: a message that is not a usable event is copied there, unchanged, with where it came
//! from and why it was refused in headers, so the partition it blocked can move on and a person can look at it.

use std::sync::Arc;

use kernel::events::{Delivery, EventBus, EventsError, OutgoingMessage};

/// Header naming the topic the message was read from.
pub const HEADER_ORIGINAL_TOPIC: &str = "original_topic";
/// Header naming the partition the message was read from.
pub const HEADER_ORIGINAL_PARTITION: &str = "original_partition";
/// Header naming the message's offset in that partition.
pub const HEADER_ORIGINAL_OFFSET: &str = "original_offset";
/// Header saying why the message was refused.
pub const HEADER_ERROR: &str = "error";

/// The dead-letter copy of `delivery`, refused for `reason`: same key, payload and headers, plus its origin.
pub fn message(delivery: &Delivery, reason: &str) -> OutgoingMessage {
    let mut message = OutgoingMessage::new(delivery.key.clone(), delivery.payload.clone());
    message.headers = delivery.headers.clone();
    message
        .with_header(HEADER_ORIGINAL_TOPIC, delivery.topic.clone())
        .with_header(HEADER_ORIGINAL_PARTITION, delivery.partition.to_string())
        .with_header(HEADER_ORIGINAL_OFFSET, delivery.offset.to_string())
        .with_header(HEADER_ERROR, reason)
}

/// Publishes `delivery`'s dead-letter copy to `topic`.
pub async fn publish(
    bus: &Arc<dyn EventBus>,
    topic: &str,
    delivery: &Delivery,
    reason: &str,
) -> Result<(), EventsError> {
    bus.publish(topic, message(delivery, reason)).await
}
