//! The load: one worker per seeded user, each a closed loop (one request in flight) that picks its next step from
//! the [`MIX`](crate::ops::MIX) until the time is up, while a monitor checks every second that each process of the
//! stack still runs, prints a status line when asked to, and stops the load early on Ctrl-C or a dead process.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::client::GraphqlClient;
use crate::process::{is_alive, memory_of};
use crate::seed::Session;
use crate::stats::{LiveCounters, Observed};
use crate::worker::{Shared, Worker};

/// How the load runs.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// How long it runs.
    pub duration: Duration,
    /// A status line this often, if at all.
    pub status_every: Option<Duration>,
    /// How long one request may take before the client gives up on it.
    pub request_timeout: Duration,
}

/// What the load did.
#[derive(Debug)]
pub struct LoadOutcome {
    /// Everything the workers observed, merged.
    pub observed: Observed,
    /// From the first request to the last answer.
    pub elapsed: Duration,
    /// Why it ended before its time, if it did.
    pub interrupted: Option<String>,
}

/// A process the monitor watches: its name and pid.
#[derive(Debug, Clone)]
pub struct Watched {
    /// The name in status lines.
    pub name: String,
    /// Its pid.
    pub pid: u32,
}

/// Runs one worker per session against `client` for `options.duration`, watching `processes`; `progress` gets
/// the status lines.
pub async fn run(
    client: GraphqlClient,
    sessions: Vec<Session>,
    run_id: &str,
    options: &LoadOptions,
    processes: &[Watched],
    progress: &(dyn Fn(&str) + Sync),
) -> LoadOutcome {
    let shared = Arc::new(Shared {
        client,
        run_id: run_id.to_owned(),
        published: parking_lot::Mutex::new(Vec::new()),
        counters: LiveCounters::default(),
        stop: AtomicBool::new(false),
    });
    let started = Instant::now();
    let deadline = started + options.duration;
    let mut workers = JoinSet::new();
    for (index, session) in sessions.into_iter().enumerate() {
        let worker = Worker::new(index, session, Arc::clone(&shared));
        workers.spawn(worker.run(deadline));
    }

    let mut interrupted = None;
    let mut observed = Observed::default();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let mut next_status = options.status_every.map(|every| (started + every, every));
    let mut last_status = (started, 0u64);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    while !workers.is_empty() {
        tokio::select! {
            joined = workers.join_next() => match joined {
                Some(Ok(worker)) => observed.merge(worker),
                Some(Err(error)) => {
                    interrupted.get_or_insert_with(|| format!("a worker failed: {error}"));
                    shared.stop.store(true, Ordering::Relaxed);
                }
                None => {}
            },
            _ = ticker.tick() => {
                if interrupted.is_none()
                    && let Some(dead) = processes.iter().find(|process| !is_alive(process.pid))
                {
                    interrupted = Some(format!("{} (pid {}) exited during the load", dead.name, dead.pid));
                    shared.stop.store(true, Ordering::Relaxed);
                }
                if let Some((at, every)) = next_status
                    && Instant::now() >= at
                {
                    let (requests, errors) = shared.counters.read();
                    progress(&status_line(started, last_status, requests, errors, processes));
                    last_status = (Instant::now(), requests);
                    next_status = Some((at + every, every));
                }
            }
            result = &mut ctrl_c, if interrupted.is_none() => {
                let why = match result {
                    Ok(()) => "interrupted (Ctrl-C)".to_owned(),
                    Err(error) => format!("the Ctrl-C handler failed: {error}"),
                };
                progress(&format!("{why}: finishing the requests in flight, then verifying"));
                interrupted = Some(why);
                shared.stop.store(true, Ordering::Relaxed);
            }
        }
    }
    LoadOutcome {
        observed,
        elapsed: started.elapsed(),
        interrupted,
    }
}

/// `[  5m00s] 123456 requests, 412.0 req/s over the last 30s, 3 errors | RSS MiB identity 41 …`
fn status_line(
    started: Instant,
    (last_at, last_requests): (Instant, u64),
    requests: u64,
    errors: u64,
    processes: &[Watched],
) -> String {
    let elapsed = started.elapsed().as_secs();
    let window = last_at.elapsed().as_secs_f64().max(0.001);
    let rate = requests.saturating_sub(last_requests) as f64 / window;
    let memory: Vec<String> = processes
        .iter()
        .map(|process| match memory_of(process.pid) {
            Some(memory) => format!("{} {:.0}", process.name, memory.rss_kib as f64 / 1024.0),
            None => format!("{} gone", process.name),
        })
        .collect();
    format!(
        "[{:>3}m{:02}s] {requests} requests, {rate:.1} req/s over the last {window:.0}s, {errors} errors | RSS MiB {}",
        elapsed / 60,
        elapsed % 60,
        memory.join(", ")
    )
}
