//! Messages as they go onto a topic and come back off it, and the names topics and groups may have.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::error::EventsError;

/// A message to publish: its key decides its partition, so messages with one key keep their order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// Partitioning key; usually the id of the entity the message is about.
    pub key: String,
    /// Metadata that consumers can read without decoding the payload.
    pub headers: BTreeMap<String, String>,
    /// The message body.
    pub payload: Bytes,
}

impl OutgoingMessage {
    /// A message with no headers.
    pub fn new(key: impl Into<String>, payload: impl Into<Bytes>) -> Self {
        Self {
            key: key.into(),
            headers: BTreeMap::new(),
            payload: payload.into(),
        }
    }

    /// Adds or replaces one header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }
}

/// A message received by a subscription; it stays uncommitted, and so due for redelivery, until committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The topic it was read from.
    pub topic: String,
    /// The partition it was read from.
    pub partition: i32,
    /// Its position in the partition.
    pub offset: i64,
    /// Its partitioning key; empty when the producer sent none.
    pub key: String,
    /// Its headers; a header whose value is not UTF-8 is read lossily.
    pub headers: BTreeMap<String, String>,
    /// The message body.
    pub payload: Bytes,
}

/// The longest topic name Kafka accepts.
const MAX_TOPIC_LEN: usize = 249;

/// Checks a topic name against Kafka's rules, so the embedded bus refuses what production would refuse.
pub(crate) fn validate_topic(name: &str) -> Result<(), EventsError> {
    let invalid = |reason| {
        Err(EventsError::InvalidName {
            kind: "topic",
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return invalid("it is empty");
    }
    if name.len() > MAX_TOPIC_LEN {
        return invalid("it is longer than 249 characters");
    }
    if name == "." || name == ".." {
        return invalid("`.` and `..` are reserved");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return invalid("only ASCII letters, digits, `.`, `_` and `-` are allowed");
    }
    Ok(())
}

/// Checks a consumer-group name and the topic list of a subscription.
pub(crate) fn validate_subscription(group: &str, topics: &[&str]) -> Result<(), EventsError> {
    if group.trim().is_empty() {
        return Err(EventsError::InvalidName {
            kind: "group",
            name: group.to_owned(),
            reason: "it is empty",
        });
    }
    if topics.is_empty() {
        return Err(EventsError::InvalidName {
            kind: "topic",
            name: String::new(),
            reason: "a subscription needs at least one topic",
        });
    }
    topics.iter().try_for_each(|topic| validate_topic(topic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_style_topic_names_are_accepted() {
        for name in ["user.created", "audit_events", "a-b.c_9", &"x".repeat(249)] {
            assert!(validate_topic(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn names_kafka_would_refuse_are_rejected() {
        for name in ["", ".", "..", "with space", "slash/topic", "ünïcode", &"x".repeat(250)] {
            assert!(
                matches!(
                    validate_topic(name),
                    Err(EventsError::InvalidName { kind: "topic", .. })
                ),
                "{name}"
            );
        }
    }

    #[test]
    fn a_subscription_needs_a_group_and_a_topic() {
        assert!(validate_subscription("", &["t"]).is_err());
        assert!(validate_subscription("g", &[]).is_err());
        assert!(validate_subscription("g", &["t", "bad topic"]).is_err());
        assert!(validate_subscription("g", &["t", "u"]).is_ok());
    }

    #[test]
    fn with_header_replaces_a_header_of_the_same_name() {
        let message = OutgoingMessage::new("k", "p")
            .with_header("a", "1")
            .with_header("a", "2");
        assert_eq!(message.headers.len(), 1);
        assert_eq!(message.headers["a"], "2");
    }
}
