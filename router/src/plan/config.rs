//! Settings of the plan stage.

use kernel::cache::CacheConfig;
use serde::Deserialize;

/// How long planning one operation may take, and where plans are shared between router replicas.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanConfig {
    /// The deadline for normalizing and planning one operation, in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// A second tier behind each replica's own operation cache, normally Redis (`backend = "redis"`): a plan made
    /// by one replica is found there by the others and after restarts, keyed by supergraph and document. Off
    /// when absent.
    #[serde(default)]
    pub shared_cache: Option<CacheConfig>,
    /// How long a shared plan is kept, in seconds.
    #[serde(default = "default_shared_ttl_secs")]
    pub shared_cache_ttl_secs: u64,
}

fn default_shared_ttl_secs() -> u64 {
    86_400
}

fn default_timeout_ms() -> u64 {
    5_000
}

impl Default for PlanConfig {
    fn default() -> Self {
        Self {
            timeout_ms: default_timeout_ms(),
            shared_cache: None,
            shared_cache_ttl_secs: default_shared_ttl_secs(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_take_the_defaults() {
        let config: PlanConfig = serde_json::from_str("{}").expect("an empty section is valid");
        assert_eq!(config.timeout_ms, PlanConfig::default().timeout_ms);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let error = serde_json::from_str::<PlanConfig>(r#"{"timeout": 5}"#).expect_err("a misspelt key");
        assert!(error.to_string().contains("unknown field `timeout`"), "{error}");
    }
}
