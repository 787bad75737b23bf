//! The consumer over the in-process bus and SQLite: events stored once however often they arrive, a poison
//! message dead-lettered with a warning while the events after it are stored.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use kernel::db::DatabaseConfig;
use kernel::events::{EventBus, EventEnvelope, InProcessEventBus, OutgoingMessage};
use parking_lot::Mutex;
use secrecy::SecretString;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::AuditConsumer;
use super::dead_letter::{HEADER_ERROR, HEADER_ORIGINAL_OFFSET, HEADER_ORIGINAL_PARTITION, HEADER_ORIGINAL_TOPIC};
use crate::config::ConsumerConfig;
use crate::store::AuditStore;

async fn sqlite_store(dir: &tempfile::TempDir) -> AuditStore {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("audit.db").display());
    let db = kernel::db::connect(&DatabaseConfig {
        url: SecretString::from(url),
        ..DatabaseConfig::default()
    })
    .await
    .unwrap();
    kernel::db::migrate::<migrations::audit::Migrator>(&db).await.unwrap();
    AuditStore::new(db.conn().clone())
}

fn config() -> ConsumerConfig {
    ConsumerConfig {
        topics: vec!["identity.events".to_owned()],
        commit_every: 3,
        commit_idle_ms: 20,
        retry_backoff_ms: 20,
        ..ConsumerConfig::default()
    }
}

async fn publish(bus: &InProcessEventBus, envelope: &EventEnvelope) {
    bus.publish("identity.events", envelope.to_message("u1").unwrap())
        .await
        .unwrap();
}

async fn wait_for(store: &AuditStore, count: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while store.count().await.unwrap() < count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "fewer than {count} records after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_redelivered_event_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let bus = InProcessEventBus::new();
    let envelope = EventEnvelope::new("user.created", "identity", json!({"id": "u1"}));
    publish(&bus, &envelope).await;
    publish(&bus, &envelope).await;
    let consumer = AuditConsumer::new(Arc::new(bus.clone()), store.clone(), config());
    let metrics = consumer.metrics();
    let cancel = CancellationToken::new();
    let task = consumer.spawn(cancel.clone());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while metrics.stored() + metrics.duplicates() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the two deliveries were not handled"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    cancel.cancel();
    task.await.unwrap();
    assert_eq!((metrics.stored(), metrics.duplicates()), (1, 1));
    assert_eq!(store.ids().await.unwrap(), vec![envelope.id]);
}

/// Collects everything a `fmt` subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_poison_message_is_dead_lettered_with_a_warning_and_the_events_after_it_are_stored() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    // A current-thread test runtime runs every task on this thread, so the default covers the consumer too.
    let _guard = tracing::subscriber::set_default(subscriber);

    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let bus = InProcessEventBus::new();
    let first = EventEnvelope::new("user.created", "identity", json!({"id": "u1"}));
    publish(&bus, &first).await;
    let poison = OutgoingMessage::new("u1", "{not an envelope").with_header("traceparent", "x");
    bus.publish("identity.events", poison).await.unwrap();
    let after: Vec<EventEnvelope> = (0..3)
        .map(|n| EventEnvelope::new("user.updated", "identity", json!({"id": "u1", "n": n})))
        .collect();
    for envelope in &after {
        publish(&bus, envelope).await;
    }

    let consumer = AuditConsumer::new(Arc::new(bus.clone()), store.clone(), config());
    let metrics = consumer.metrics();
    let cancel = CancellationToken::new();
    let task = consumer.spawn(cancel.clone());
    wait_for(&store, 4).await;
    cancel.cancel();
    task.await.unwrap();

    assert_eq!(metrics.dead_lettered(), 1);
    let mut dead = bus.subscribe("inspect", &["audit.dead-letter"]).await.unwrap();
    let letter = tokio::time::timeout(Duration::from_secs(2), dead.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&letter.payload[..], b"{not an envelope");
    assert_eq!(letter.key, "u1");
    assert_eq!(letter.headers[HEADER_ORIGINAL_TOPIC], "identity.events");
    assert_eq!(letter.headers[HEADER_ORIGINAL_PARTITION], "0");
    assert_eq!(letter.headers[HEADER_ORIGINAL_OFFSET], "1");
    assert!(
        letter.headers[HEADER_ERROR].contains("malformed event envelope"),
        "{:?}",
        letter.headers
    );
    assert_eq!(letter.headers["traceparent"], "x");

    let mut stored = store.ids().await.unwrap();
    stored.sort();
    let mut expected: Vec<_> = std::iter::once(first.id).chain(after.iter().map(|e| e.id)).collect();
    expected.sort();
    assert_eq!(stored, expected);

    let text = String::from_utf8(logs.0.lock().clone()).unwrap();
    let line = text
        .lines()
        .find(|line| line.contains("dead-letter"))
        .unwrap_or_else(|| panic!("no dead-letter warning in:\n{text}"));
    assert!(line.contains("WARN") && line.contains("offset=1"), "{line}");
}

/// The in-process bus, with a switch that makes `ping` fail and a count of subscriptions.
#[derive(Clone, Default)]
struct FlakyBus {
    inner: InProcessEventBus,
    down: Arc<std::sync::atomic::AtomicBool>,
    subscriptions: Arc<std::sync::atomic::AtomicUsize>,
}

#[async_trait::async_trait]
impl EventBus for FlakyBus {
    async fn publish(&self, topic: &str, message: OutgoingMessage) -> Result<(), kernel::events::EventsError> {
        self.inner.publish(topic, message).await
    }

    async fn subscribe(
        &self,
        group: &str,
        topics: &[&str],
    ) -> Result<Box<dyn kernel::events::Subscription>, kernel::events::EventsError> {
        self.subscriptions.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.subscribe(group, topics).await
    }

    async fn ensure_topics(&self, topics: &[&str]) -> Result<(), kernel::events::EventsError> {
        self.inner.ensure_topics(topics).await
    }

    async fn ping(&self) -> Result<(), kernel::events::EventsError> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(kernel::events::EventsError::Config(
                "the test switched the bus off".to_owned(),
            ));
        }
        Ok(())
    }
}

#[tokio::test]
async fn an_idle_consumer_subscribes_afresh_once_the_bus_answers_again_after_an_outage() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let bus = FlakyBus::default();
    let config = ConsumerConfig {
        health_check_interval_ms: 10,
        ..config()
    };
    let cancel = CancellationToken::new();
    let task = AuditConsumer::new(Arc::new(bus.clone()), store.clone(), config).spawn(cancel.clone());
    let subscriptions = || bus.subscriptions.load(std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(subscriptions(), 1, "a healthy idle consumer keeps its subscription");
    bus.down.store(true, std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(subscriptions(), 1, "an outage alone does not drop the subscription");
    bus.down.store(false, std::sync::atomic::Ordering::SeqCst);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while subscriptions() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no fresh subscription after the outage"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The fresh subscription still records events.
    let envelope = EventEnvelope::new("user.created", "identity", json!({"id": "u1"}));
    bus.publish("identity.events", envelope.to_message("u1").unwrap())
        .await
        .unwrap();
    wait_for(&store, 1).await;
    cancel.cancel();
    task.await.unwrap();
}
