//! The Kafka adapter: an idempotent producer, one consumer per subscription, and an admin client for topics.

mod client_config;
mod subscription;

use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer, PurgeConfig};
use rdkafka::types::RDKafkaErrorCode;

use super::config::KafkaConfig;
use super::error::EventsError;
use super::message::{OutgoingMessage, validate_subscription, validate_topic};
use super::{EventBus, Subscription};
use client_config::{admin_config, consumer_config, producer_config, validate};
use subscription::KafkaSubscription;

/// Extra time granted beyond the client's own timeouts before giving up on it, so the client reports first.
const GRACE: Duration = Duration::from_secs(2);

/// The production [`EventBus`] on a Kafka-compatible broker cluster.
///
/// Publishing is idempotent and waits for all in-sync replicas; each subscription is its own group member
/// that commits only what it is told to.
pub struct KafkaEventBus {
    config: KafkaConfig,
    /// Replaced after a message timeout or a fatal error, so publishing recovers without a restart.
    producer: RwLock<Arc<FutureProducer>>,
    admin: AdminClient<DefaultClientContext>,
}

impl KafkaEventBus {
    /// Builds the clients from `config`; nothing is sent to a broker until the bus is used.
    pub fn new(config: &KafkaConfig) -> Result<Self, EventsError> {
        validate(config)?;
        let producer = build_producer(config)?;
        let admin = admin_config(config).create().map_err(|source| EventsError::Client {
            role: "admin client",
            source,
        })?;
        Ok(Self {
            config: config.clone(),
            producer: RwLock::new(Arc::new(producer)),
            admin,
        })
    }

    fn producer(&self) -> Arc<FutureProducer> {
        self.producer.read().clone()
    }

    fn message_timeout(&self) -> Duration {
        Duration::from_millis(self.config.message_timeout_ms)
    }

    fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.config.request_timeout_ms)
    }

    fn publish_error(&self, topic: &str, error: KafkaError) -> EventsError {
        match error.rdkafka_error_code() {
            Some(RDKafkaErrorCode::MessageTimedOut) => EventsError::PublishTimedOut {
                topic: topic.to_owned(),
                timeout_ms: self.config.message_timeout_ms,
            },
            _ => EventsError::Publish {
                topic: topic.to_owned(),
                source: error,
            },
        }
    }

    /// Replaces `failed` with a fresh producer after a message timeout or a fatal error, unless another
    /// publish already did.
    ///
    /// After a timeout the idempotent producer no longer knows which sequence numbers the broker saw, and
    /// librdkafka bumps the producer epoch on its own; brokers that only accept epochs they issued themselves
    /// (tansu 0.6 fails every later produce request) never recover from that. A fresh producer asks the broker
    /// for a new id instead, which every broker accepts. After a fatal error the old producer refuses all
    /// messages anyway.
    fn renew_producer(&self, failed: &Arc<FutureProducer>, reason: &str) {
        let mut current = self.producer.write();
        if !Arc::ptr_eq(&current, failed) {
            return;
        }
        match build_producer(&self.config) {
            Ok(fresh) => {
                let old = std::mem::replace(&mut *current, Arc::new(fresh));
                drop(current);
                // Whatever the old producer still holds would go out under its self-bumped epoch; fail it now
                // so that callers publish it again through the new producer.
                old.purge(PurgeConfig::default().queue().inflight());
                tracing::warn!(reason, "replaced the Kafka producer");
            }
            Err(error) => tracing::error!(reason, %error, "the Kafka producer could not be replaced"),
        }
    }
}

fn build_producer(config: &KafkaConfig) -> Result<FutureProducer, EventsError> {
    producer_config(config).create().map_err(|source| EventsError::Client {
        role: "producer",
        source,
    })
}

impl std::fmt::Debug for KafkaEventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaEventBus")
            .field("brokers", &self.config.brokers)
            .field("client_id", &self.config.client_id)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl EventBus for KafkaEventBus {
    async fn publish(&self, topic: &str, message: OutgoingMessage) -> Result<(), EventsError> {
        validate_topic(topic)?;
        let headers =
            message
                .headers
                .iter()
                .fold(OwnedHeaders::new_with_capacity(message.headers.len()), |h, (k, v)| {
                    h.insert(Header {
                        key: k,
                        value: Some(v.as_str()),
                    })
                });
        let record = FutureRecord::to(topic)
            .key(message.key.as_str())
            .payload(message.payload.as_ref())
            .headers(headers);
        let producer = self.producer();
        // librdkafka fails the message itself after `message.timeout.ms`; the outer bound only guards against a
        // delivery report that never comes.
        let timeout = self.message_timeout();
        match tokio::time::timeout(timeout + GRACE, producer.send(record, timeout)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err((error, _))) => {
                let error = self.publish_error(topic, error);
                if let Some((_, fatal)) = producer.client().fatal_error() {
                    self.renew_producer(&producer, &fatal);
                } else if matches!(error, EventsError::PublishTimedOut { .. }) {
                    self.renew_producer(&producer, "a message timed out");
                }
                Err(error)
            }
            Err(_) => {
                self.renew_producer(&producer, "a delivery report never came");
                Err(EventsError::PublishTimedOut {
                    topic: topic.to_owned(),
                    timeout_ms: self.config.message_timeout_ms,
                })
            }
        }
    }

    async fn subscribe(&self, group: &str, topics: &[&str]) -> Result<Box<dyn Subscription>, EventsError> {
        validate_subscription(group, topics)?;
        let consumer: StreamConsumer =
            consumer_config(&self.config, group)
                .create()
                .map_err(|source| EventsError::Client {
                    role: "consumer",
                    source,
                })?;
        consumer.subscribe(topics).map_err(|source| EventsError::Subscribe {
            group: group.to_owned(),
            source,
        })?;
        Ok(Box::new(KafkaSubscription::new(
            consumer,
            group.to_owned(),
            self.request_timeout(),
        )))
    }

    async fn ensure_topics(&self, topics: &[&str]) -> Result<(), EventsError> {
        topics.iter().try_for_each(|topic| validate_topic(topic))?;
        if topics.is_empty() {
            return Ok(());
        }
        let (partitions, factor) = (self.config.topic_partitions, self.config.topic_replication_factor);
        let new_topics: Vec<NewTopic<'_>> = topics
            .iter()
            .map(|topic| NewTopic::new(topic, partitions, TopicReplication::Fixed(factor)))
            .collect();
        let timeout = self.request_timeout();
        let options = AdminOptions::new()
            .request_timeout(Some(timeout))
            .operation_timeout(Some(timeout));
        let unreachable = |reason: String| EventsError::Unreachable {
            timeout_ms: self.config.request_timeout_ms,
            reason,
        };
        let results = tokio::time::timeout(timeout + GRACE, self.admin.create_topics(&new_topics, &options))
            .await
            .map_err(|_| unreachable("creating topics timed out".to_owned()))?
            .map_err(|error| unreachable(format!("creating topics failed: {error}")))?;
        for result in results {
            match result {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((topic, code)) => {
                    return Err(EventsError::CreateTopic {
                        topic,
                        reason: code.to_string(),
                    });
                }
            }
        }
        Ok(())
    }

    async fn ping(&self) -> Result<(), EventsError> {
        let producer = self.producer();
        let timeout = self.request_timeout();
        let unreachable = |reason: String| EventsError::Unreachable {
            timeout_ms: self.config.request_timeout_ms,
            reason,
        };
        // Fetching metadata blocks the calling thread until a broker answers or the timeout passes.
        let metadata = tokio::task::spawn_blocking(move || {
            producer
                .client()
                .fetch_metadata(None, timeout)
                .map(|metadata| metadata.brokers().len())
        });
        match tokio::time::timeout(timeout + GRACE, metadata).await {
            Ok(Ok(Ok(brokers))) if brokers > 0 => Ok(()),
            Ok(Ok(Ok(_))) => Err(unreachable("the cluster reported no brokers".to_owned())),
            Ok(Ok(Err(error))) => Err(unreachable(format!("fetching metadata failed: {error}"))),
            Ok(Err(error)) => Err(unreachable(format!("the metadata request was aborted: {error}"))),
            Err(_) => Err(unreachable("fetching metadata timed out".to_owned())),
        }
    }
}
