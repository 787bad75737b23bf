//! The supergraph section: where the composed schema comes from.

use std::path::PathBuf;

use serde::Deserialize;

/// Where the supergraph SDL is read from, and how often the file is checked for changes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupergraphConfig {
    /// Path of the supergraph SDL file; the `--supergraph` command-line flag takes precedence.
    #[serde(default = "default_path")]
    pub path: Option<PathBuf>,
    /// How often the file is checked for a new version; 0 reads it once at start-up.
    #[serde(default = "default_watch_interval_ms")]
    pub watch_interval_ms: u64,
}

fn default_path() -> Option<PathBuf> {
    None
}

fn default_watch_interval_ms() -> u64 {
    1_000
}

impl Default for SupergraphConfig {
    fn default() -> Self {
        Self {
            path: default_path(),
            watch_interval_ms: default_watch_interval_ms(),
        }
    }
}
