//! The `[events]` section of a service's configuration.

use serde::Deserialize;

/// Which event bus a service publishes to and consumes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsConfig {
    /// The adapter to use; the embedded in-process bus needs nothing installed.
    #[serde(default = "default_backend")]
    pub backend: EventsBackend,
    /// Settings for the Kafka adapter, read only when `backend = "kafka"`.
    #[serde(default)]
    pub kafka: KafkaConfig,
}

impl Default for EventsConfig {
    fn default() -> Self {
        Self {
            backend: default_backend(),
            kafka: KafkaConfig::default(),
        }
    }
}

/// The event bus adapters a service can be wired with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventsBackend {
    /// The embedded bus inside the process, for the one-command local run and tests.
    InProcess,
    /// A Kafka-compatible broker cluster.
    Kafka,
}

/// Connection and delivery settings of the Kafka adapter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaConfig {
    /// Bootstrap brokers, comma-separated `host:port` pairs.
    #[serde(default = "default_brokers")]
    pub brokers: String,
    /// The client id brokers see in their logs and quotas; usually the service name.
    #[serde(default = "default_client_id")]
    pub client_id: String,
    /// How long a published message may wait for the broker's acknowledgement before publishing fails.
    #[serde(default = "default_message_timeout_ms")]
    pub message_timeout_ms: u64,
    /// How long a consumer may go without heartbeats before the group gives its partitions to others.
    #[serde(default = "default_session_timeout_ms")]
    pub session_timeout_ms: u64,
    /// Bound on metadata, commit and topic-creation requests, and on the readiness probe.
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// Partitions of the topics this service creates; more partitions allow more consumers per group.
    #[serde(default = "default_topic_partitions")]
    pub topic_partitions: i32,
    /// Replicas of each partition of the topics this service creates.
    #[serde(default = "default_topic_replication_factor")]
    pub topic_replication_factor: i32,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        Self {
            brokers: default_brokers(),
            client_id: default_client_id(),
            message_timeout_ms: default_message_timeout_ms(),
            session_timeout_ms: default_session_timeout_ms(),
            request_timeout_ms: default_request_timeout_ms(),
            topic_partitions: default_topic_partitions(),
            topic_replication_factor: default_topic_replication_factor(),
        }
    }
}

fn default_backend() -> EventsBackend {
    EventsBackend::InProcess
}

fn default_brokers() -> String {
    "127.0.0.1:9092".to_owned()
}

fn default_client_id() -> String {
    "platform".to_owned()
}

fn default_message_timeout_ms() -> u64 {
    30_000
}

fn default_session_timeout_ms() -> u64 {
    10_000
}

fn default_request_timeout_ms() -> u64 {
    5_000
}

fn default_topic_partitions() -> i32 {
    3
}

fn default_topic_replication_factor() -> i32 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_section_gives_the_defaults() {
        let parsed: EventsConfig = serde_json::from_str("{}").unwrap();
        let default = EventsConfig::default();
        assert_eq!(parsed.backend, default.backend);
        assert_eq!(parsed.backend, EventsBackend::InProcess);
        assert_eq!(parsed.kafka.brokers, default.kafka.brokers);
        assert_eq!(parsed.kafka.message_timeout_ms, default.kafka.message_timeout_ms);
        assert_eq!(parsed.kafka.topic_partitions, default.kafka.topic_partitions);
    }

    #[test]
    fn backend_is_written_in_snake_case() {
        let parsed: EventsConfig =
            serde_json::from_str(r#"{"backend":"kafka","kafka":{"brokers":"k1:9092,k2:9092"}}"#).unwrap();
        assert_eq!(parsed.backend, EventsBackend::Kafka);
        assert_eq!(parsed.kafka.brokers, "k1:9092,k2:9092");
        assert_eq!(parsed.kafka.client_id, "platform");
        assert!(serde_json::from_str::<EventsConfig>(r#"{"backend":"InProcess"}"#).is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(serde_json::from_str::<EventsConfig>(r#"{"brokers":"x"}"#).is_err());
        assert!(serde_json::from_str::<EventsConfig>(r#"{"kafka":{"broker":"x"}}"#).is_err());
    }
}
