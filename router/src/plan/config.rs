//! Settings of the plan stage.

use serde::Deserialize;

/// How long planning one operation may take before it is abandoned.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanConfig {
    /// The deadline for normalizing and planning one operation, in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_timeout_ms() -> u64 {
    5_000
}

impl Default for PlanConfig {
    fn default() -> Self {
        Self {
            timeout_ms: default_timeout_ms(),
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
