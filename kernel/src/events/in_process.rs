//! The embedded event bus: topics are append-only logs in memory, shared by everything in the process.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::Notify;

use super::error::EventsError;
use super::message::{Delivery, OutgoingMessage, validate_subscription, validate_topic};
use super::{EventBus, Subscription};

/// The embedded [`EventBus`]: one single-partition log per topic and one cursor per consumer group, in memory.
///
/// It has Kafka's delivery semantics within one process (per-group offsets, at-least-once, redelivery of
/// uncommitted messages when a member leaves) but keeps every message until the process exits, so it is for the
/// local run and tests, not for production traffic.
#[derive(Clone, Default)]
pub struct InProcessEventBus {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// Woken on every publish and whenever a group is rewound, so waiting subscriptions look again.
    changed: Notify,
}

#[derive(Default)]
struct State {
    topics: HashMap<String, Vec<Record>>,
    groups: HashMap<String, Group>,
}

struct Record {
    key: String,
    headers: BTreeMap<String, String>,
    payload: Bytes,
}

/// A consumer group's progress per topic: `position` is the next message to hand out, `committed` the first
/// message not yet acknowledged; everything in between is in flight.
#[derive(Default)]
struct Group {
    position: HashMap<String, usize>,
    committed: HashMap<String, usize>,
}

impl InProcessEventBus {
    /// An empty bus; clones share its topics and groups.
    pub fn new() -> Self {
        Self::default()
    }

    /// The process's own bus: every call returns a clone of one bus, so services running as tasks of one
    /// process (the one-command local run, end-to-end tests) exchange events as they would through a broker.
    pub fn process_wide() -> Self {
        static BUS: std::sync::OnceLock<InProcessEventBus> = std::sync::OnceLock::new();
        BUS.get_or_init(Self::new).clone()
    }
}

impl std::fmt::Debug for InProcessEventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.shared.state.lock();
        f.debug_struct("InProcessEventBus")
            .field("topics", &state.topics.len())
            .field("groups", &state.groups.len())
            .finish()
    }
}

#[async_trait::async_trait]
impl EventBus for InProcessEventBus {
    async fn publish(&self, topic: &str, message: OutgoingMessage) -> Result<(), EventsError> {
        validate_topic(topic)?;
        let record = Record {
            key: message.key,
            headers: message.headers,
            payload: message.payload,
        };
        self.shared
            .state
            .lock()
            .topics
            .entry(topic.to_owned())
            .or_default()
            .push(record);
        self.shared.changed.notify_waiters();
        Ok(())
    }

    async fn subscribe(&self, group: &str, topics: &[&str]) -> Result<Box<dyn Subscription>, EventsError> {
        validate_subscription(group, topics)?;
        let mut state = self.shared.state.lock();
        let progress = state.groups.entry(group.to_owned()).or_default();
        for topic in topics {
            let committed = progress.committed.get(*topic).copied().unwrap_or(0);
            progress.position.entry((*topic).to_owned()).or_insert(committed);
        }
        let mut topics: Vec<String> = topics.iter().map(|t| (*t).to_owned()).collect();
        topics.sort();
        topics.dedup();
        Ok(Box::new(InProcessSubscription {
            shared: self.shared.clone(),
            group: group.to_owned(),
            topics,
            turn: 0,
        }))
    }

    async fn ensure_topics(&self, topics: &[&str]) -> Result<(), EventsError> {
        topics.iter().try_for_each(|topic| validate_topic(topic))?;
        let mut state = self.shared.state.lock();
        for topic in topics {
            state.topics.entry((*topic).to_owned()).or_default();
        }
        Ok(())
    }

    async fn ping(&self) -> Result<(), EventsError> {
        Ok(())
    }
}

/// A member of a consumer group of the [`InProcessEventBus`].
struct InProcessSubscription {
    shared: Arc<Shared>,
    group: String,
    topics: Vec<String>,
    /// Which topic to look at first, so one busy topic cannot starve the others.
    turn: usize,
}

impl InProcessSubscription {
    fn take_next(&mut self) -> Option<Delivery> {
        let mut state = self.shared.state.lock();
        let State { topics, groups } = &mut *state;
        let progress = groups.get_mut(&self.group)?;
        for step in 0..self.topics.len() {
            let index = (self.turn + step) % self.topics.len();
            let topic = &self.topics[index];
            let Some(log) = topics.get(topic) else { continue };
            let position = progress.position.entry(topic.clone()).or_insert(0);
            let Some(record) = log.get(*position) else { continue };
            let delivery = Delivery {
                topic: topic.clone(),
                partition: 0,
                offset: i64::try_from(*position).unwrap_or(i64::MAX),
                key: record.key.clone(),
                headers: record.headers.clone(),
                payload: record.payload.clone(),
            };
            *position += 1;
            self.turn = index + 1;
            return Some(delivery);
        }
        None
    }

    fn commit_error(&self, delivery: &Delivery, reason: &str) -> EventsError {
        EventsError::Commit {
            group: self.group.clone(),
            topic: delivery.topic.clone(),
            partition: delivery.partition,
            offset: delivery.offset,
            reason: reason.to_owned(),
        }
    }
}

#[async_trait::async_trait]
impl Subscription for InProcessSubscription {
    async fn next(&mut self) -> Result<Delivery, EventsError> {
        let shared = Arc::clone(&self.shared);
        loop {
            // Registering interest before looking means a publish between the look and the wait still wakes us.
            let changed = shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(delivery) = self.take_next() {
                return Ok(delivery);
            }
            changed.await;
        }
    }

    async fn commit(&mut self, delivery: &Delivery) -> Result<(), EventsError> {
        if !self.topics.contains(&delivery.topic) || delivery.partition != 0 {
            return Err(self.commit_error(delivery, "this subscription did not receive it"));
        }
        let next = usize::try_from(delivery.offset)
            .ok()
            .and_then(|offset| offset.checked_add(1))
            .ok_or_else(|| self.commit_error(delivery, "the offset is out of range"))?;
        let mut state = self.shared.state.lock();
        let State { topics, groups } = &mut *state;
        if topics.get(&delivery.topic).is_none_or(|log| next > log.len()) {
            return Err(self.commit_error(delivery, "the offset is past the end of the topic"));
        }
        let progress = groups.entry(self.group.clone()).or_default();
        let committed = progress.committed.entry(delivery.topic.clone()).or_insert(0);
        *committed = (*committed).max(next);
        let committed = *committed;
        let position = progress.position.entry(delivery.topic.clone()).or_insert(0);
        *position = (*position).max(committed);
        Ok(())
    }
}

impl Drop for InProcessSubscription {
    /// Rewinds the group to its committed offsets, as a Kafka rebalance does, so that whatever this member
    /// received but did not commit goes to the group's remaining or next members.
    fn drop(&mut self) {
        {
            let mut state = self.shared.state.lock();
            if let Some(progress) = state.groups.get_mut(&self.group) {
                for topic in &self.topics {
                    let committed = progress.committed.get(topic).copied().unwrap_or(0);
                    progress.position.insert(topic.clone(), committed);
                }
            }
        }
        self.shared.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    async fn next_within(subscription: &mut Box<dyn Subscription>) -> Option<Delivery> {
        tokio::time::timeout(Duration::from_millis(200), subscription.next())
            .await
            .ok()
            .map(|d| d.unwrap())
    }

    #[tokio::test]
    async fn a_waiting_subscription_wakes_when_a_message_is_published() {
        let bus = InProcessEventBus::new();
        let mut subscription = bus.subscribe("g", &["t"]).await.unwrap();
        let publisher = bus.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            publisher.publish("t", OutgoingMessage::new("k", "late")).await.unwrap();
        });
        let delivery = tokio::time::timeout(Duration::from_secs(2), subscription.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(delivery.payload, Bytes::from_static(b"late"));
    }

    #[tokio::test]
    async fn members_of_one_group_share_the_messages() {
        let bus = InProcessEventBus::new();
        let mut first = bus.subscribe("g", &["t"]).await.unwrap();
        let mut second = bus.subscribe("g", &["t"]).await.unwrap();
        for n in 0..2 {
            bus.publish("t", OutgoingMessage::new("k", format!("m{n}")))
                .await
                .unwrap();
        }
        let a = next_within(&mut first).await.unwrap();
        let b = next_within(&mut second).await.unwrap();
        assert_eq!((a.offset, b.offset), (0, 1));
        assert!(next_within(&mut first).await.is_none());
    }

    #[tokio::test]
    async fn a_member_leaving_hands_its_uncommitted_messages_to_the_others() {
        let bus = InProcessEventBus::new();
        let mut stays = bus.subscribe("g", &["t"]).await.unwrap();
        let mut leaves = bus.subscribe("g", &["t"]).await.unwrap();
        bus.publish("t", OutgoingMessage::new("k", "m0")).await.unwrap();
        let taken = next_within(&mut leaves).await.unwrap();
        drop(leaves);
        assert_eq!(next_within(&mut stays).await.unwrap().offset, taken.offset);
    }

    #[tokio::test]
    async fn one_subscription_reads_all_its_topics_in_turn() {
        let bus = InProcessEventBus::new();
        for n in 0..3 {
            bus.publish("busy", OutgoingMessage::new("k", format!("b{n}")))
                .await
                .unwrap();
        }
        bus.publish("quiet", OutgoingMessage::new("k", "q0")).await.unwrap();
        let mut subscription = bus.subscribe("g", &["busy", "quiet"]).await.unwrap();
        let first_two = [
            next_within(&mut subscription).await.unwrap(),
            next_within(&mut subscription).await.unwrap(),
        ];
        assert!(first_two.iter().any(|d| d.topic == "quiet"));
    }

    #[tokio::test]
    async fn committing_a_delivery_never_received_is_an_error() {
        let bus = InProcessEventBus::new();
        let mut subscription = bus.subscribe("g", &["t"]).await.unwrap();
        let phantom = Delivery {
            topic: "t".into(),
            partition: 0,
            offset: 5,
            key: String::new(),
            headers: BTreeMap::new(),
            payload: Bytes::new(),
        };
        assert!(matches!(
            subscription.commit(&phantom).await,
            Err(EventsError::Commit { .. })
        ));
        let other_topic = Delivery {
            topic: "u".into(),
            offset: 0,
            ..phantom
        };
        assert!(matches!(
            subscription.commit(&other_topic).await,
            Err(EventsError::Commit { .. })
        ));
    }

    #[tokio::test]
    async fn invalid_names_are_rejected_like_kafka_does() {
        let bus = InProcessEventBus::new();
        assert!(bus.publish("no spaces", OutgoingMessage::new("k", "p")).await.is_err());
        assert!(bus.subscribe("", &["t"]).await.is_err());
        assert!(bus.ensure_topics(&["ok", "not/ok"]).await.is_err());
    }
}
