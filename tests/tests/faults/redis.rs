//! Redis killed during a load and started again (empty, as a restarted cache comes back): authz keeps answering
//! Check correctly by deciding from its store, and identity's sign-in limit fails closed instead of letting
//! attempts through uncounted.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use kernel::cache::{CacheBackend, CacheConfig};
use kernel::db::DatabaseConfig;
use kernel::events::InProcessEventBus;
use parking_lot::Mutex;
use secrecy::SecretString;

use crate::authz_stack::AuthzStack;
use crate::backends::PrivateRedis;
use crate::identity_stack::{Backends, IdentityStack};
use crate::load::{Load, Outcome, Phase, Report, assert_codes, assert_no_errors_within};

fn redis_cache(redis: &PrivateRedis, prefix: &str) -> CacheConfig {
    CacheConfig {
        backend: CacheBackend::Redis,
        url: SecretString::from(redis.url()),
        key_prefix: prefix.to_owned(),
        command_timeout_ms: 500,
        ..CacheConfig::default()
    }
}

/// The subject bound before the fault and unbound while Redis is down: its cached "allow" must not come back.
const REVOKED: &str = "revoked-editor";
/// A subject never bound to anything.
const STRANGER: &str = "stranger";

/// Where [`REVOKED`]'s binding stands; a check is only judged when the state did not change while it ran.
const BOUND: u8 = 0;
const UNBINDING: u8 = 1;
const UNBOUND: u8 = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(not(backend_redis), ignore = "PLATFORM_TEST_REDIS_URL is not set")]
async fn authz_checks_stay_correct_while_redis_is_down_by_deciding_from_the_store() {
    let mut redis = PrivateRedis::start().await;
    let cache = kernel::cache::connect(&redis_cache(&redis, "authz"))
        .await
        .expect("connect to the private redis");
    let stack = Arc::new(AuthzStack::start(cache).await);
    let binding = stack
        .authz
        .manager()
        .bind_role("faults", REVOKED, "editor", None)
        .await
        .expect("bind the editor to revoke later");
    let revoked = Arc::new(AtomicU8::new(BOUND));
    let bound = Arc::new(Mutex::new(Vec::<String>::new()));
    let revoked_denials = Arc::new(AtomicUsize::new(0));

    // Task 0 binds a fresh subject per operation; the others check a subject bound before the check was sent
    // (must be allowed), the stranger (must be denied) and the editor whose binding is revoked mid-fault.
    let load = Load::start(4, {
        let (stack, revoked, bound, revoked_denials) =
            (stack.clone(), revoked.clone(), bound.clone(), revoked_denials.clone());
        move |task, n| {
            let (stack, revoked, bound, revoked_denials) =
                (stack.clone(), revoked.clone(), bound.clone(), revoked_denials.clone());
            async move {
                if task == 0 {
                    let subject = format!("bound-{n}");
                    let outcome = stack.bind_over_graphql(&subject, "editor").await;
                    if matches!(outcome, Outcome::Written(_)) {
                        bound.lock().push(subject);
                    }
                    return outcome;
                }
                let (subject, expected) = match n % 3 {
                    0 => match bound.lock().last().cloned() {
                        Some(subject) => (subject, Some(true)),
                        None => return Outcome::Ok,
                    },
                    1 => (STRANGER.to_owned(), Some(false)),
                    _ => (REVOKED.to_owned(), None),
                };
                let state = revoked.load(Ordering::SeqCst);
                let allowed = match stack.may_publish(&subject).await {
                    Ok(allowed) => allowed,
                    Err(failure) => return failure,
                };
                let expected = match expected {
                    Some(expected) => expected,
                    None if state != revoked.load(Ordering::SeqCst) || state == UNBINDING => return Outcome::Ok,
                    None => state == BOUND,
                };
                if subject == REVOKED && !allowed {
                    revoked_denials.fetch_add(1, Ordering::SeqCst);
                }
                if allowed == expected {
                    Outcome::Ok
                } else {
                    Outcome::failed(format!("WRONG_DECISION_FOR_{subject}"))
                }
            }
        }
    });

    // Enough checks before the fault that every kind of answer is cached in Redis.
    load.wait_within(Phase::Before, 40).await;
    load.enter(Phase::Fault);
    redis.kill();
    revoked.store(UNBINDING, Ordering::SeqCst);
    stack
        .authz
        .manager()
        .unbind_role("faults", &binding.id.to_string())
        .await
        .expect("unbinding works while the cache is down");
    revoked.store(UNBOUND, Ordering::SeqCst);
    load.wait_within(Phase::Fault, 40).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while revoked_denials.load(Ordering::SeqCst) < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the revoked editor was not denied three times while Redis was down"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    load.enter(Phase::Recovering);
    redis.start_server().await;
    load.enter(Phase::After);
    load.wait_within(Phase::After, 40).await;
    let records = load.finish().await;

    let in_db: HashSet<String> = stack
        .bound_subjects()
        .await
        .into_iter()
        .filter(|subject| subject.starts_with("bound-"))
        .collect();
    let report = Report::new("redis_killed_authz", &records, &in_db);
    report.print_and_check(&records);
    // Deciding from the store is the whole fallback: not one check or write fails, in any phase.
    assert_codes(&records, &[]);
    let writes_in_fault = records
        .iter()
        .filter(|record| record.within(Phase::Fault) && matches!(record.outcome, Outcome::Written(_)))
        .count();
    assert!(writes_in_fault > 0, "no binding was written while Redis was down");
    Arc::into_inner(stack)
        .expect("the load has let go of the stack")
        .authz
        .stop()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(not(backend_redis), ignore = "PLATFORM_TEST_REDIS_URL is not set")]
async fn sign_in_fails_closed_with_service_unavailable_while_redis_is_down_and_recovers_after() {
    let mut redis = PrivateRedis::start().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database = DatabaseConfig {
        url: SecretString::from(format!("sqlite://{}/identity.db?mode=rwc", dir.path().display())),
        ..DatabaseConfig::default()
    };
    let stack = Arc::new(
        IdentityStack::start(Backends {
            database,
            cache: redis_cache(&redis, "identity"),
            events: Arc::new(InProcessEventBus::new()),
        })
        .await,
    );
    let accounts: Vec<String> = (0..4).map(|n| format!("signs-in-{n}@example.test")).collect();
    for email in &accounts {
        let outcome = stack.sign_up(email).await;
        assert!(
            matches!(outcome, Outcome::Written(_)),
            "sign-up of {email}: {outcome:?}"
        );
    }
    let load = Load::start(4, {
        let (stack, accounts) = (stack.clone(), accounts.clone());
        move |task, n| {
            let stack = stack.clone();
            let email = accounts[(task + n as usize) % accounts.len()].clone();
            async move { stack.sign_in(&email).await }
        }
    });

    load.wait_within(Phase::Before, 20).await;
    load.enter(Phase::Fault);
    redis.kill();
    load.wait_within(Phase::Fault, 12).await;
    load.enter(Phase::Recovering);
    redis.start_server().await;
    load.wait_for("sign-ins accepted after Redis came back", 1, |record| {
        record.started == Phase::Recovering && !record.failed()
    })
    .await;
    load.enter(Phase::After);
    load.wait_within(Phase::After, 20).await;
    let records = load.finish().await;

    let in_db = stack.column("SELECT token_hash FROM refresh_tokens").await;
    let report = Report::new("redis_killed_sign_in", &records, &in_db);
    report.print_and_check(&records);
    assert_no_errors_within(&records, &[Phase::Before, Phase::After]);
    assert_codes(&records, &["SERVICE_UNAVAILABLE"]);
    // Fail closed: not one sign-in sent and answered while the counters were gone got through.
    let let_through: Vec<_> = records
        .iter()
        .filter(|record| record.within(Phase::Fault) && !record.failed())
        .collect();
    assert!(
        let_through.is_empty(),
        "sign-ins let through uncounted: {let_through:?}"
    );
    Arc::into_inner(stack)
        .expect("the load has let go of the stack")
        .stop()
        .await;
}
