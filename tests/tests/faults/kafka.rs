//! The Kafka-compatible broker killed while sign-ups stream through the router: sign-ups keep succeeding (their
//! events wait in the outbox, in the same transaction), and once the broker is back every event is delivered.

use std::collections::HashSet;
use std::sync::Arc;

use kernel::cache::CacheConfig;
use kernel::db::DatabaseConfig;
use kernel::events::{EventBus, KafkaConfig, KafkaEventBus};
use sea_orm::{ConnectionTrait, Statement};
use secrecy::SecretString;

use crate::backends::PrivateBroker;
use crate::identity_stack::{Backends, IdentityStack, created_emails};
use crate::load::{Load, Outcome, Phase, Report, assert_codes};

fn kafka_bus(broker: &PrivateBroker, client: &str) -> Arc<dyn EventBus> {
    let config = KafkaConfig {
        brokers: broker.brokers(),
        client_id: client.to_owned(),
        message_timeout_ms: 2_000,
        request_timeout_ms: 2_000,
        ..KafkaConfig::default()
    };
    Arc::new(KafkaEventBus::new(&config).expect("build the Kafka bus"))
}

/// How many outbox rows wait for the broker.
async fn pending_events(database: &DatabaseConfig) -> i64 {
    let database = kernel::db::connect(database).await.expect("open identity's database");
    let conn = database.conn();
    let sql = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL";
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .expect("count the pending events")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(not(backend_tansu_bin), ignore = "PLATFORM_TEST_TANSU_BIN is not set")]
async fn sign_ups_succeed_while_the_broker_is_down_and_every_event_is_delivered_after_it_returns() {
    let mut broker = PrivateBroker::start().await;
    let bus = kafka_bus(&broker, "faults-identity");
    bus.ensure_topics(&[identity::events::TOPIC])
        .await
        .expect("create identity's topic");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database = DatabaseConfig {
        url: SecretString::from(format!("sqlite://{}/identity.db?mode=rwc", dir.path().display())),
        ..DatabaseConfig::default()
    };
    let stack = Arc::new(
        IdentityStack::start(Backends {
            database: database.clone(),
            cache: CacheConfig::default(),
            events: bus,
        })
        .await,
    );
    let load = Load::start(4, {
        let stack = stack.clone();
        move |task, n| {
            let (stack, email) = (stack.clone(), format!("broker-{task}-{n}@example.test"));
            async move { stack.sign_up(&email).await }
        }
    });

    load.wait_within(Phase::Before, 12).await;
    load.enter(Phase::Fault);
    broker.kill();
    load.wait_within(Phase::Fault, 16).await;
    // Nothing written while the broker is gone can have left the outbox.
    let written_in_fault =
        load.count(|record| record.within(Phase::Fault) && matches!(record.outcome, Outcome::Written(_)));
    let pending = pending_events(&database).await;
    assert!(
        usize::try_from(pending).expect("a count") >= written_in_fault,
        "{pending} events wait in the outbox, fewer than the {written_in_fault} sign-ups made while the broker was down"
    );
    load.enter(Phase::Recovering);
    broker.start_server().await;
    load.enter(Phase::After);
    load.wait_within(Phase::After, 12).await;
    let records = load.finish().await;

    let in_db: HashSet<String> = stack
        .column("SELECT email FROM users")
        .await
        .into_iter()
        .filter(|email| email.starts_with("broker-"))
        .collect();
    let report = Report::new("broker_killed", &records, &in_db);
    report.print_and_check(&records);
    // The broker is not on the write path: no sign-up fails, in any phase.
    assert_codes(&records, &[]);

    let reader = kafka_bus(&broker, "faults-reader");
    let mut events = reader
        .subscribe(&platform_tests::unique_name("faults"), &[identity::events::TOPIC])
        .await
        .expect("subscribe to identity's events");
    let delivered = created_emails(events.as_mut(), &in_db).await;
    let missing: Vec<&String> = in_db.iter().filter(|email| !delivered.contains(*email)).collect();
    assert!(missing.is_empty(), "user.created never delivered for {missing:?}");
    Arc::into_inner(stack)
        .expect("the load has let go of the stack")
        .stop()
        .await;
}
