//! librdkafka settings derived from [`KafkaConfig`], in one place so producer and consumer agree.

use rdkafka::ClientConfig;

use crate::events::config::KafkaConfig;
use crate::events::error::EventsError;

/// librdkafka stores its timeouts as C ints.
const MAX_TIMEOUT_MS: u64 = i32::MAX as u64;

/// How often a consumer looks for subscribed topics that did not exist when it subscribed.
const TOPIC_REFRESH_INTERVAL_MS: &str = "10000";

/// Rejects settings librdkafka would refuse later, naming the key.
pub(super) fn validate(config: &KafkaConfig) -> Result<(), EventsError> {
    if config.brokers.split(',').all(|broker| broker.trim().is_empty()) {
        return Err(EventsError::Config("events.kafka.brokers lists no broker".to_owned()));
    }
    if config.client_id.trim().is_empty() {
        return Err(EventsError::Config("events.kafka.client_id is empty".to_owned()));
    }
    let timeouts = [
        ("message_timeout_ms", config.message_timeout_ms),
        ("session_timeout_ms", config.session_timeout_ms),
        ("request_timeout_ms", config.request_timeout_ms),
    ];
    for (key, value) in timeouts {
        if value == 0 || value > MAX_TIMEOUT_MS {
            return Err(EventsError::Config(format!(
                "events.kafka.{key} must be between 1 and {MAX_TIMEOUT_MS}"
            )));
        }
    }
    if config.topic_partitions < 1 {
        return Err(EventsError::Config(
            "events.kafka.topic_partitions must be at least 1".to_owned(),
        ));
    }
    if config.topic_replication_factor < 1 {
        return Err(EventsError::Config(
            "events.kafka.topic_replication_factor must be at least 1".to_owned(),
        ));
    }
    Ok(())
}

fn common(config: &KafkaConfig) -> ClientConfig {
    let mut client = ClientConfig::new();
    client
        .set("bootstrap.servers", &config.brokers)
        .set("client.id", &config.client_id);
    client
}

/// An idempotent producer that waits for all in-sync replicas and gives up after the message timeout.
pub(super) fn producer_config(config: &KafkaConfig) -> ClientConfig {
    let mut client = common(config);
    client
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("message.timeout.ms", config.message_timeout_ms.to_string());
    client
}

/// A group member that commits only explicitly and starts a new group at the oldest message.
pub(super) fn consumer_config(config: &KafkaConfig, group: &str) -> ClientConfig {
    let mut client = common(config);
    client
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", "false")
        .set("session.timeout.ms", config.session_timeout_ms.to_string())
        // A subscribed topic that does not exist yet is only looked for again at the next metadata refresh;
        // librdkafka's default of five minutes would leave a consumer started before its producer idle that long.
        .set("topic.metadata.refresh.interval.ms", TOPIC_REFRESH_INTERVAL_MS);
    client
}

/// The admin client used to create topics.
pub(super) fn admin_config(config: &KafkaConfig) -> ClientConfig {
    common(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_config_is_valid() {
        assert!(validate(&KafkaConfig::default()).is_ok());
    }

    #[test]
    fn invalid_settings_name_their_key() {
        let cases = [
            KafkaConfig {
                brokers: " , ".into(),
                ..KafkaConfig::default()
            },
            KafkaConfig {
                client_id: String::new(),
                ..KafkaConfig::default()
            },
            KafkaConfig {
                message_timeout_ms: 0,
                ..KafkaConfig::default()
            },
            KafkaConfig {
                session_timeout_ms: u64::MAX,
                ..KafkaConfig::default()
            },
            KafkaConfig {
                topic_partitions: 0,
                ..KafkaConfig::default()
            },
        ];
        let keys = [
            "brokers",
            "client_id",
            "message_timeout_ms",
            "session_timeout_ms",
            "topic_partitions",
        ];
        for (config, key) in cases.iter().zip(keys) {
            match validate(config) {
                Err(EventsError::Config(message)) => assert!(message.contains(key), "{message}"),
                other => panic!("expected a config error naming {key}, got {other:?}"),
            }
        }
    }

    #[test]
    fn consumers_commit_only_explicitly_and_start_new_groups_at_the_oldest_message() {
        let client = consumer_config(&KafkaConfig::default(), "g");
        assert_eq!(client.get("enable.auto.commit"), Some("false"));
        assert_eq!(client.get("auto.offset.reset"), Some("earliest"));
        assert_eq!(client.get("group.id"), Some("g"));
    }

    #[test]
    fn producers_are_idempotent_and_wait_for_all_replicas() {
        let client = producer_config(&KafkaConfig {
            message_timeout_ms: 1234,
            ..KafkaConfig::default()
        });
        assert_eq!(client.get("enable.idempotence"), Some("true"));
        assert_eq!(client.get("acks"), Some("all"));
        assert_eq!(client.get("message.timeout.ms"), Some("1234"));
    }
}
