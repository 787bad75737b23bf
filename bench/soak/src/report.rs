//! The end of a run, for people: throughput and latency per operation, errors by code, each process's memory
//! at the start and end of the load and at its peak, and the write verification ending in
//! `acknowledged=N stored=N lost=0`.

use std::fmt;
use std::time::Duration;

use crate::process::Memory;
use crate::stats::{Observed, OpStats};
use crate::verify::Verification;

/// One process of the stack, as the run saw it.
#[derive(Debug, Clone)]
pub struct ProcessReport {
    /// Its name.
    pub name: String,
    /// Its pid.
    pub pid: u32,
    /// Memory when the load started.
    pub start: Option<Memory>,
    /// Memory when the load ended (the peak is `VmHWM` then).
    pub end: Option<Memory>,
    /// How it ended, if it was no longer running when the load ended.
    pub died: Option<String>,
}

/// Everything a run found.
#[derive(Debug, Clone)]
pub struct SoakReport {
    /// The run's id (in its database name, Redis namespace and e-mail addresses).
    pub run_id: String,
    /// The load's planned length.
    pub duration: Duration,
    /// Workers, each one signed-in user with one request in flight.
    pub concurrency: usize,
    /// How long seeding took.
    pub seed_took: Duration,
    /// How long the load really ran, to its last answer.
    pub elapsed: Duration,
    /// Why the load ended early, if it did.
    pub interrupted: Option<String>,
    /// What the workers observed.
    pub observed: Observed,
    /// The stack's processes.
    pub processes: Vec<ProcessReport>,
    /// The write verification.
    pub verification: Verification,
}

impl SoakReport {
    /// Whether the run passed: no acknowledged write lost, no process died, no idempotency key broken.
    pub fn passed(&self) -> bool {
        self.failures().is_empty()
    }

    /// What made the run fail, one line each.
    pub fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        if self.verification.lost() > 0 {
            failures.push(format!(
                "{} acknowledged writes are not in PostgreSQL",
                self.verification.lost()
            ));
        }
        for process in &self.processes {
            if let Some(how) = &process.died {
                failures.push(format!("{} (pid {}) {how}", process.name, process.pid));
            }
        }
        if self.observed.idempotency_violations > 0 {
            failures.push(format!(
                "{} repeated payments answered a different payment than the first",
                self.observed.idempotency_violations
            ));
        }
        failures
    }

    fn throughput(&self, stats: &OpStats) -> f64 {
        stats.requests() as f64 / self.elapsed.as_secs_f64().max(0.001)
    }
}

fn millis(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

fn mib(memory: Option<Memory>, field: fn(Memory) -> u64) -> String {
    memory.map_or_else(
        || "-".to_owned(),
        |memory| format!("{:.1}", field(memory) as f64 / 1024.0),
    )
}

impl fmt::Display for SoakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "run {}: {} workers for {:.0}s (ran {:.1}s; seeding took {:.1}s)",
            self.run_id,
            self.concurrency,
            self.duration.as_secs_f64(),
            self.elapsed.as_secs_f64(),
            self.seed_took.as_secs_f64()
        )?;
        if let Some(why) = &self.interrupted {
            writeln!(f, "ended early: {why}")?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:<20} {:>9} {:>9} {:>8} {:>8} {:>8} {:>7}",
            "operation", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, stats: &OpStats| {
            writeln!(
                f,
                "{:<20} {:>9} {:>9.1} {:>8} {:>8} {:>8} {:>7}",
                name,
                stats.requests(),
                self.throughput(stats),
                millis(stats.latency.quantile(0.50)),
                millis(stats.latency.quantile(0.99)),
                millis(stats.latency.max()),
                stats.error_count()
            )
        };
        for (op, stats) in &self.observed.ops {
            row(f, op.name(), stats)?;
        }
        let total = self.observed.total();
        row(f, "total", &total)?;
        let codes: Vec<String> = total
            .errors
            .iter()
            .map(|(code, count)| format!("{code}={count}"))
            .collect();
        let codes = if codes.is_empty() {
            "none".to_owned()
        } else {
            codes.join(" ")
        };
        writeln!(f, "errors by code: {codes}")?;

        writeln!(f)?;
        writeln!(
            f,
            "{:<10} {:>8} {:>14} {:>12} {:>15}  state",
            "process", "pid", "RSS start MiB", "RSS end MiB", "peak (HWM) MiB"
        )?;
        for process in &self.processes {
            writeln!(
                f,
                "{:<10} {:>8} {:>14} {:>12} {:>15}  {}",
                process.name,
                process.pid,
                mib(process.start, |memory| memory.rss_kib),
                mib(process.end, |memory| memory.rss_kib),
                mib(process.end.or(process.start), |memory| memory.peak_kib),
                process.died.as_deref().unwrap_or("running")
            )?;
        }

        writeln!(f)?;
        writeln!(f, "writes acknowledged by the router, looked up in PostgreSQL:")?;
        for check in &self.verification.checks {
            let extra = check
                .unacknowledged_rows
                .map(|rows| format!(" (rows never acknowledged: {rows})"))
                .unwrap_or_default();
            writeln!(
                f,
                "  {:<15} acknowledged={} stored={} lost={}{extra}",
                check.kind,
                check.acknowledged,
                check.stored,
                check.lost()
            )?;
        }
        if self.observed.idempotency_violations > 0 {
            writeln!(f, "  idempotency violations: {}", self.observed.idempotency_violations)?;
        }
        writeln!(
            f,
            "acknowledged={} stored={} lost={}",
            self.verification.acknowledged(),
            self.verification.stored(),
            self.verification.lost()
        )?;
        match self.failures().as_slice() {
            [] => writeln!(f, "PASS"),
            failures => writeln!(f, "FAIL: {}", failures.join("; ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::Op;
    use crate::verify::WriteCheck;

    fn report(lost: usize, died: Option<&str>) -> SoakReport {
        let mut observed = Observed::default();
        for millis in 1..=100 {
            observed.record(Op::Me, Duration::from_millis(millis), None);
        }
        observed.record(Op::CreatePost, Duration::from_millis(3), Some("FORBIDDEN"));
        SoakReport {
            run_id: "ab12".to_owned(),
            duration: Duration::from_secs(10),
            concurrency: 4,
            seed_took: Duration::from_secs(2),
            elapsed: Duration::from_secs(10),
            interrupted: None,
            observed,
            processes: vec![ProcessReport {
                name: "blog".to_owned(),
                pid: 42,
                start: Some(Memory {
                    rss_kib: 10_240,
                    peak_kib: 10_240,
                }),
                end: Some(Memory {
                    rss_kib: 20_480,
                    peak_kib: 30_720,
                }),
                died: died.map(str::to_owned),
            }],
            verification: Verification {
                checks: vec![WriteCheck {
                    kind: "posts",
                    acknowledged: 7,
                    stored: 7 - lost,
                    unacknowledged_rows: Some(0),
                }],
            },
        }
    }

    #[test]
    fn a_clean_run_prints_throughput_latency_memory_and_no_losses() {
        let text = report(0, None).to_string();
        assert!(text.contains("Me"), "{text}");
        assert!(
            text.lines()
                .any(|line| line.starts_with("total") && line.contains("10.1")),
            "{text}"
        );
        assert!(text.contains("errors by code: FORBIDDEN=1"), "{text}");
        assert!(
            text.lines()
                .any(|line| line.starts_with("blog") && line.contains("30.0")),
            "{text}"
        );
        assert!(text.contains("acknowledged=7 stored=7 lost=0"), "{text}");
        assert!(text.trim_end().ends_with("PASS"), "{text}");
    }

    #[test]
    fn a_lost_write_or_a_dead_process_fails_the_run() {
        let lost = report(2, None);
        assert!(!lost.passed());
        assert!(lost.to_string().contains("acknowledged=7 stored=5 lost=2"));
        let died = report(0, Some("exited with status 101"));
        assert_eq!(died.failures(), vec!["blog (pid 42) exited with status 101".to_owned()]);
    }
}
