//! A short run of the whole harness: the debug binaries of the five services and the router as processes, a
//! private tansu broker, a fresh PostgreSQL database and a Redis namespace; a few seconds of load through the
//! router; every acknowledged write found in PostgreSQL; and nothing of the run left behind afterwards.

// Every test binary sees every dependency of the package.
#![allow(unused_crate_dependencies)]

use std::path::PathBuf;
use std::time::Duration;

use platform_soak::load::LoadOptions;
use platform_soak::stack::StackOptions;
use platform_soak::{KafkaSource, SoakOptions};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(backend_postgres, backend_redis, backend_tansu_bin)),
    ignore = "PLATFORM_TEST_POSTGRES_URL, PLATFORM_TEST_REDIS_URL and PLATFORM_TEST_TANSU_BIN must all be set"
)]
#[cfg_attr(
    all(backend_postgres, backend_redis, backend_tansu_bin, not(stack_binaries_built)),
    ignore = "the debug binaries of identity, authz, audit, blog, billing and router are not built: cargo build --workspace"
)]
async fn a_short_run_loses_no_acknowledged_write_keeps_every_process_alive_and_cleans_up() {
    let options = SoakOptions {
        stack: StackOptions {
            bin_dir: PathBuf::from(env!("PLATFORM_SOAK_STACK_BIN_DIR")),
            log_level: "warn".to_owned(),
            cheap_passwords: true,
            supergraph: None,
        },
        load: LoadOptions {
            duration: Duration::from_secs(5),
            status_every: None,
            request_timeout: Duration::from_secs(60),
        },
        concurrency: 4,
        postgres_url: env("PLATFORM_TEST_POSTGRES_URL"),
        redis_url: env("PLATFORM_TEST_REDIS_URL"),
        kafka: KafkaSource::Private(PathBuf::from(env("PLATFORM_TEST_TANSU_BIN"))),
        keep_run_dir: false,
    };
    let report = platform_soak::run(&options, &|line| eprintln!("{line}"))
        .await
        .expect("the run is carried out");
    eprintln!("{report}");

    assert!(report.passed(), "{:?}", report.failures());
    assert_eq!(report.processes.len(), 7, "six processes of the stack and the broker");
    assert!(
        report
            .processes
            .iter()
            .all(|process| process.end.is_some_and(|memory| memory.rss_kib > 0))
    );
    let written = &report.observed.acknowledged;
    assert!(
        !written.posts.is_empty() && report.verification.acknowledged() > 0,
        "{report}"
    );
    assert_eq!(report.verification.lost(), 0);
    // Functional errors (a refused write, a missing role) fail the run; only a machine too slow to answer in
    // time is forgiven.
    let total = report.observed.total();
    let unexpected: Vec<_> = total
        .errors
        .keys()
        .filter(|code| !matches!(code.as_str(), "CLIENT_TIMEOUT" | "SUBGRAPH_TIMEOUT"))
        .collect();
    assert!(unexpected.is_empty(), "{report}");

    let namespace = format!("soak_{}", report.run_id);
    let admin = Database::connect(env("PLATFORM_TEST_POSTGRES_URL")).await.unwrap();
    let left = admin
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT datname FROM pg_database WHERE datname = '{namespace}'"),
        ))
        .await
        .unwrap();
    assert!(left.is_none(), "the run's database was dropped");
    let keys = platform_soak::backends::delete_redis_namespace(&env("PLATFORM_TEST_REDIS_URL"), &namespace)
        .await
        .unwrap();
    assert_eq!(keys, 0, "the run's Redis keys were deleted");
}
