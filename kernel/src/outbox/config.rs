//! The `[outbox]` section of a service's configuration: how its relay polls, batches and backs off.

use std::time::Duration;

use serde::Deserialize;

/// How an [`OutboxRelay`](super::OutboxRelay) polls the outbox table and waits out a failing bus.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayConfig {
    /// How long the relay sleeps when it found nothing to publish; the longest an event waits when all is well.
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Most rows published per database transaction.
    #[serde(default = "default_batch_size")]
    pub batch_size: u32,
    /// The first wait after the bus refused a message; it doubles with every further failure.
    #[serde(default = "default_min_backoff_ms")]
    pub min_backoff_ms: u64,
    /// The longest wait between attempts while the bus keeps failing.
    #[serde(default = "default_max_backoff_ms")]
    pub max_backoff_ms: u64,
    /// How long published rows are kept (for inspection and replay by hand) before the relay deletes them.
    #[serde(default = "default_retention_secs")]
    pub retention_secs: u64,
}

impl RelayConfig {
    pub(crate) fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }

    /// The batch size as a row limit; a configured 0 still publishes one row at a time rather than none.
    pub(crate) fn batch_limit(&self) -> u64 {
        u64::from(self.batch_size.max(1))
    }

    pub(crate) fn min_backoff(&self) -> Duration {
        Duration::from_millis(self.min_backoff_ms.max(1))
    }

    /// Never below the minimum, so a misconfigured pair still backs off.
    pub(crate) fn max_backoff(&self) -> Duration {
        Duration::from_millis(self.max_backoff_ms).max(self.min_backoff())
    }

    pub(crate) fn retention(&self) -> Duration {
        Duration::from_secs(self.retention_secs)
    }
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            poll_interval_ms: default_poll_interval_ms(),
            batch_size: default_batch_size(),
            min_backoff_ms: default_min_backoff_ms(),
            max_backoff_ms: default_max_backoff_ms(),
            retention_secs: default_retention_secs(),
        }
    }
}

fn default_poll_interval_ms() -> u64 {
    200
}

fn default_batch_size() -> u32 {
    100
}

fn default_min_backoff_ms() -> u64 {
    100
}

fn default_max_backoff_ms() -> u64 {
    30_000
}

fn default_retention_secs() -> u64 {
    // A week: long enough to look into last week's incident, short enough to keep the table small.
    7 * 24 * 60 * 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_section_gives_the_defaults() {
        let parsed: RelayConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(parsed, RelayConfig::default());
        assert_eq!(parsed.batch_size, 100);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let error = serde_json::from_str::<RelayConfig>(r#"{"poll_interval":5}"#).unwrap_err();
        assert!(error.to_string().contains("poll_interval"), "{error}");
    }

    #[test]
    fn degenerate_values_still_make_progress_and_back_off() {
        let config = RelayConfig {
            batch_size: 0,
            min_backoff_ms: 0,
            max_backoff_ms: 0,
            ..RelayConfig::default()
        };
        assert_eq!(config.batch_limit(), 1);
        assert_eq!(config.min_backoff(), Duration::from_millis(1));
        assert_eq!(config.max_backoff(), Duration::from_millis(1));
    }
}
