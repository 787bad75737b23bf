//! Failures against real PostgreSQL and Kafka: a broker that stops while changes are made, a consumer killed
//! between storing and committing, and a poison message in the middle of a partition. Nothing is lost, nothing is
//! stored twice, and nothing blocks. tansu is slow, so waits are generous.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use kernel::events::{EventBus, EventEnvelope, OutgoingMessage};
use serde_json::json;
use uuid::Uuid;

use crate::harness::{Db, Harness, Options, kafka_bus, unique_consumer, wait_for_records};

/// How long records may take to arrive through a real broker.
const ARRIVAL: Duration = Duration::from_secs(150);

fn envelope(n: usize) -> EventEnvelope {
    EventEnvelope::new("post.published", "blog", json!({"id": format!("p{n}")})).with_actor(format!("u{}", n % 7))
}

async fn stored_ids(h: &Harness) -> BTreeSet<Uuid> {
    let ids = h.store.ids().await.unwrap();
    let unique: BTreeSet<Uuid> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "an id is stored twice");
    unique
}

/// Publishes `envelopes` to `topic`, many at a time, keyed over ten keys.
async fn publish_all(bus: &Arc<dyn EventBus>, topic: &str, envelopes: &[EventEnvelope]) {
    for chunk in envelopes.chunks(100) {
        let sends = chunk.iter().enumerate().map(|(n, envelope)| {
            let message = envelope.to_message(format!("key-{}", n % 10)).unwrap();
            bus.publish(topic, message)
        });
        for outcome in futures::future::join_all(sends).await {
            outcome.unwrap();
        }
    }
}

#[tokio::test]
#[cfg_attr(
    not(all(backend_postgres, backend_kafka)),
    ignore = "PLATFORM_TEST_POSTGRES_URL and PLATFORM_TEST_KAFKA_BROKERS are not both set"
)]
async fn a_consumer_killed_mid_batch_resumes_from_its_committed_offset_without_loss_or_duplicates() {
    let brokers = platform_tests::kafka_brokers();
    let consumer = unique_consumer(20);
    let topic = consumer.topics[0].clone();
    let mut h = Harness::start_with(Options {
        db: Db::Postgres,
        bus: Some(kafka_bus(&brokers, 10_000)),
        consumer,
        authz_events: false,
    })
    .await;
    let envelopes: Vec<EventEnvelope> = (0..1_000).map(envelope).collect();
    let producer = kafka_bus(&brokers, 10_000);
    publish_all(&producer, &topic, &envelopes).await;

    let store = h.store.clone();
    crate::harness::eventually("a third of the events are stored", ARRIVAL, || {
        let store = store.clone();
        async move { store.count().await.unwrap() >= 300 }
    })
    .await;
    h.take_audit().kill().await;
    let at_kill = h.store.count().await.unwrap();
    assert!(
        at_kill < 1_000,
        "the consumer finished before it could be killed; nothing was tested"
    );

    let second = h.start_audit().await;
    wait_for_records(&h.store, 1_000, ARRIVAL).await;
    let expected: BTreeSet<Uuid> = envelopes.iter().map(|e| e.id).collect();
    assert_eq!(stored_ids(&h).await, expected);
    let metrics = second.consumer_metrics().clone();
    // An insert in flight when the task was aborted may still commit, so the restart can find one more stored.
    assert!(metrics.stored() + metrics.duplicates() >= 1_000 - at_kill);
    // Only what was stored but not yet committed came again; a restart from the beginning would repeat all.
    assert!(
        metrics.duplicates() < at_kill,
        "{} of the {at_kill} records stored before the kill were delivered again",
        metrics.duplicates()
    );
    h.set_audit(second);
    h.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(all(backend_postgres, backend_kafka)),
    ignore = "PLATFORM_TEST_POSTGRES_URL and PLATFORM_TEST_KAFKA_BROKERS are not both set"
)]
async fn a_poison_message_goes_to_the_dead_letter_topic_and_the_events_after_it_are_stored() {
    let brokers = platform_tests::kafka_brokers();
    let consumer = unique_consumer(50);
    let topic = consumer.topics[0].clone();
    let dead_letter_topic = consumer.dead_letter_topic.clone();
    let h = Harness::start_with(Options {
        db: Db::Postgres,
        bus: Some(kafka_bus(&brokers, 10_000)),
        consumer,
        authz_events: false,
    })
    .await;
    let producer = kafka_bus(&brokers, 10_000);
    let first = envelope(0);
    let after: Vec<EventEnvelope> = (1..5).map(envelope).collect();
    // One key, so all six share a partition and the poison sits between the good events.
    producer.publish(&topic, first.to_message("k").unwrap()).await.unwrap();
    producer
        .publish(&topic, OutgoingMessage::new("k", "\u{0}garbage that is no envelope"))
        .await
        .unwrap();
    for envelope in &after {
        producer
            .publish(&topic, envelope.to_message("k").unwrap())
            .await
            .unwrap();
    }
    wait_for_records(&h.store, 5, ARRIVAL).await;
    let expected: BTreeSet<Uuid> = std::iter::once(&first).chain(&after).map(|e| e.id).collect();
    assert_eq!(stored_ids(&h).await, expected);

    let first_record = h.store.get(first.id).await.unwrap().unwrap();
    let partition = first_record.request_metadata["partition"].as_i64().unwrap();
    let offset = first_record.request_metadata["offset"].as_i64().unwrap();
    let mut letters = producer
        .subscribe(&platform_tests::unique_name("inspect"), &[&dead_letter_topic])
        .await
        .unwrap();
    let letter = tokio::time::timeout(ARRIVAL, letters.next()).await.unwrap().unwrap();
    assert_eq!(&letter.payload[..], "\u{0}garbage that is no envelope".as_bytes());
    assert_eq!(letter.headers["original_topic"], topic);
    assert_eq!(letter.headers["original_partition"], partition.to_string());
    assert_eq!(letter.headers["original_offset"], (offset + 1).to_string());
    assert!(
        letter.headers["error"].contains("malformed event envelope"),
        "{:?}",
        letter.headers
    );
    assert_eq!(h.counter("audit_events_dead_lettered").await, 1);
    h.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(all(backend_postgres, backend_kafka)),
    ignore = "PLATFORM_TEST_POSTGRES_URL and PLATFORM_TEST_KAFKA_BROKERS are not both set"
)]
async fn on_postgres_and_kafka_a_grpc_record_and_an_event_land_in_one_log() {
    let brokers = platform_tests::kafka_brokers();
    let consumer = unique_consumer(50);
    let topic = consumer.topics[0].clone();
    let h = Harness::start_with(Options {
        db: Db::Postgres,
        bus: Some(kafka_bus(&brokers, 10_000)),
        consumer,
        authz_events: false,
    })
    .await;
    let event = envelope(1);
    kafka_bus(&brokers, 10_000)
        .publish(&topic, event.to_message("k").unwrap())
        .await
        .unwrap();
    let id = Uuid::now_v7();
    let request = proto::audit::v1::RecordRequest {
        id: id.to_string(),
        actor: "u1".into(),
        action: "post.publish".into(),
        resource: "post:1".into(),
        outcome: proto::audit::v1::Outcome::Denied.into(),
        source_service: "authz".into(),
        ..Default::default()
    };
    let mut client = h.grpc().await;
    assert!(
        client
            .record(h.authed(request.clone()))
            .await
            .unwrap()
            .get_ref()
            .created
    );
    assert!(!client.record(h.authed(request)).await.unwrap().get_ref().created);
    wait_for_records(&h.store, 2, ARRIVAL).await;
    let body = h.log(json!({ "first": 10 })).await;
    let edges = body["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let ids: BTreeSet<String> = edges
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, BTreeSet::from([id.to_string(), event.id.to_string()]));
    h.finish().await;
}

/// A tansu broker of the test's own, killed and restarted on the same port and data folder.
mod broker_outage {
    use kernel::db::Database;
    use kernel::outbox::{CreateOutboxTable, OutboxRelay, RelayConfig};
    use platform_tests::{ChildProcess, free_port, required_env, wait_for_port};
    use sea_orm::{ConnectionTrait, TransactionTrait};
    use sea_orm_migration::{MigrationTrait, MigratorTrait};

    use super::*;
    use crate::harness::postgres;

    /// The producing side's schema: just an outbox.
    struct ProducerMigrator;

    #[sea_orm_migration::async_trait::async_trait]
    impl MigratorTrait for ProducerMigrator {
        fn migrations() -> Vec<Box<dyn MigrationTrait>> {
            vec![Box::new(CreateOutboxTable)]
        }
    }

    fn start_broker(data_dir: &std::path::Path, port: u16) -> ChildProcess {
        let tansu = required_env("PLATFORM_TEST_TANSU_BIN");
        let url = format!("tcp://127.0.0.1:{port}");
        // A relative sqlite path, resolved in the data folder: tansu rejects an absolute one.
        let args = [
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
            "--storage-engine",
            "sqlite://tansu.db",
        ];
        ChildProcess::spawn(&tansu, &args, data_dir)
    }

    /// Makes one change: one transaction enqueueing its event.
    async fn change(producer: &Database, topic: &str, envelope: &EventEnvelope) {
        let transaction = producer.conn().begin().await.unwrap();
        kernel::outbox::enqueue(&transaction, topic, &envelope.payload["id"].to_string(), envelope)
            .await
            .unwrap();
        transaction.commit().await.unwrap();
    }

    /// Stops the producing side's relay when the test ends, however it ends.
    struct AbortOnDrop(tokio::task::JoinHandle<()>);

    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }

    /// Runs `relay` as a service does: a batch at a time, retrying with a short pause while publishing fails.
    fn keep_relaying(relay: OutboxRelay) -> AbortOnDrop {
        AbortOnDrop(tokio::spawn(async move {
            loop {
                match relay.relay_once().await {
                    Ok(0) => tokio::time::sleep(Duration::from_millis(20)).await,
                    Ok(_) => {}
                    Err(error) => {
                        eprintln!("relay retrying: {error}");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
        }))
    }

    #[tokio::test]
    #[cfg_attr(
        not(all(backend_postgres, backend_tansu_bin)),
        ignore = "PLATFORM_TEST_POSTGRES_URL and PLATFORM_TEST_TANSU_BIN are not both set"
    )]
    async fn events_enqueued_while_the_broker_is_down_are_all_recorded_once_after_it_returns() {
        let data_dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut broker = start_broker(data_dir.path(), port);
        wait_for_port(port, Duration::from_secs(20)).await;
        let brokers = format!("127.0.0.1:{port}");

        let consumer = unique_consumer(50);
        let topic = consumer.topics[0].clone();
        let h = Harness::start_with(Options {
            db: Db::Postgres,
            bus: Some(kafka_bus(&brokers, 3_000)),
            consumer,
            authz_events: false,
        })
        .await;
        let producer_schema = platform_tests::unique_name("producer");
        let producer = postgres(&producer_schema).await;
        kernel::db::migrate::<ProducerMigrator>(&producer).await.unwrap();
        let relay_config = RelayConfig::default();
        let relay = OutboxRelay::new(producer.conn().clone(), kafka_bus(&brokers, 3_000), relay_config);
        let relaying = keep_relaying(relay);

        // Warm up: the relay publishes and the consumer has joined its group.
        let warm: Vec<EventEnvelope> = (0..10).map(envelope).collect();
        for e in &warm {
            change(&producer, &topic, e).await;
        }
        wait_for_records(&h.store, 10, ARRIVAL).await;

        broker.kill();
        let outage: Vec<EventEnvelope> = (10..1_010).map(envelope).collect();
        for e in &outage {
            change(&producer, &topic, e).await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(
            h.store.count().await.unwrap(),
            10,
            "records arrived while the broker was down"
        );

        let _broker = start_broker(data_dir.path(), port);
        wait_for_port(port, Duration::from_secs(20)).await;
        let deadline = tokio::time::Instant::now() + ARRIVAL;
        loop {
            let stored = h.store.count().await.unwrap();
            let pending = producer
                .conn()
                .query_one_raw(sea_orm::Statement::from_string(
                    producer.backend(),
                    "SELECT count(*) AS pending FROM outbox WHERE sent_at IS NULL",
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get::<i64>("", "pending")
                .unwrap();
            if stored >= 1_010 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {stored} of 1010 records; {pending} events still in the outbox"
            );
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        // Give redeliveries a moment to show up if they were to double anything.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let expected: BTreeSet<Uuid> = warm.iter().chain(&outage).map(|e| e.id).collect();
        assert_eq!(stored_ids(&h).await, expected);
        assert_eq!(h.store.count().await.unwrap(), 1_010);

        drop(relaying);
        producer
            .conn()
            .execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{producer_schema}\" CASCADE"))
            .await
            .unwrap();
        h.finish().await;
    }
}
