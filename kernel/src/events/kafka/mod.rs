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
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
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
    /// Replaced when the producer hits a fatal error, so publishing recovers without a restart.
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

    /// An idempotent producer that hit a fatal error refuses every later message; swap in a fresh one.
    fn renew_producer_if_fatal(&self, failed: &Arc<FutureProducer>) {
        let Some((code, reason)) = failed.client().fatal_error() else {
            return;
        };
        let mut current = self.producer.write();
        if !Arc::ptr_eq(&current, failed) {
            return;
        }
        match build_producer(&self.config) {
            Ok(fresh) => {
                tracing::warn!(?code, %reason, "Kafka producer failed fatally; replaced it with a new one");
                *current = Arc::new(fresh);
            }
            Err(error) => tracing::error!(%error, "Kafka producer failed fatally and could not be replaced"),
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
                self.renew_producer_if_fatal(&producer);
                Err(self.publish_error(topic, error))
            }
            Err(_) => Err(EventsError::PublishTimedOut {
                topic: topic.to_owned(),
                timeout_ms: self.config.message_timeout_ms,
            }),
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
