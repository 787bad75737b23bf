//! Counters of the store reads that matter for performance, served on `/metrics`, so operators (and tests) can
//! see that a batch of checks reads each subject once and a page of users loads their roles in one query.

use kernel::telemetry::Metrics;
use prometheus_client::metrics::counter::Counter;

/// The store's read counters; clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct StoreMetrics {
    pub(super) grant_reads: Counter,
    pub(super) binding_batch_reads: Counter,
}

impl StoreMetrics {
    /// Counters registered in `metrics` as `authz_store_grant_reads_total` (one per subject whose grants were
    /// read) and `authz_store_binding_batch_reads_total` (one per batched bindings query).
    pub fn register(metrics: &Metrics) -> Self {
        let this = Self::default();
        metrics.register(
            "authz_store_grant_reads",
            "Reads of one subject's role bindings and the permissions they grant",
            this.grant_reads.clone(),
        );
        metrics.register(
            "authz_store_binding_batch_reads",
            "Batched reads of the role bindings of several subjects",
            this.binding_batch_reads.clone(),
        );
        this
    }

    /// Subjects whose grants were read so far.
    pub fn grant_reads(&self) -> u64 {
        self.grant_reads.get()
    }

    /// Batched bindings queries so far.
    pub fn binding_batch_reads(&self) -> u64 {
        self.binding_batch_reads.get()
    }
}
