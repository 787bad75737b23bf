//! Load and soak harness for the whole platform.
//!
//! [`run`] starts the real stack as separate OS processes (the five services and the router, from their built
//! binaries) on loopback ports against real backends — a fresh PostgreSQL database, a Redis key namespace, and a
//! Kafka broker (a private tansu one unless a running broker is named) — seeds users through the router, drives a
//! fixed mix of reads and writes through the router for a fixed time, and then checks that every write the
//! router acknowledged is in PostgreSQL. The [`report::SoakReport`] it returns prints throughput and latency per
//! operation, errors by code, and every process's memory; it passes when nothing was lost and nothing died.
//! The database, the Redis keys and the private broker are removed at the end; the run folder (configs, logs)
//! is kept when the run failed or when asked to.

pub mod backends;
pub mod cli;
pub mod client;
pub mod error;
pub mod histogram;
pub mod load;
pub mod ops;
pub mod process;
pub mod report;
pub mod seed;
pub mod stack;
pub mod stats;
pub mod verify;
mod worker;

use std::path::{Path, PathBuf};
use std::time::Duration;

use backends::{Broker, RunDatabase, delete_redis_namespace};
use client::GraphqlClient;
use error::SoakError;
use load::{LoadOptions, Watched};
use process::Liveness;
use report::{ProcessReport, SoakReport};
use stack::{Backing, Stack, StackOptions};

/// How long the private broker may take to stop.
const BROKER_STOP_GRACE: Duration = Duration::from_secs(5);

/// Where the run's Kafka comes from.
#[derive(Debug, Clone)]
pub enum KafkaSource {
    /// A broker already running at these bootstrap servers. Topic names are fixed by the services, so a fresh
    /// consumer group replays whatever those topics already hold before it reaches this run's events.
    Running(String),
    /// A private tansu broker started from this binary for the run, and stopped after it.
    Private(PathBuf),
}

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct SoakOptions {
    /// How the stack is built and configured.
    pub stack: StackOptions,
    /// How long the load runs, and its status lines.
    pub load: LoadOptions,
    /// Workers: each one seeded user with one request in flight.
    pub concurrency: usize,
    /// A PostgreSQL URL whose user may `CREATE DATABASE`; the run's database is made on the same server.
    pub postgres_url: String,
    /// Redis.
    pub redis_url: String,
    /// Kafka.
    pub kafka: KafkaSource,
    /// Keep the run folder (configs and logs) even when the run passed.
    pub keep_run_dir: bool,
}

/// Runs the whole soak: backends, stack, seeding, load, verification, clean-up. `progress` gets one line per
/// stage and the status lines. An `Err` means the run could not be carried out; a run that found lost writes or
/// a dead process is an `Ok` report that does not pass.
pub async fn run(options: &SoakOptions, progress: &(dyn Fn(&str) + Sync)) -> Result<SoakReport, SoakError> {
    let run_id = format!("{:08x}", getrandom::u32().unwrap_or_else(|_| std::process::id()));
    let namespace = format!("soak_{run_id}");
    let dir = tempfile::Builder::new()
        .prefix(&format!("platform-soak-{run_id}-"))
        .tempdir()
        .map_err(SoakError::io("create the run folder"))?;
    progress(&format!("run {run_id}: configs and logs in {}", dir.path().display()));
    progress(&format!("creating PostgreSQL database {namespace}"));
    let database = RunDatabase::create(&options.postgres_url, &namespace).await?;

    let outcome = run_in(options, &run_id, &namespace, &database, dir.path(), progress).await;

    progress(&format!("dropping database {namespace} and Redis keys {namespace}:*"));
    if let Err(error) = database.drop_database().await {
        progress(&format!("warning: {error}"));
    }
    match delete_redis_namespace(&options.redis_url, &format!("{namespace}:")).await {
        Ok(deleted) => progress(&format!("deleted {deleted} Redis keys")),
        Err(error) => progress(&format!("warning: {error}")),
    }
    let passed = outcome.as_ref().is_ok_and(SoakReport::passed);
    if options.keep_run_dir || !passed {
        let kept = dir.keep();
        progress(&format!("kept the run folder {}", kept.display()));
    }
    outcome
}

async fn run_in(
    options: &SoakOptions,
    run_id: &str,
    namespace: &str,
    database: &RunDatabase,
    dir: &Path,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<SoakReport, SoakError> {
    let mut broker = match &options.kafka {
        KafkaSource::Running(brokers) => Broker::External(brokers.clone()),
        KafkaSource::Private(tansu) => {
            let broker = Broker::start_private(tansu, dir).await?;
            progress(&format!("started a private tansu broker at {}", broker.address()));
            broker
        }
    };
    let backing = Backing {
        database_url: database.url(),
        redis_url: options.redis_url.clone(),
        kafka_brokers: broker.address().to_owned(),
        namespace: namespace.to_owned(),
    };
    progress("starting identity, authz, audit, blog, billing, then the router");
    let mut stack = Stack::start(&options.stack, &backing, dir).await?;
    progress(&format!("stack ready; router at {}", stack.router_url()));

    let client = GraphqlClient::new(stack.router_url(), options.load.request_timeout);
    progress(&format!(
        "seeding an administrator, a plan and {} users",
        options.concurrency
    ));
    let seeded = seed::seed(&stack, &client, run_id, options.concurrency).await?;

    let mut watched: Vec<Watched> = stack
        .processes()
        .iter()
        .map(|process| Watched {
            name: process.name().to_owned(),
            pid: process.pid(),
        })
        .collect();
    if let Broker::Private { process, .. } = &broker {
        watched.push(Watched {
            name: process.name().to_owned(),
            pid: process.pid(),
        });
    }
    let start_memory: Vec<_> = watched.iter().map(|process| process::memory_of(process.pid)).collect();
    progress(&format!(
        "load: {:.0}s with {} workers",
        options.load.duration.as_secs_f64(),
        options.concurrency
    ));
    let outcome = load::run(client, seeded.users, run_id, &options.load, &watched, progress).await;

    let mut processes = Vec::new();
    let mut liveness: Vec<Liveness> = stack
        .processes_mut()
        .iter_mut()
        .map(|process| process.liveness())
        .collect();
    if let Broker::Private { process, .. } = &mut broker {
        liveness.push(process.liveness());
    }
    for ((watched, start), alive) in watched.iter().zip(start_memory).zip(liveness) {
        processes.push(ProcessReport {
            name: watched.name.clone(),
            pid: watched.pid,
            start,
            end: process::memory_of(watched.pid),
            died: match alive {
                Liveness::Running => None,
                Liveness::Exited(how) => Some(how),
            },
        });
    }

    progress("verifying every acknowledged write in PostgreSQL");
    let verification = verify::verify(database, &outcome.observed.acknowledged).await;
    progress("stopping the stack");
    for (name, how) in stack.stop().await {
        if !how.contains("status 0") {
            progress(&format!("{name} {how}"));
        }
    }
    if let Broker::Private { process, .. } = broker {
        process.stop(BROKER_STOP_GRACE).await;
    }
    Ok(SoakReport {
        run_id: run_id.to_owned(),
        duration: options.load.duration,
        concurrency: options.concurrency,
        seed_took: seeded.took,
        elapsed: outcome.elapsed,
        interrupted: outcome.interrupted,
        observed: outcome.observed,
        processes,
        verification: verification?,
    })
}
