//! What the load observed: per operation a latency histogram and its errors by code, and every write the router
//! acknowledged, by the id it answered with. Each worker fills its own [`Observed`]; they are merged at the end.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::histogram::Histogram;
use crate::ops::Op;

/// One operation's figures.
#[derive(Debug, Clone, Default)]
pub struct OpStats {
    /// Latency of every answered request, successful or not (a client timeout counts its full wait).
    pub latency: Histogram,
    /// Requests that failed, by error code.
    pub errors: BTreeMap<String, u64>,
}

impl OpStats {
    /// Requests sent.
    pub fn requests(&self) -> u64 {
        self.latency.count()
    }

    /// Requests that failed.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    fn merge(&mut self, other: &OpStats) {
        self.latency.merge(&other.latency);
        for (code, count) in &other.errors {
            *self.errors.entry(code.clone()).or_default() += count;
        }
    }
}

/// The writes the router acknowledged, by the ids in its answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Acknowledged {
    /// Posts created.
    pub posts: BTreeSet<String>,
    /// Posts published.
    pub published: BTreeSet<String>,
    /// Comments written.
    pub comments: BTreeSet<String>,
    /// Subscriptions made.
    pub subscriptions: BTreeSet<String>,
    /// Subscriptions cancelled.
    pub cancelled: BTreeSet<String>,
    /// Payments recorded (a repeated payment answers the same id, so it is one).
    pub payments: BTreeSet<String>,
    /// Invoices those payments paid.
    pub paid_invoices: BTreeSet<String>,
}

impl Acknowledged {
    fn merge(&mut self, other: Acknowledged) {
        self.posts.extend(other.posts);
        self.published.extend(other.published);
        self.comments.extend(other.comments);
        self.subscriptions.extend(other.subscriptions);
        self.cancelled.extend(other.cancelled);
        self.payments.extend(other.payments);
        self.paid_invoices.extend(other.paid_invoices);
    }
}

/// Everything one worker (or, merged, the whole load) observed.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Per operation.
    pub ops: BTreeMap<Op, OpStats>,
    /// Acknowledged writes.
    pub acknowledged: Acknowledged,
    /// Repeated payments that answered a different payment than the first: the idempotency key did not hold.
    pub idempotency_violations: u64,
}

impl Observed {
    /// Records one request of `op` that took `latency` and failed with `error`, if it did.
    pub fn record(&mut self, op: Op, latency: Duration, error: Option<&str>) {
        let stats = self.ops.entry(op).or_default();
        stats.latency.record(latency);
        if let Some(code) = error {
            *stats.errors.entry(code.to_owned()).or_default() += 1;
        }
    }

    /// Records that a successful answer of `op` was not what it must be, under `code`.
    pub fn record_error(&mut self, op: Op, code: &str) {
        *self
            .ops
            .entry(op)
            .or_default()
            .errors
            .entry(code.to_owned())
            .or_default() += 1;
    }

    /// Adds `other` to this.
    pub fn merge(&mut self, other: Observed) {
        for (op, stats) in &other.ops {
            self.ops.entry(*op).or_default().merge(stats);
        }
        self.acknowledged.merge(other.acknowledged);
        self.idempotency_violations += other.idempotency_violations;
    }

    /// All operations together.
    pub fn total(&self) -> OpStats {
        let mut total = OpStats::default();
        for stats in self.ops.values() {
            total.merge(stats);
        }
        total
    }
}

/// Counters every worker bumps as it goes, for the status line of a long run.
#[derive(Debug, Default)]
pub struct LiveCounters {
    requests: AtomicU64,
    errors: AtomicU64,
}

impl LiveCounters {
    /// Counts one request, and whether it failed.
    pub fn count(&self, failed: bool) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts one more error on a request already counted.
    pub fn count_error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests and errors so far.
    pub fn read(&self) -> (u64, u64) {
        (
            self.requests.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_observations_add_requests_errors_and_acknowledged_ids() {
        let mut first = Observed::default();
        first.record(Op::CreatePost, Duration::from_millis(5), None);
        first.record(Op::CreatePost, Duration::from_millis(7), Some("FORBIDDEN"));
        first.acknowledged.posts.insert("p1".to_owned());
        first.acknowledged.payments.insert("pay1".to_owned());
        let mut second = Observed::default();
        second.record(Op::CreatePost, Duration::from_millis(9), Some("FORBIDDEN"));
        second.record(Op::Me, Duration::from_millis(1), None);
        second.acknowledged.posts.insert("p2".to_owned());
        second.acknowledged.payments.insert("pay1".to_owned());
        second.idempotency_violations = 1;

        first.merge(second);
        let posts = &first.ops[&Op::CreatePost];
        assert_eq!((posts.requests(), posts.error_count()), (3, 2));
        assert_eq!(posts.errors["FORBIDDEN"], 2);
        assert_eq!(first.total().requests(), 4);
        assert_eq!(first.acknowledged.posts.len(), 2);
        assert_eq!(first.acknowledged.payments.len(), 1, "one payment, acknowledged twice");
        assert_eq!(first.idempotency_violations, 1);
    }
}
