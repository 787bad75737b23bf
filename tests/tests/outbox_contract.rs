//! The outbox contract: what `kernel::outbox` promises, on SQLite (always) and PostgreSQL (with
//! `PLATFORM_TEST_POSTGRES_URL`), and end to end through a real Kafka-compatible broker (with
//! `PLATFORM_TEST_KAFKA_BROKERS`).

// Each test binary is handed every dev-dependency of the crate, and this one needs only some of them.
#![allow(unused_crate_dependencies)]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use kernel::db::{self, Database, DatabaseConfig};
use kernel::events::{
    Delivery, EventBus, EventEnvelope, EventsError, HEADER_EVENT_ID, InProcessEventBus, OutgoingMessage, Subscription,
};
use kernel::outbox::{CreateOutboxTable, OutboxError, OutboxRelay, RelayConfig, enqueue};
use kernel::telemetry::Metrics;
use platform_tests::unique_name;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use sea_orm_migration::{MigrationTrait, MigratorTrait};
use secrecy::SecretString;
use serde_json::json;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Long enough for a Kafka consumer to join its group and be assigned its partitions.
const RECEIVE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a test waits for a running relay to empty the outbox.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(20);

/// A service migrator holding only the kernel's outbox migration, listed first as every service lists it.
struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(CreateOutboxTable)]
    }
}

/// A migrated database for one test, and the settings to open more pools on it (other "replicas").
struct Store {
    db: Database,
    config: DatabaseConfig,
}

impl Store {
    fn conn(&self) -> DatabaseConnection {
        self.db.conn().clone()
    }

    async fn another_pool(&self) -> Database {
        db::connect(&self.config)
            .await
            .expect("open another pool on the test database")
    }
}

fn db_config(url: String) -> DatabaseConfig {
    DatabaseConfig {
        url: SecretString::from(url),
        ..DatabaseConfig::default()
    }
}

/// Runs `body` over a fresh, migrated SQLite file.
async fn with_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let config = db_config(format!("sqlite://{}/outbox.db", dir.path().display()));
    let db = db::connect(&config).await.unwrap();
    db::migrate::<Migrator>(&db).await.unwrap();
    body(Store { db, config }).await;
}

/// Runs `body` over a fresh, migrated PostgreSQL schema, dropped afterwards even when `body` panics.
async fn with_postgres<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    use futures::FutureExt;

    let schema = unique_name("outbox");
    let mut config = db_config(platform_tests::postgres_url());
    config.schema = Some(schema.clone());
    let db = db::connect(&config).await.unwrap();
    db::migrate::<Migrator>(&db).await.unwrap();
    let store = Store { db: db.clone(), config };
    let outcome = std::panic::AssertUnwindSafe(body(store)).catch_unwind().await;
    db.conn()
        .execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .await
        .unwrap();
    db.close().await.unwrap();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// A bus that refuses every publish until it is opened, counting the refusals.
struct GatedBus {
    inner: InProcessEventBus,
    open: AtomicBool,
    refused: AtomicUsize,
}

impl GatedBus {
    fn closed() -> Arc<Self> {
        Arc::new(Self {
            inner: InProcessEventBus::new(),
            open: AtomicBool::new(false),
            refused: AtomicUsize::new(0),
        })
    }

    fn open(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl EventBus for GatedBus {
    async fn publish(&self, topic: &str, message: OutgoingMessage) -> Result<(), EventsError> {
        if !self.open.load(Ordering::SeqCst) {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(EventsError::Unreachable {
                timeout_ms: 0,
                reason: "the test keeps the bus closed".to_owned(),
            });
        }
        self.inner.publish(topic, message).await
    }

    async fn subscribe(&self, group: &str, topics: &[&str]) -> Result<Box<dyn Subscription>, EventsError> {
        self.inner.subscribe(group, topics).await
    }

    async fn ensure_topics(&self, topics: &[&str]) -> Result<(), EventsError> {
        self.inner.ensure_topics(topics).await
    }

    async fn ping(&self) -> Result<(), EventsError> {
        self.inner.ping().await
    }
}

/// A bus that records the key and event id of every publish, in order, and takes a moment over each, so that
/// concurrent relays really overlap.
#[derive(Default)]
struct RecordingBus {
    published: parking_lot::Mutex<Vec<(String, Uuid)>>,
}

#[async_trait::async_trait]
impl EventBus for RecordingBus {
    async fn publish(&self, _topic: &str, message: OutgoingMessage) -> Result<(), EventsError> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        let id = message.headers[HEADER_EVENT_ID].parse().expect("an event id header");
        self.published.lock().push((message.key, id));
        Ok(())
    }

    async fn subscribe(&self, _group: &str, _topics: &[&str]) -> Result<Box<dyn Subscription>, EventsError> {
        Err(EventsError::Config("the recording bus is only published to".to_owned()))
    }

    async fn ensure_topics(&self, _topics: &[&str]) -> Result<(), EventsError> {
        Ok(())
    }

    async fn ping(&self) -> Result<(), EventsError> {
        Ok(())
    }
}

fn event(key: &str, n: usize) -> EventEnvelope {
    EventEnvelope::new("note.changed", "outbox-contract", json!({ "key": key, "n": n }))
}

/// Enqueues `envelope` in a transaction of its own, as a service's write would.
async fn enqueue_committed(conn: &DatabaseConnection, topic: &str, key: &str, envelope: &EventEnvelope) {
    let transaction = conn.begin().await.unwrap();
    enqueue(&transaction, topic, key, envelope).await.unwrap();
    transaction.commit().await.unwrap();
}

/// Spawns `relays` under one cancellation token; calling the returned closure cancels them all.
///
/// This crate does not depend on `tokio-util`, so the token's type is inferred from `OutboxRelay::spawn`.
fn spawn_relays(relays: Vec<OutboxRelay>) -> (impl FnOnce(), Vec<JoinHandle<()>>) {
    let cancel = Default::default();
    let handles = relays
        .into_iter()
        .map(|relay| relay.spawn(Clone::clone(&cancel)))
        .collect();
    (move || cancel.cancel(), handles)
}

/// Runs `relay_once` until a batch publishes nothing; returns how many rows went out.
async fn drain(relay: &OutboxRelay) -> usize {
    let mut total = 0;
    loop {
        match relay.relay_once().await.expect("relaying succeeds") {
            0 => return total,
            n => total += n,
        }
    }
}

/// Waits until a running relay has published everything.
async fn wait_for_empty_backlog(relay: &OutboxRelay) {
    let waited = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while relay.backlog().await.unwrap() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    waited.await.expect("the relay empties the outbox in time");
}

async fn next(subscription: &mut Box<dyn Subscription>) -> Delivery {
    tokio::time::timeout(RECEIVE_TIMEOUT, subscription.next())
        .await
        .expect("a message within the receive timeout")
        .expect("receiving succeeds")
}

async fn assert_nothing_more(subscription: &mut Box<dyn Subscription>, wait: Duration) {
    if let Ok(extra) = tokio::time::timeout(wait, subscription.next()).await {
        panic!("nothing more should arrive, got {extra:?}");
    }
}

fn decode(delivery: &Delivery) -> EventEnvelope {
    EventEnvelope::from_bytes(&delivery.payload).expect("a valid envelope")
}

fn fast_config() -> RelayConfig {
    RelayConfig {
        poll_interval_ms: 10,
        min_backoff_ms: 5,
        max_backoff_ms: 40,
        ..RelayConfig::default()
    }
}

async fn rolled_back_event_is_never_published_and_committed_one_is_published_once_intact(store: Store) {
    let bus = Arc::new(InProcessEventBus::new());
    let relay = OutboxRelay::new(store.conn(), bus.clone(), RelayConfig::default());
    let topic = unique_name("notes");

    let rolled_back = event("note-1", 0);
    let transaction = store.db.conn().begin().await.unwrap();
    enqueue(&transaction, &topic, "note-1", &rolled_back).await.unwrap();
    transaction.rollback().await.unwrap();
    let committed = event("note-1", 1).with_actor("user-7");
    enqueue_committed(store.db.conn(), &topic, "note-1", &committed).await;

    assert_eq!(relay.backlog().await.unwrap(), 1);
    assert_eq!(relay.relay_once().await.unwrap(), 1);
    assert_eq!(relay.relay_once().await.unwrap(), 0, "a sent row is not sent again");
    assert_eq!(relay.backlog().await.unwrap(), 0);

    let mut subscription = bus.subscribe(&unique_name("group"), &[&topic]).await.unwrap();
    let delivery = next(&mut subscription).await;
    assert_eq!(delivery.key, "note-1");
    assert_eq!(delivery.headers[HEADER_EVENT_ID], committed.id.to_string());
    assert_eq!(
        decode(&delivery),
        committed,
        "id, type, payload and the rest arrive intact"
    );
    assert_nothing_more(&mut subscription, Duration::from_millis(300)).await;
}

async fn events_of_one_key_are_published_in_the_order_they_were_enqueued(store: Store) {
    let bus = Arc::new(InProcessEventBus::new());
    // Small batches, so the order must also hold from one batch to the next.
    let config = RelayConfig {
        batch_size: 4,
        ..RelayConfig::default()
    };
    let relay = OutboxRelay::new(store.conn(), bus.clone(), config);
    let topic = unique_name("notes");
    let keys = ["alpha", "beta", "gamma"];
    let mut enqueued: BTreeMap<&str, Vec<Uuid>> = BTreeMap::new();
    for n in 0..10 {
        for key in keys {
            let envelope = event(key, n);
            enqueue_committed(store.db.conn(), &topic, key, &envelope).await;
            enqueued.entry(key).or_default().push(envelope.id);
        }
    }
    assert_eq!(drain(&relay).await, 30);

    let mut subscription = bus.subscribe(&unique_name("group"), &[&topic]).await.unwrap();
    let mut received: BTreeMap<String, Vec<Uuid>> = BTreeMap::new();
    for _ in 0..30 {
        let delivery = next(&mut subscription).await;
        received
            .entry(delivery.key.clone())
            .or_default()
            .push(decode(&delivery).id);
    }
    for key in keys {
        assert_eq!(received[key], enqueued[key], "order of key {key}");
    }
}

async fn failed_attempts(conn: &DatabaseConnection) -> Vec<(i32, Option<String>)> {
    let statement = Statement::from_string(
        conn.get_database_backend(),
        "SELECT attempts, last_error FROM outbox ORDER BY sequence",
    );
    let rows = conn.query_all_raw(statement).await.unwrap();
    rows.iter()
        .map(|row| (row.try_get_by_index(0).unwrap(), row.try_get_by_index(1).unwrap()))
        .collect()
}

async fn while_the_bus_fails_nothing_is_marked_sent_and_after_recovery_everything_arrives_once(store: Store) {
    let bus = GatedBus::closed();
    let relay = OutboxRelay::new(store.conn(), bus.clone(), fast_config());
    let topic = unique_name("notes");
    let mut ids = Vec::new();
    for n in 0..5 {
        let envelope = event(&format!("note-{}", n % 2), n);
        enqueue_committed(store.db.conn(), &topic, &format!("note-{}", n % 2), &envelope).await;
        ids.push(envelope.id);
    }

    let error = relay.relay_once().await.expect_err("the closed bus refuses");
    assert!(
        matches!(&error, OutboxError::Publish { event_id, .. } if *event_id == ids[0]),
        "{error}"
    );
    assert_eq!(relay.backlog().await.unwrap(), 5, "nothing is marked sent");
    let attempts = failed_attempts(store.db.conn()).await;
    assert_eq!(attempts[0].0, 1, "the refused row records the attempt");
    assert!(
        attempts[0].1.as_deref().is_some_and(|e| e.contains("closed")),
        "{attempts:?}"
    );
    assert!(
        attempts[1..].iter().all(|(n, e)| *n == 0 && e.is_none()),
        "the batch stopped at the refusal"
    );

    let (stop, running) = spawn_relays(vec![OutboxRelay::new(store.conn(), bus.clone(), fast_config())]);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(relay.backlog().await.unwrap(), 5, "still nothing is marked sent");
    let refused = bus.refused.load(Ordering::SeqCst);
    assert!(
        refused >= 3,
        "the running relay keeps retrying, with backoff: {refused}"
    );
    assert!(
        refused < 60,
        "the running relay backs off rather than spinning: {refused}"
    );

    bus.open();
    wait_for_empty_backlog(&relay).await;
    stop();
    let stopped = tokio::time::timeout(Duration::from_secs(5), futures::future::join_all(running));
    for outcome in stopped.await.expect("the relay stops when cancelled") {
        outcome.unwrap();
    }

    let mut subscription = bus.subscribe(&unique_name("group"), &[&topic]).await.unwrap();
    let mut received = Vec::new();
    for _ in 0..5 {
        received.push(decode(&next(&mut subscription).await).id);
    }
    assert_nothing_more(&mut subscription, Duration::from_millis(300)).await;
    assert_eq!(received, ids, "every event arrives once, in order");
}

async fn two_relays_over_one_table_publish_every_row_exactly_once(store: Store) {
    let bus = Arc::new(RecordingBus::default());
    let topic = unique_name("notes");
    let keys: Vec<String> = (0..6).map(|k| format!("note-{k}")).collect();
    let mut enqueued: HashMap<String, Vec<Uuid>> = HashMap::new();
    let transaction = store.db.conn().begin().await.unwrap();
    for n in 0..300 {
        let key = &keys[n % keys.len()];
        let envelope = event(key, n);
        enqueue(&transaction, &topic, key, &envelope).await.unwrap();
        enqueued.entry(key.clone()).or_default().push(envelope.id);
    }
    transaction.commit().await.unwrap();

    // Each relay has its own pool, as relays in two replicas would.
    let config = RelayConfig {
        batch_size: 10,
        ..fast_config()
    };
    let other = store.another_pool().await;
    let (stop, running) = spawn_relays(vec![
        OutboxRelay::new(store.conn(), bus.clone(), config.clone()),
        OutboxRelay::new(other.conn().clone(), bus.clone(), config.clone()),
    ]);
    let watcher = OutboxRelay::new(store.conn(), bus.clone(), config);
    wait_for_empty_backlog(&watcher).await;
    stop();
    for outcome in futures::future::join_all(running).await {
        outcome.unwrap();
    }
    other.close().await.unwrap();

    let published = bus.published.lock().clone();
    let mut deliveries: HashMap<Uuid, usize> = HashMap::new();
    for (_, id) in &published {
        *deliveries.entry(*id).or_default() += 1;
    }
    assert_eq!(deliveries.len(), 300, "every row is published");
    assert!(deliveries.values().all(|&n| n == 1), "no row is published twice");
    for key in &keys {
        let order: Vec<Uuid> = published.iter().filter(|(k, _)| k == key).map(|(_, id)| *id).collect();
        assert_eq!(order, enqueued[key], "order of key {key}");
    }
}

async fn an_event_that_could_never_be_published_is_refused_and_nothing_is_written(store: Store) {
    let relay = OutboxRelay::new(store.conn(), Arc::new(InProcessEventBus::new()), RelayConfig::default());
    let transaction = store.db.conn().begin().await.unwrap();

    let mut untyped = event("note-1", 0);
    untyped.event_type = " ".to_owned();
    let error = enqueue(&transaction, "notes", "note-1", &untyped).await.unwrap_err();
    assert!(matches!(error, OutboxError::Encode(_)), "{error}");
    let error = enqueue(&transaction, "not a topic", "note-1", &event("note-1", 1))
        .await
        .unwrap_err();
    assert!(matches!(error, OutboxError::InvalidTopic { .. }), "{error}");
    transaction.commit().await.unwrap();
    assert_eq!(relay.backlog().await.unwrap(), 0);

    let once = event("note-1", 2);
    enqueue_committed(store.db.conn(), "notes", "note-1", &once).await;
    let transaction = store.db.conn().begin().await.unwrap();
    let error = enqueue(&transaction, "notes", "note-1", &once).await.unwrap_err();
    assert!(
        matches!(error, OutboxError::Database(_)),
        "an event id is enqueued once: {error}"
    );
    transaction.rollback().await.unwrap();
    assert_eq!(relay.backlog().await.unwrap(), 1);
}

async fn backlog_gauge_follows_the_outbox(store: Store) {
    let metrics = Metrics::new();
    let bus = GatedBus::closed();
    let relay = OutboxRelay::new(store.conn(), bus.clone(), RelayConfig::default()).with_metrics(&metrics);
    let topic = unique_name("notes");
    for n in 0..3 {
        enqueue_committed(store.db.conn(), &topic, "note-1", &event("note-1", n)).await;
    }
    relay.relay_once().await.expect_err("the closed bus refuses");
    let text = metrics.encode().unwrap();
    assert!(text.contains("outbox_backlog 3"), "{text}");

    bus.open();
    assert_eq!(relay.relay_once().await.unwrap(), 3);
    let text = metrics.encode().unwrap();
    assert!(text.contains("outbox_backlog 0"), "{text}");
}

async fn published_rows_past_retention_are_purged_and_pending_ones_kept(store: Store) {
    let bus = Arc::new(InProcessEventBus::new());
    let keep_forever = OutboxRelay::new(store.conn(), bus.clone(), RelayConfig::default());
    let keep_nothing = OutboxRelay::new(
        store.conn(),
        bus,
        RelayConfig {
            retention_secs: 0,
            ..RelayConfig::default()
        },
    );
    let topic = unique_name("notes");
    for n in 0..2 {
        enqueue_committed(store.db.conn(), &topic, "note-1", &event("note-1", n)).await;
    }
    assert_eq!(drain(&keep_forever).await, 2);
    enqueue_committed(store.db.conn(), &topic, "note-1", &event("note-1", 2)).await;
    tokio::time::sleep(Duration::from_millis(5)).await;

    assert_eq!(
        keep_forever.purge_published().await.unwrap(),
        0,
        "a week's retention keeps them"
    );
    assert_eq!(keep_nothing.purge_published().await.unwrap(), 2);
    assert_eq!(keep_nothing.backlog().await.unwrap(), 1, "the pending row is kept");
    assert_eq!(drain(&keep_nothing).await, 1);
}

/// Instantiates every behaviour above as a test against the database `$with` provides.
macro_rules! contract {
    ($with:path $(, #[$attr:meta])?) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])?
        async fn rolled_back_event_is_never_published_and_committed_one_is_published_once_intact() {
            $with(super::rolled_back_event_is_never_published_and_committed_one_is_published_once_intact).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])?
        async fn events_of_one_key_are_published_in_the_order_they_were_enqueued() {
            $with(super::events_of_one_key_are_published_in_the_order_they_were_enqueued).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])?
        async fn while_the_bus_fails_nothing_is_marked_sent_and_after_recovery_everything_arrives_once() {
            $with(super::while_the_bus_fails_nothing_is_marked_sent_and_after_recovery_everything_arrives_once)
                .await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])?
        async fn two_relays_over_one_table_publish_every_row_exactly_once() {
            $with(super::two_relays_over_one_table_publish_every_row_exactly_once).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])?
        async fn an_event_that_could_never_be_published_is_refused_and_nothing_is_written() {
            $with(super::an_event_that_could_never_be_published_is_refused_and_nothing_is_written).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])?
        async fn backlog_gauge_follows_the_outbox() {
            $with(super::backlog_gauge_follows_the_outbox).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])?
        async fn published_rows_past_retention_are_purged_and_pending_ones_kept() {
            $with(super::published_rows_past_retention_are_purged_and_pending_ones_kept).await;
        }
    };
}

mod sqlite {
    use super::with_sqlite;

    contract!(with_sqlite);
}

mod postgres {
    use super::*;

    contract!(with_postgres, #[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]);

    #[tokio::test]
    #[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
    async fn outbox_table_lands_in_the_service_schema() {
        with_postgres(|store| async move {
            let schema = store.db.schema().expect("a schema").as_str().to_owned();
            let statement = Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT table_schema::text FROM information_schema.tables WHERE table_name = 'outbox'",
            );
            let rows = store.db.conn().query_all_raw(statement).await.unwrap();
            let schemas: Vec<String> = rows.iter().map(|row| row.try_get_by_index(0).unwrap()).collect();
            assert!(schemas.contains(&schema), "{schemas:?}");
            assert!(!schemas.contains(&"public".to_owned()), "{schemas:?}");
        })
        .await;
    }
}

mod kafka {
    use kernel::events::{KafkaConfig, KafkaEventBus};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(not(backend_kafka), ignore = "PLATFORM_TEST_KAFKA_BROKERS is not set")]
    async fn relayed_events_arrive_on_the_topic_once_each_in_per_key_order() {
        with_sqlite(|store| async move {
            let config = KafkaConfig {
                brokers: platform_tests::kafka_brokers(),
                client_id: "outbox-contract".to_owned(),
                message_timeout_ms: 10_000,
                ..KafkaConfig::default()
            };
            let bus: Arc<dyn EventBus> = Arc::new(KafkaEventBus::new(&config).expect("build the Kafka bus"));
            let topic = unique_name("outbox");
            bus.ensure_topics(&[&topic]).await.expect("create the topic");

            let keys: Vec<String> = (0..8).map(|k| format!("note-{k}")).collect();
            let mut enqueued: HashMap<String, Vec<Uuid>> = HashMap::new();
            for n in 0..200 {
                let key = &keys[n % keys.len()];
                let envelope = event(key, n);
                enqueue_committed(store.db.conn(), &topic, key, &envelope).await;
                enqueued.entry(key.clone()).or_default().push(envelope.id);
            }
            let relay = OutboxRelay::new(store.conn(), bus.clone(), RelayConfig::default());
            assert_eq!(drain(&relay).await, 200);
            assert_eq!(relay.backlog().await.unwrap(), 0);

            let mut subscription = bus.subscribe(&unique_name("group"), &[&topic]).await.unwrap();
            let mut received: HashMap<String, Vec<Uuid>> = HashMap::new();
            for _ in 0..200 {
                let delivery = next(&mut subscription).await;
                let envelope = decode(&delivery);
                assert_eq!(delivery.headers[HEADER_EVENT_ID], envelope.id.to_string());
                received.entry(delivery.key.clone()).or_default().push(envelope.id);
            }
            assert_nothing_more(&mut subscription, Duration::from_secs(3)).await;
            for key in &keys {
                assert_eq!(received[key], enqueued[key], "key {key}: each event once, in order");
            }
        })
        .await;
    }
}
