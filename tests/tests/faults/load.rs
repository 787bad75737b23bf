//! A small load generator: a few concurrent tasks repeat one operation until stopped, and every outcome is
//! recorded with the phase of the fault it started and ended in, so a test can tell what the fault affected.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::Value;
use tokio::task::JoinHandle;

/// Longest one operation may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(15);

/// Longest a test waits for the load to reach a count it asks for.
const WAIT: Duration = Duration::from_secs(25);

/// Texts that only internals contain; none may reach a client.
const INTERNALS: [&str; 13] = [
    "sqlx",
    "SQLSTATE",
    "postgres",
    "error returned from database",
    "pool timed out",
    "Connection refused",
    "connection refused",
    "os error",
    "redis",
    "Redis",
    "panicked",
    "backtrace",
    "127.0.0.1",
];

/// Where the fault stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Every backend is up.
    Before = 0,
    /// The fault is in place.
    Fault = 1,
    /// The fault was removed; the service may still be finding its feet.
    Recovering = 2,
    /// The service has answered successfully again since the fault was removed.
    After = 3,
}

impl Phase {
    fn from_u8(value: u8) -> Self {
        match value {
            0 => Self::Before,
            1 => Self::Fault,
            2 => Self::Recovering,
            _ => Self::After,
        }
    }
}

/// What one operation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Succeeded without writing anything.
    Ok,
    /// A write the client saw succeed, with the id that finds it in the database.
    Written(String),
    /// Failed with this `extensions.code` (or a name for how it failed when there was none), and the messages the
    /// client saw.
    Failed { code: String, messages: Vec<String> },
}

impl Outcome {
    /// A failure with `code` and no message.
    pub fn failed(code: impl Into<String>) -> Self {
        Self::Failed {
            code: code.into(),
            messages: Vec::new(),
        }
    }

    /// The failure of a GraphQL answer with errors: its first error's code (`NO_CODE` when an error has none) and
    /// every error's message.
    pub fn from_errors(body: &Value) -> Self {
        let errors = body["errors"].as_array().cloned().unwrap_or_default();
        let code = errors
            .iter()
            .map(|error| error["extensions"]["code"].as_str().unwrap_or("NO_CODE"))
            .find(|code| *code == "NO_CODE")
            .or_else(|| errors.first().and_then(|error| error["extensions"]["code"].as_str()))
            .unwrap_or("NO_CODE");
        let messages = errors
            .iter()
            .map(|error| error["message"].as_str().unwrap_or_default().to_owned())
            .collect();
        Self::Failed {
            code: code.to_owned(),
            messages,
        }
    }

    fn is_ok(&self) -> bool {
        !matches!(self, Self::Failed { .. })
    }
}

/// One finished operation.
#[derive(Debug, Clone)]
pub struct Record {
    /// The phase when it was sent.
    pub started: Phase,
    /// The phase when its answer arrived.
    pub ended: Phase,
    /// What it came to.
    pub outcome: Outcome,
}

impl Record {
    /// Whether it began and ended within `phase`.
    pub fn within(&self, phase: Phase) -> bool {
        self.started == phase && self.ended == phase
    }

    /// Whether it failed.
    pub fn failed(&self) -> bool {
        !self.outcome.is_ok()
    }

    /// Its error code, when it failed.
    pub fn code(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Failed { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A running load.
pub struct Load {
    stop: Arc<AtomicBool>,
    phase: Arc<AtomicU8>,
    records: Arc<Mutex<Vec<Record>>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Load {
    /// Starts `tasks` concurrent loops, each calling `operation(task, n)` for n = 0, 1, … until stopped.
    pub fn start<F, Fut>(tasks: usize, operation: F) -> Self
    where
        F: Fn(usize, u64) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let phase = Arc::new(AtomicU8::new(Phase::Before as u8));
        let records = Arc::new(Mutex::new(Vec::new()));
        let tasks = (0..tasks)
            .map(|task| {
                let (stop, phase, records, operation) =
                    (stop.clone(), phase.clone(), records.clone(), operation.clone());
                tokio::spawn(async move {
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        let started = Phase::from_u8(phase.load(Ordering::SeqCst));
                        let outcome = tokio::time::timeout(HANG, operation(task, n))
                            .await
                            .unwrap_or_else(|_| Outcome::failed("HANG"));
                        let ended = Phase::from_u8(phase.load(Ordering::SeqCst));
                        records.lock().push(Record {
                            started,
                            ended,
                            outcome,
                        });
                        n += 1;
                    }
                })
            })
            .collect();
        Self {
            stop,
            phase,
            records,
            tasks,
        }
    }

    /// Moves the load into `phase`: operations sent from now on count as sent in it.
    pub fn enter(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::SeqCst);
    }

    /// How many finished operations match `which` so far.
    pub fn count(&self, which: impl Fn(&Record) -> bool) -> usize {
        self.records.lock().iter().filter(|record| which(record)).count()
    }

    /// Waits until `count` operations matching `which` have finished, or panics naming `what`.
    pub async fn wait_for(&self, what: &str, count: usize, which: impl Fn(&Record) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let seen = self.count(&which);
            if seen >= count {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {seen} of {count} {what} after {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until `count` operations have begun and ended within `phase`.
    pub async fn wait_within(&self, phase: Phase, count: usize) {
        self.wait_for(&format!("operations within {phase:?}"), count, |record| {
            record.within(phase)
        })
        .await;
    }

    /// Stops the loops, waits for the operations in flight, and returns every record.
    pub async fn finish(self) -> Vec<Record> {
        self.stop.store(true, Ordering::SeqCst);
        for task in self.tasks {
            task.await.expect("a load task panicked");
        }
        std::mem::take(&mut *self.records.lock())
    }
}

/// The one-line account of a fault run.
pub struct Report {
    fault: &'static str,
    requests: usize,
    ok: usize,
    errors: usize,
    error_codes: BTreeMap<String, usize>,
    writes_acknowledged: usize,
    writes_in_db: usize,
    lost: Vec<String>,
}

impl Report {
    /// Counts `records`; `in_db` holds the ids of this run's writes found in the database afterwards.
    pub fn new(fault: &'static str, records: &[Record], in_db: &HashSet<String>) -> Self {
        let mut error_codes = BTreeMap::new();
        for code in records.iter().filter_map(Record::code) {
            *error_codes.entry(code.to_owned()).or_insert(0) += 1;
        }
        let acknowledged = acknowledged(records);
        Self {
            fault,
            requests: records.len(),
            ok: records.iter().filter(|record| !record.failed()).count(),
            errors: records.iter().filter(|record| record.failed()).count(),
            error_codes,
            writes_acknowledged: acknowledged.len(),
            writes_in_db: in_db.len(),
            lost: acknowledged.into_iter().filter(|id| !in_db.contains(id)).collect(),
        }
    }

    /// Prints the report and checks what every fault run must hold: no acknowledged write lost, no hang, every
    /// error with a code, and no internals in any message.
    pub fn print_and_check(&self, records: &[Record]) {
        println!("{self}");
        assert!(self.lost.is_empty(), "acknowledged writes are missing: {:?}", self.lost);
        assert!(!self.error_codes.contains_key("HANG"), "an operation hung: {self}");
        assert!(
            !self.error_codes.contains_key("NO_CODE"),
            "an error came without a code: {self}"
        );
        for record in records {
            if let Outcome::Failed { messages, .. } = &record.outcome {
                for message in messages {
                    for internal in INTERNALS {
                        assert!(!message.contains(internal), "`{internal}` reached a client: {message}");
                    }
                }
            }
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<String> = self
            .error_codes
            .iter()
            .map(|(code, n)| format!("{code}: {n}"))
            .collect();
        write!(
            f,
            "fault={} requests={} ok={} errors={} error_codes={{{}}} writes_acknowledged={} writes_in_db={} lost={}",
            self.fault,
            self.requests,
            self.ok,
            self.errors,
            codes.join(", "),
            self.writes_acknowledged,
            self.writes_in_db,
            self.lost.len()
        )
    }
}

/// The ids of every write the client saw succeed.
pub fn acknowledged(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .filter_map(|record| match &record.outcome {
            Outcome::Written(id) => Some(id.clone()),
            _ => None,
        })
        .collect()
}

/// Asserts that no operation failed that began and ended in one of `phases`: the fault cannot explain those.
pub fn assert_no_errors_within(records: &[Record], phases: &[Phase]) {
    let failed: Vec<&Record> = records
        .iter()
        .filter(|record| phases.iter().any(|phase| record.within(*phase)) && record.failed())
        .collect();
    assert!(
        failed.is_empty(),
        "operations untouched by the fault failed: {failed:?}"
    );
}

/// Asserts that every failure carries one of `codes`.
pub fn assert_codes(records: &[Record], codes: &[&str]) {
    let unexpected: Vec<&str> = records
        .iter()
        .filter_map(Record::code)
        .filter(|code| !codes.contains(code))
        .collect();
    assert!(
        unexpected.is_empty(),
        "failures with codes other than {codes:?}: {unexpected:?}"
    );
}
