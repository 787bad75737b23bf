//! PostgreSQL stopped (fast mode) and started again while sign-ups stream through the router: sign-ups sent
//! during the outage fail with a code and no internals, identity's pool reconnects by itself, and every
//! acknowledged sign-up is in the database afterwards with its `user.created` event delivered.

use std::sync::Arc;

use kernel::cache::CacheConfig;
use kernel::db::DatabaseConfig;
use kernel::events::{EventBus, InProcessEventBus};
use secrecy::SecretString;

use crate::backends::PrivatePostgres;
use crate::identity_stack::{Backends, IdentityStack, created_emails};
use crate::load::{Load, Phase, Report, assert_codes, assert_no_errors_within};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
async fn sign_ups_through_a_postgres_restart_fail_cleanly_and_lose_no_acknowledged_write_or_event() {
    let mut postgres = PrivatePostgres::start().await;
    let bus = Arc::new(InProcessEventBus::new());
    let mut events = bus
        .subscribe("faults-postgres", &[identity::events::TOPIC])
        .await
        .expect("subscribe to identity's events");
    let database = DatabaseConfig {
        url: SecretString::from(postgres.url()),
        schema: Some("identity".to_owned()),
        // A sign-up waits this long for a connection while the server is down, then fails.
        acquire_timeout_ms: 1_000,
        connect_timeout_ms: 20_000,
        ..DatabaseConfig::default()
    };
    let stack = Arc::new(
        IdentityStack::start(Backends {
            database,
            cache: CacheConfig::default(),
            events: bus,
        })
        .await,
    );
    let run = platform_tests::unique_name("pg");
    let load = Load::start(4, {
        let (stack, run) = (stack.clone(), run.clone());
        move |task, n| {
            let (stack, email) = (stack.clone(), format!("{run}-{task}-{n}@example.test"));
            async move { stack.sign_up(&email).await }
        }
    });

    load.wait_within(Phase::Before, 20).await;
    load.enter(Phase::Fault);
    postgres.stop_fast().await;
    load.wait_for("sign-ups refused during the outage", 4, |record| {
        record.started == Phase::Fault && record.failed()
    })
    .await;
    load.enter(Phase::Recovering);
    postgres.start_server().await;
    load.wait_for("sign-ups accepted after the restart", 1, |record| {
        record.started == Phase::Recovering && !record.failed()
    })
    .await;
    load.enter(Phase::After);
    load.wait_within(Phase::After, 20).await;
    let records = load.finish().await;

    let in_db: std::collections::HashSet<String> = stack
        .column("SELECT email FROM users")
        .await
        .into_iter()
        .filter(|email| email.starts_with(&run))
        .collect();
    let report = Report::new("postgres_restart", &records, &in_db);
    report.print_and_check(&records);
    assert_no_errors_within(&records, &[Phase::Before, Phase::After]);
    assert_codes(&records, &["INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"]);

    // The outbox shares each sign-up's transaction, so every user in the database has its event, acknowledged
    // or not (a commit whose answer was lost in the outage counts too).
    let delivered = created_emails(events.as_mut(), &in_db).await;
    let missing: Vec<&String> = in_db.iter().filter(|email| !delivered.contains(*email)).collect();
    assert!(missing.is_empty(), "user.created never delivered for {missing:?}");
    Arc::into_inner(stack)
        .expect("the load has let go of the stack")
        .stop()
        .await;
}
