//! What can go wrong when publishing, consuming or administering topics.

use rdkafka::error::KafkaError;

/// An error from an [`EventBus`](super::EventBus) or one of its subscriptions.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    /// The configuration cannot produce a working client (empty broker list, bad client option).
    #[error("invalid events configuration: {0}")]
    Config(String),

    /// A topic or consumer-group name that no broker would accept.
    #[error("invalid {kind} name `{name}`: {reason}")]
    InvalidName {
        /// What was named: "topic" or "group".
        kind: &'static str,
        /// The rejected name.
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },

    /// The Kafka client could not be created from the configuration.
    #[error("cannot create the Kafka {role}: {source}")]
    Client {
        /// Which client: producer, consumer or admin client.
        role: &'static str,
        /// The client library's error.
        #[source]
        source: KafkaError,
    },

    /// No broker acknowledged the message within the configured message timeout; it was not published.
    #[error(
        "publishing to topic `{topic}` timed out after {timeout_ms} ms: no broker acknowledged the message \
         (is a broker reachable, and does the topic exist?)"
    )]
    PublishTimedOut {
        /// The topic the message was meant for.
        topic: String,
        /// The configured message timeout.
        timeout_ms: u64,
    },

    /// The broker refused the message, or it could not be queued for sending.
    #[error("publishing to topic `{topic}` failed: {source}")]
    Publish {
        /// The topic the message was meant for.
        topic: String,
        /// The client library's error.
        #[source]
        source: KafkaError,
    },

    /// Joining the consumer group or subscribing to its topics failed.
    #[error("subscribing group `{group}` failed: {source}")]
    Subscribe {
        /// The consumer group.
        group: String,
        /// The client library's error.
        #[source]
        source: KafkaError,
    },

    /// The consumer hit an error it cannot recover from; the subscription should be dropped and recreated.
    #[error("receiving for group `{group}` failed: {source}")]
    Receive {
        /// The consumer group.
        group: String,
        /// The client library's error.
        #[source]
        source: KafkaError,
    },

    /// Committing a delivery's offset failed; the delivery may be redelivered to the group.
    #[error("committing offset {offset} of `{topic}`/{partition} for group `{group}` failed: {reason}")]
    Commit {
        /// The consumer group.
        group: String,
        /// The delivery's topic.
        topic: String,
        /// The delivery's partition.
        partition: i32,
        /// The delivery's offset.
        offset: i64,
        /// Why the commit failed.
        reason: String,
    },

    /// Creating a topic failed for another reason than the topic already existing.
    #[error("creating topic `{topic}` failed: {reason}")]
    CreateTopic {
        /// The topic.
        topic: String,
        /// Why creation failed.
        reason: String,
    },

    /// No broker answered a metadata or admin request within the configured request timeout.
    #[error("the event broker did not answer within {timeout_ms} ms: {reason}")]
    Unreachable {
        /// The configured request timeout.
        timeout_ms: u64,
        /// What failed.
        reason: String,
    },
}
