//! The event bus: publish keyed messages to topics and consume them in groups, at least once.
//!
//! Services talk to an [`EventBus`] and never to a broker client. Two adapters implement it: [`KafkaEventBus`]
//! for production and [`InProcessEventBus`], embedded, for the one-command local run and fast tests; [`connect`]
//! picks one from [`EventsConfig`]. Every event travels in an [`EventEnvelope`].
//!
//! Delivery is at least once: a delivery stays uncommitted until [`Subscription::commit`] is called for it,
//! and everything uncommitted when a subscription goes away is delivered again to the next subscription of the
//! same group. Committing a delivery also commits every earlier delivery of its partition, so consumers commit
//! in the order they received.
//!
//! Topics are created explicitly with [`EventBus::ensure_topics`]; the embedded bus also creates them on first
//! use, a Kafka broker may not.

mod config;
mod envelope;
mod error;
mod in_process;
mod kafka;
mod message;

use std::sync::Arc;

pub use config::{EventsBackend, EventsConfig, KafkaConfig};
pub use envelope::{EnvelopeError, EventEnvelope, HEADER_EVENT_ID, HEADER_EVENT_TYPE, HEADER_TRACEPARENT};
pub use error::EventsError;
pub use in_process::InProcessEventBus;
pub use kafka::KafkaEventBus;
pub(crate) use message::validate_topic;
pub use message::{Delivery, OutgoingMessage};

/// The event type of a refused action recorded through a service's outbox (see `kernel::access`). Its payload's
/// `action` and `resource` name what was refused, and `outcome` is `denied`.
pub const ACCESS_DENIED_EVENT: &str = "access.denied";

/// A topic-based message bus with consumer groups and explicit commits.
#[async_trait::async_trait]
pub trait EventBus: Send + Sync {
    /// Appends `message` to `topic`, returning once the bus has durably accepted it.
    async fn publish(&self, topic: &str, message: OutgoingMessage) -> Result<(), EventsError>;

    /// Joins consumer group `group` on `topics`; the group's members share the messages between them.
    ///
    /// A group that has never committed starts from the oldest message still held.
    async fn subscribe(&self, group: &str, topics: &[&str]) -> Result<Box<dyn Subscription>, EventsError>;

    /// Creates the topics that do not exist yet, with the configured partitions and replicas.
    ///
    /// Brokers need not create topics on first use (tansu does not; many Kafka clusters are configured not to),
    /// so a service ensures every topic it publishes to or consumes from at start-up.
    async fn ensure_topics(&self, topics: &[&str]) -> Result<(), EventsError>;

    /// Checks that the bus can serve requests now; the readiness probe calls it.
    async fn ping(&self) -> Result<(), EventsError>;
}

/// One member of a consumer group, receiving messages from the topics it subscribed to.
#[async_trait::async_trait]
pub trait Subscription: Send {
    /// Waits for the next message; messages with one key arrive in the order they were published.
    ///
    /// Broker outages and rebalances are waited out; an error means this subscription cannot go on and should
    /// be dropped and subscribed again.
    async fn next(&mut self) -> Result<Delivery, EventsError>;

    /// Marks `delivery` and every earlier delivery of its partition as handled for this group.
    async fn commit(&mut self, delivery: &Delivery) -> Result<(), EventsError>;
}

/// Builds the event bus the configuration asks for.
///
/// The in-process backend is the process's one bus ([`InProcessEventBus::process_wide`]), so services started
/// from their config in one process see each other's events. The Kafka adapter connects lazily: a broker that is down now makes publishing fail (after the message
/// timeout) and [`EventBus::ping`] report it, but does not fail start-up.
pub async fn connect(config: &EventsConfig) -> Result<Arc<dyn EventBus>, EventsError> {
    match config.backend {
        EventsBackend::InProcess => Ok(Arc::new(InProcessEventBus::process_wide())),
        EventsBackend::Kafka => Ok(Arc::new(KafkaEventBus::new(&config.kafka)?)),
    }
}
