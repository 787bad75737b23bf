//! The consumer's counters: records stored, redeliveries skipped, messages dead-lettered.

use kernel::telemetry::Metrics;
use prometheus_client::metrics::counter::Counter;

/// Counts what the consumer did; clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct ConsumerMetrics {
    stored: Counter,
    duplicates: Counter,
    dead_lettered: Counter,
}

impl ConsumerMetrics {
    /// Counters registered in `metrics`, so `/metrics` serves them.
    pub fn register(metrics: &Metrics) -> Self {
        let this = Self::default();
        metrics.register(
            "audit_events_stored",
            "Events stored as new audit records",
            this.stored.clone(),
        );
        metrics.register(
            "audit_events_duplicate",
            "Redelivered events whose record already existed",
            this.duplicates.clone(),
        );
        metrics.register(
            "audit_events_dead_lettered",
            "Unusable messages moved to the dead-letter topic",
            this.dead_lettered.clone(),
        );
        this
    }

    /// Events stored as new records.
    pub fn stored(&self) -> u64 {
        self.stored.get()
    }

    /// Events whose record already existed (redeliveries).
    pub fn duplicates(&self) -> u64 {
        self.duplicates.get()
    }

    /// Messages moved to the dead-letter topic.
    pub fn dead_lettered(&self) -> u64 {
        self.dead_lettered.get()
    }

    pub(super) fn record_stored(&self, created: bool) {
        if created {
            self.stored.inc();
        } else {
            self.duplicates.inc();
        }
    }

    pub(super) fn record_dead_lettered(&self) {
        self.dead_lettered.inc();
    }
}
