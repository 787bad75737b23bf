//! One Kafka consumer-group member per subscription, committing only the deliveries it is told to.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rdkafka::Offset;
use rdkafka::TopicPartitionList;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::{BorrowedMessage, Headers, Message};

use crate::events::Subscription;
use crate::events::error::EventsError;
use crate::events::message::Delivery;

/// Pause after a consumer error, so a broker outage produces a warning now and then, not a busy loop.
const ERROR_BACKOFF: Duration = Duration::from_millis(500);

/// A Kafka consumer in its group; dropping it leaves the group, and its uncommitted messages go to the others.
pub(super) struct KafkaSubscription {
    /// Always `Some` until dropped; taken in `drop` to close the consumer off the async workers.
    consumer: Option<Arc<StreamConsumer>>,
    group: String,
    request_timeout: Duration,
}

impl KafkaSubscription {
    pub(super) fn new(consumer: StreamConsumer, group: String, request_timeout: Duration) -> Self {
        Self {
            consumer: Some(Arc::new(consumer)),
            group,
            request_timeout,
        }
    }

    fn consumer(&self) -> Result<&Arc<StreamConsumer>, EventsError> {
        self.consumer
            .as_ref()
            .ok_or_else(|| EventsError::Config("the subscription is closed".to_owned()))
    }

    fn commit_error(&self, delivery: &Delivery, reason: String) -> EventsError {
        EventsError::Commit {
            group: self.group.clone(),
            topic: delivery.topic.clone(),
            partition: delivery.partition,
            offset: delivery.offset,
            reason,
        }
    }
}

fn delivery_from(message: &BorrowedMessage<'_>) -> Delivery {
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let headers = message
        .headers()
        .map(|headers| {
            headers
                .iter()
                .map(|h| (h.key.to_owned(), h.value.map(text).unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    Delivery {
        topic: message.topic().to_owned(),
        partition: message.partition(),
        offset: message.offset(),
        key: message.key().map(text).unwrap_or_default(),
        headers,
        payload: Bytes::copy_from_slice(message.payload().unwrap_or_default()),
    }
}

#[async_trait::async_trait]
impl Subscription for KafkaSubscription {
    async fn next(&mut self) -> Result<Delivery, EventsError> {
        let consumer = self.consumer()?;
        loop {
            match consumer.recv().await {
                Ok(message) => return Ok(delivery_from(&message)),
                // librdkafka recovers from everything but fatal errors by itself (reconnects, rejoins, picks up
                // topics created later); those are reported here only for information.
                Err(source) => {
                    if consumer.client().fatal_error().is_some() {
                        return Err(EventsError::Receive {
                            group: self.group.clone(),
                            source,
                        });
                    }
                    tracing::warn!(group = %self.group, error = %source, "Kafka consumer error; it keeps trying");
                    tokio::time::sleep(ERROR_BACKOFF).await;
                }
            }
        }
    }

    async fn commit(&mut self, delivery: &Delivery) -> Result<(), EventsError> {
        let consumer = Arc::clone(self.consumer()?);
        // Kafka's committed offset names the next message to read, hence the +1.
        let next = delivery
            .offset
            .checked_add(1)
            .ok_or_else(|| self.commit_error(delivery, "offset overflow".into()))?;
        let mut offsets = TopicPartitionList::new();
        offsets
            .add_partition_offset(&delivery.topic, delivery.partition, Offset::Offset(next))
            .map_err(|error| self.commit_error(delivery, error.to_string()))?;
        // A synchronous commit blocks its thread until the coordinator answers; keep it off the async workers.
        let commit = tokio::task::spawn_blocking(move || consumer.commit(&offsets, CommitMode::Sync));
        match tokio::time::timeout(self.request_timeout, commit).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(error))) => Err(self.commit_error(delivery, error.to_string())),
            Ok(Err(error)) => Err(self.commit_error(delivery, format!("the commit was aborted: {error}"))),
            Err(_) => Err(self.commit_error(delivery, format!("no answer within {:?}", self.request_timeout))),
        }
    }
}

impl Drop for KafkaSubscription {
    fn drop(&mut self) {
        let Some(consumer) = self.consumer.take() else { return };
        // Closing the consumer blocks until it has left the group; do that on a blocking thread when possible.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn_blocking(move || drop(consumer));
        }
    }
}
