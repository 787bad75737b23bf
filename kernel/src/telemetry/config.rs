//! The telemetry section of a service's configuration.

use serde::Deserialize;

/// How log lines are written to standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event, for terminals.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Logs, traces and their export: what gets logged, in which format, and where spans are sent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryConfig {
    /// `tracing` filter directives (e.g. `info,kernel=debug`); `RUST_LOG` takes precedence when set.
    #[serde(default = "default_log_level")]
    pub log_level: String,
    /// `text` for people, `json` for machines.
    #[serde(default = "default_log_format")]
    pub log_format: LogFormat,
    /// OTLP/gRPC collector endpoint (e.g. `http://127.0.0.1:4317`); traces are only exported when set.
    #[serde(default = "default_otlp_endpoint")]
    pub otlp_endpoint: Option<String>,
    /// Share of new traces that are recorded, from 0.0 to 1.0; a caller's sampling decision is always kept.
    #[serde(default = "default_trace_sample_ratio")]
    pub trace_sample_ratio: f64,
    /// Upper bound on one export call, and on flushing the remaining spans at shutdown.
    #[serde(default = "default_otlp_timeout_ms")]
    pub otlp_timeout_ms: u64,
}

fn default_log_level() -> String {
    "info".to_owned()
}

fn default_log_format() -> LogFormat {
    LogFormat::Text
}

fn default_otlp_endpoint() -> Option<String> {
    None
}

fn default_trace_sample_ratio() -> f64 {
    1.0
}

fn default_otlp_timeout_ms() -> u64 {
    5_000
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            log_level: default_log_level(),
            log_format: default_log_format(),
            otlp_endpoint: default_otlp_endpoint(),
            trace_sample_ratio: default_trace_sample_ratio(),
            otlp_timeout_ms: default_otlp_timeout_ms(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_section_gives_the_defaults() {
        let config: TelemetryConfig = serde_json::from_str("{}").unwrap();
        let defaults = TelemetryConfig::default();
        assert_eq!(config.log_level, defaults.log_level);
        assert_eq!(config.log_format, LogFormat::Text);
        assert_eq!(config.otlp_endpoint, None);
        assert_eq!(config.trace_sample_ratio, defaults.trace_sample_ratio);
        assert_eq!(config.otlp_timeout_ms, defaults.otlp_timeout_ms);
    }

    #[test]
    fn json_format_and_endpoint_are_read() {
        let config: TelemetryConfig =
            serde_json::from_str(r#"{"log_format": "json", "otlp_endpoint": "http://collector:4317"}"#).unwrap();
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.otlp_endpoint.as_deref(), Some("http://collector:4317"));
    }

    #[test]
    fn unknown_field_is_rejected() {
        let error = serde_json::from_str::<TelemetryConfig>(r#"{"log_colour": "red"}"#).unwrap_err();
        assert!(error.to_string().contains("log_colour"), "{error}");
    }

    #[test]
    fn unknown_log_format_is_rejected() {
        assert!(serde_json::from_str::<TelemetryConfig>(r#"{"log_format": "xml"}"#).is_err());
    }
}
