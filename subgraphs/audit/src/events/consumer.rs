//! The consumer: one member of audit's consumer group, storing each event as a record before committing it.
//!
//! Offsets are committed only for deliveries whose record is stored (or whose dead-letter copy is published),
//! in batches: after `commit_every` deliveries, or once the topic has been quiet for `commit_idle`. A consumer
//! that dies between storing and committing leaves those deliveries to be delivered again, and storing is
//! idempotent by event id, so they are neither lost nor doubled. When the store or the bus fails, the
//! subscription is dropped (its uncommitted deliveries go back to the group) and taken up again after a pause.

use std::collections::BTreeMap;
use std::sync::Arc;

use kernel::events::{Delivery, EventBus, EventEnvelope, EventsError, Subscription};
use sea_orm::DbErr;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::dead_letter;
use super::metrics::ConsumerMetrics;
use crate::config::ConsumerConfig;
use crate::domain::record_from_event;
use crate::store::AuditStore;

/// Why a subscription was given up; it is taken up again after a pause.
#[derive(Debug, thiserror::Error)]
enum ConsumeError {
    #[error(transparent)]
    Bus(#[from] EventsError),
    #[error("storing an audit record failed: {0}")]
    Store(#[from] DbErr),
    #[error("publishing to the dead-letter topic failed: {0}")]
    DeadLetter(EventsError),
    #[error("the event bus answers again after an outage; the subscription is renewed")]
    BusRecovered,
    #[error("nothing arrived for a while; the subscription is renewed")]
    IdleRenewal,
}

/// Records every event of the configured topics; build it with [`AuditConsumer::new`], run it with
/// [`AuditConsumer::spawn`].
pub struct AuditConsumer {
    bus: Arc<dyn EventBus>,
    store: AuditStore,
    config: ConsumerConfig,
    metrics: ConsumerMetrics,
}

/// Deliveries stored but not committed yet: the latest per partition, since committing it commits the earlier.
#[derive(Default)]
struct Uncommitted {
    latest: BTreeMap<(String, i32), Delivery>,
    count: usize,
}

impl AuditConsumer {
    /// A consumer of `config.topics` on `bus`, storing into `store`.
    pub fn new(bus: Arc<dyn EventBus>, store: AuditStore, config: ConsumerConfig) -> Self {
        Self {
            bus,
            store,
            config,
            metrics: ConsumerMetrics::default(),
        }
    }

    /// Counts into `metrics` instead of private counters.
    pub fn with_metrics(mut self, metrics: ConsumerMetrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// The consumer's counters.
    pub fn metrics(&self) -> ConsumerMetrics {
        self.metrics.clone()
    }

    /// Consumes until `cancel` fires; the deliveries stored by then are committed before it stops.
    pub fn spawn(self, cancel: CancellationToken) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.consume(&cancel).await {
                    Ok(()) => return,
                    Err(ConsumeError::IdleRenewal) => {
                        tracing::debug!("renewing an idle subscription");
                        continue;
                    }
                    Err(error) => {
                        tracing::warn!(%error, retry_in = ?self.config.retry_backoff(), "the audit consumer stopped; subscribing again");
                    }
                }
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = tokio::time::sleep(self.config.retry_backoff()) => {}
                }
            }
        })
    }

    /// One subscription's life: until `cancel` (`Ok`) or a failure (`Err`).
    async fn consume(&self, cancel: &CancellationToken) -> Result<(), ConsumeError> {
        let topics: Vec<&str> = self.config.topics.iter().map(String::as_str).collect();
        // Every time, not only at start-up: a broker that lost its topics (or a new one) gets them back.
        let mut ensured = topics.clone();
        ensured.push(&self.config.dead_letter_topic);
        self.bus.ensure_topics(&ensured).await?;
        let mut subscription = self.bus.subscribe(&self.config.group, &topics).await?;
        let mut uncommitted = Uncommitted::default();
        let mut outage = false;
        let mut last_delivery = tokio::time::Instant::now();
        loop {
            // While idle, the bus is probed now and then, so a subscription that lived through an outage is renewed.
            let wait = if uncommitted.count == 0 {
                self.config.health_check_interval()
            } else {
                self.config.commit_idle()
            };
            // Both `next` implementations take a message only in the poll that returns it, so a timed-out or
            // cancelled `next` loses nothing.
            let next = tokio::select! {
                () = cancel.cancelled() => {
                    commit(subscription.as_mut(), &mut uncommitted).await?;
                    return Ok(());
                }
                next = tokio::time::timeout(wait, subscription.next()) => next,
            };
            let delivery = match next {
                Ok(delivery) => delivery?,
                Err(_quiet) if uncommitted.count > 0 => {
                    commit(subscription.as_mut(), &mut uncommitted).await?;
                    continue;
                }
                Err(_quiet) => {
                    match self.bus.ping().await {
                        Err(error) if !outage => {
                            tracing::warn!(%error, "the event bus does not answer; audit keeps waiting for it");
                            outage = true;
                        }
                        Err(_) => {}
                        // A consumer that lived through a broker restart may wait forever for a fetch that never
                        // comes (seen with tansu); a fresh subscription resumes from the committed offsets.
                        Ok(()) if outage => return Err(ConsumeError::BusRecovered),
                        // An outage shorter than one probe goes unseen, and the subscription may be stuck all
                        // the same; nothing is uncommitted here, so renewing it now and then costs nothing.
                        Ok(()) if last_delivery.elapsed() >= self.config.renew_after_idle() => {
                            return Err(ConsumeError::IdleRenewal);
                        }
                        Ok(()) => {}
                    }
                    continue;
                }
            };
            last_delivery = tokio::time::Instant::now();
            self.handle(&delivery).await?;
            uncommitted.count += 1;
            uncommitted
                .latest
                .insert((delivery.topic.clone(), delivery.partition), delivery);
            if uncommitted.count >= self.config.commit_batch() {
                commit(subscription.as_mut(), &mut uncommitted).await?;
            }
        }
    }

    /// Stores the record of one delivery, or dead-letters it when it is not a usable event.
    async fn handle(&self, delivery: &Delivery) -> Result<(), ConsumeError> {
        let record = EventEnvelope::from_bytes(&delivery.payload)
            .map_err(|error| error.to_string())
            .and_then(|envelope| record_from_event(&envelope, delivery).map_err(|error| error.to_string()));
        match record {
            Ok(record) => {
                let created = self.store.append(&record).await?;
                self.metrics.record_stored(created);
            }
            Err(reason) => {
                dead_letter::publish(&self.bus, &self.config.dead_letter_topic, delivery, &reason)
                    .await
                    .map_err(ConsumeError::DeadLetter)?;
                self.metrics.record_dead_lettered();
                tracing::warn!(
                    topic = %delivery.topic,
                    partition = delivery.partition,
                    offset = delivery.offset,
                    dead_letter_topic = %self.config.dead_letter_topic,
                    error = %reason,
                    "an unusable message was moved to the dead-letter topic"
                );
            }
        }
        Ok(())
    }
}

async fn commit(subscription: &mut dyn Subscription, uncommitted: &mut Uncommitted) -> Result<(), EventsError> {
    for delivery in uncommitted.latest.values() {
        subscription.commit(delivery).await?;
    }
    *uncommitted = Uncommitted::default();
    Ok(())
}

impl std::fmt::Debug for AuditConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditConsumer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
