//! End-to-end event throughput: events enqueued in a producer's outbox, relayed to Kafka by the kernel's
//! `OutboxRelay`, consumed and stored by audit's consumer. Prints events per second and the lag from an event's
//! `occurred_at` to its record's `recorded_at` (p50, p99, max).
//!
//! Needs a real broker: `PLATFORM_TEST_KAFKA_BROKERS` (skipped with a message otherwise). Stores on PostgreSQL
//! when `PLATFORM_TEST_POSTGRES_URL` is set (a throwaway schema per side), on SQLite files otherwise.
//! Run: `cargo bench -p audit --bench event_throughput` (see docs/benchmarks.md).

// A bench binary is handed every dependency of the crate and uses only some.
#![allow(unused_crate_dependencies)]

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use audit::config::ConsumerConfig;
use audit::events::AuditConsumer;
use audit::store::AuditStore;
use kernel::db::{Database, DatabaseConfig};
use kernel::events::{EventBus, EventEnvelope, KafkaConfig, KafkaEventBus};
use kernel::outbox::{OutboxRelay, RelayConfig};
use sea_orm::{ConnectionTrait, TransactionTrait};
use secrecy::SecretString;
use serde_json::json;
use tokio_util::sync::CancellationToken;

/// Events measured by default (after a few warm-up events that let the consumer join its group); sized so a run
/// against tansu stays under a minute. `AUDIT_BENCH_EVENTS` changes it.
const DEFAULT_EVENTS: usize = 3_000;
const WARM_UP: usize = 10;
/// Events per producer transaction.
const PER_TRANSACTION: usize = 50;
/// Give up when the events have not all arrived by then.
const DEADLINE: Duration = Duration::from_secs(120);

type Error = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    let Some(brokers) = env("PLATFORM_TEST_KAFKA_BROKERS") else {
        println!("event_throughput skipped: PLATFORM_TEST_KAFKA_BROKERS is not set (it needs a real broker)");
        return ExitCode::SUCCESS;
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("event_throughput: cannot start a runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&brokers)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("event_throughput failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// A fresh database for one side: a PostgreSQL schema of its own, or an SQLite file in `dir`.
async fn database(name: &str, dir: &tempfile::TempDir) -> Result<(Database, Option<String>), Error> {
    let suffix = uuid::Uuid::now_v7().simple().to_string();
    let (config, schema) = match env("PLATFORM_TEST_POSTGRES_URL") {
        Some(url) => {
            let schema = format!("bench_{name}_{suffix}");
            let config = DatabaseConfig {
                url: SecretString::from(url),
                schema: Some(schema.clone()),
                ..DatabaseConfig::default()
            };
            (config, Some(schema))
        }
        None => {
            let path = dir.path().join(format!("{name}.db"));
            let config = DatabaseConfig {
                url: SecretString::from(format!("sqlite://{}?mode=rwc", path.display())),
                ..DatabaseConfig::default()
            };
            (config, None)
        }
    };
    Ok((kernel::db::connect(&config).await?, schema))
}

async fn drop_schema(db: &Database, schema: Option<String>) -> Result<(), Error> {
    if let Some(schema) = schema {
        db.conn()
            .execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .await?;
    }
    Ok(())
}

async fn enqueue(producer: &Database, topic: &str, from: usize, to: usize) -> Result<(), Error> {
    for chunk_start in (from..to).step_by(PER_TRANSACTION) {
        let transaction = producer.conn().begin().await?;
        for n in chunk_start..(chunk_start + PER_TRANSACTION).min(to) {
            let envelope = EventEnvelope::new("post.published", "bench", json!({"id": format!("p{n}")}))
                .with_actor(format!("u{}", n % 100));
            kernel::outbox::enqueue(&transaction, topic, &format!("p{}", n % 64), &envelope).await?;
        }
        transaction.commit().await?;
    }
    Ok(())
}

/// Waits until `store` holds `count` records; returns when the outbox was last seen with events pending.
async fn wait_for(store: &AuditStore, count: u64, outbox: &OutboxRelay) -> Result<Instant, Error> {
    let deadline = Instant::now() + DEADLINE;
    let mut drained = None;
    while store.count().await? < count {
        if Instant::now() > deadline {
            return Err(format!("only {} of {count} records after {DEADLINE:?}", store.count().await?).into());
        }
        if drained.is_none() && outbox.backlog().await? == 0 {
            drained = Some(Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(drained.unwrap_or_else(Instant::now))
}

async fn run(brokers: &str) -> Result<(), Error> {
    let events = match env("AUDIT_BENCH_EVENTS") {
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| format!("AUDIT_BENCH_EVENTS is not a count: {text}"))?,
        None => DEFAULT_EVENTS,
    };
    let dir = tempfile::tempdir()?;
    let (audit_db, audit_schema) = database("audit", &dir).await?;
    kernel::db::migrate::<migrations::audit::Migrator>(&audit_db).await?;
    // The producing side only needs an outbox; identity's schema has one.
    let (producer, producer_schema) = database("producer", &dir).await?;
    kernel::db::migrate::<migrations::identity::Migrator>(&producer).await?;

    let kafka = KafkaConfig {
        brokers: brokers.to_owned(),
        client_id: "audit-bench".to_owned(),
        ..KafkaConfig::default()
    };
    let bus: Arc<dyn EventBus> = Arc::new(KafkaEventBus::new(&kafka)?);
    let suffix = uuid::Uuid::now_v7().simple().to_string();
    let topic = format!("bench-events-{suffix}");
    let consumer_config = ConsumerConfig {
        group: format!("bench-audit-{suffix}"),
        topics: vec![topic.clone()],
        dead_letter_topic: format!("bench-dead-letter-{suffix}"),
        commit_every: 500,
        ..ConsumerConfig::default()
    };
    bus.ensure_topics(&[&topic, &consumer_config.dead_letter_topic]).await?;
    let store = AuditStore::new(audit_db.conn().clone());
    let cancel = CancellationToken::new();
    let consumer = AuditConsumer::new(bus.clone(), store.clone(), consumer_config).spawn(cancel.child_token());
    let relay_config = RelayConfig {
        poll_interval_ms: 10,
        batch_size: 500,
        ..RelayConfig::default()
    };
    let relay = OutboxRelay::new(producer.conn().clone(), bus.clone(), relay_config).spawn(cancel.child_token());
    // Only counts the backlog; never relays.
    let outbox = OutboxRelay::new(producer.conn().clone(), bus.clone(), RelayConfig::default());

    enqueue(&producer, &topic, 0, WARM_UP).await?;
    wait_for(&store, WARM_UP as u64, &outbox).await?;
    let warm_ids = store.ids().await?;

    let started = Instant::now();
    enqueue(&producer, &topic, WARM_UP, WARM_UP + events).await?;
    let enqueued = started.elapsed();
    let drained = wait_for(&store, (WARM_UP + events) as u64, &outbox).await?;
    let elapsed = started.elapsed();
    cancel.cancel();
    let _ = tokio::join!(consumer, relay);

    let mut lags: Vec<i64> = store
        .all()
        .await?
        .into_iter()
        .filter(|record| !warm_ids.contains(&record.id))
        .map(|record| {
            (record.recorded_at - record.occurred_at)
                .num_microseconds()
                .unwrap_or(i64::MAX)
        })
        .collect();
    lags.sort_unstable();
    let at = |q: f64| {
        let index = ((lags.len() as f64 - 1.0) * q).round() as usize;
        Duration::from_micros(u64::try_from(lags[index.min(lags.len() - 1)]).unwrap_or(0))
    };
    let backend = if audit_schema.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("event_throughput: outbox -> Kafka ({brokers}) -> audit stored, databases on {backend}");
    println!("  events:     {events} (after {WARM_UP} warm-up events)");
    println!(
        "  outbox:     all events enqueued after {enqueued:.2?}, relayed (outbox empty) after {:.2?}",
        drained - started
    );
    println!("  elapsed:    {elapsed:.2?} (first enqueued -> last stored)");
    println!("  throughput: {:.0} events/s", events as f64 / elapsed.as_secs_f64());
    println!(
        "  lag (occurred -> recorded): p50 {:.1?}, p99 {:.1?}, max {:.1?}",
        at(0.50),
        at(0.99),
        at(1.0)
    );
    drop_schema(&audit_db, audit_schema).await?;
    drop_schema(&producer, producer_schema).await?;
    Ok(())
}
