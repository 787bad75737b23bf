//! `DevConfig`: what `platform dev` runs on — where its data lives, which ports it binds, and whether the
//! services use the embedded backends or real PostgreSQL, Redis and Kafka.
//!
//! Loaded like every service's config (defaults → an optional TOML file → `PLATFORM__…` variables, e.g.
//! `PLATFORM__BACKENDS=real`, `PLATFORM__POSTGRES_URL=…`); command-line flags win over all three.

use std::path::{Path, PathBuf};

use kernel::config::ConfigError;
use kernel::telemetry::TelemetryConfig;
use secrecy::SecretString;
use serde::Deserialize;

/// The router's port when none is given and the fixed ports are used.
pub const DEFAULT_ROUTER_PORT: u16 = 4000;

/// Everything `platform dev` needs to build the stack.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevConfig {
    /// Where the SQLite files, the identity signing key and the composed supergraph are kept (`./.data`).
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// The services' fixed loopback ports (identity 4001/5001 … billing 4005/5005), or port 0 for every one.
    #[serde(default)]
    pub ports: Ports,
    /// The router's port; 4000 with fixed ports, a free one with ephemeral ports, unless given.
    #[serde(default)]
    pub router_port: Option<u16>,
    /// Embedded backends (SQLite, in-process cache and bus) or real ones.
    #[serde(default)]
    pub backends: Backends,
    /// The PostgreSQL database every service keeps its own schema in, with real backends.
    #[serde(default = "default_postgres_url")]
    pub postgres_url: SecretString,
    /// The Redis server identity and authz cache in, with real backends.
    #[serde(default = "default_redis_url")]
    pub redis_url: SecretString,
    /// Kafka bootstrap servers, with real backends.
    #[serde(default = "default_kafka_brokers")]
    pub kafka_brokers: String,
    /// Prefix of PostgreSQL schemas, cache keys and consumer groups, so several stacks can share one set of real
    /// backends (or one process's event bus) without seeing each other's state; empty by default.
    #[serde(default)]
    pub namespace: String,
    /// Logs of the whole stack; only warnings by default, so the progress lines stay readable.
    #[serde(default = "default_telemetry")]
    pub telemetry: TelemetryConfig,
}

/// Which ports the services bind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Ports {
    /// Each service's documented loopback ports, the router on 4000.
    #[default]
    Fixed,
    /// Port 0 everywhere: the OS picks free ports, so several stacks run side by side (tests).
    Ephemeral,
}

/// Which infrastructure the services run on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Backends {
    /// SQLite files in the data folder, in-process caches, the process's event bus: nothing to install.
    #[default]
    Embedded,
    /// PostgreSQL (one schema per service), Redis and Kafka, at the configured addresses.
    Real,
}

impl Default for DevConfig {
    fn default() -> Self {
        Self {
            data_dir: default_data_dir(),
            ports: Ports::default(),
            router_port: None,
            backends: Backends::default(),
            postgres_url: default_postgres_url(),
            redis_url: default_redis_url(),
            kafka_brokers: default_kafka_brokers(),
            namespace: String::new(),
            telemetry: default_telemetry(),
        }
    }
}

impl DevConfig {
    /// Loads defaults, then `file`, then the process's `PLATFORM__…` variables.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        kernel::config::load(file)
    }

    /// The router's port: the one configured, else 4000 with fixed ports and 0 with ephemeral ones.
    pub fn router_port(&self) -> u16 {
        self.router_port.unwrap_or(match self.ports {
            Ports::Fixed => DEFAULT_ROUTER_PORT,
            Ports::Ephemeral => 0,
        })
    }

    /// `name` with the namespace in front (`<namespace>_<name>`), or `name` alone without a namespace.
    pub fn namespaced(&self, name: &str) -> String {
        if self.namespace.is_empty() {
            name.to_owned()
        } else {
            format!("{}_{name}", self.namespace)
        }
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from(".data")
}

fn default_postgres_url() -> SecretString {
    SecretString::from("postgres://postgres@127.0.0.1:5432/postgres")
}

fn default_redis_url() -> SecretString {
    SecretString::from("redis://127.0.0.1:6379")
}

fn default_kafka_brokers() -> String {
    "127.0.0.1:9092".to_owned()
}

fn default_telemetry() -> TelemetryConfig {
    TelemetryConfig {
        log_level: "warn".to_owned(),
        ..TelemetryConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_are_embedded_backends_on_fixed_ports_under_dot_data() {
        let config: DevConfig = kernel::config::load_with_env(None, env(&[])).unwrap();
        assert_eq!(config.backends, Backends::Embedded);
        assert_eq!(config.ports, Ports::Fixed);
        assert_eq!(config.router_port(), 4000);
        assert_eq!(config.data_dir, PathBuf::from(".data"));
        assert_eq!(config.namespaced("audit"), "audit");
    }

    #[test]
    fn environment_selects_real_backends_and_unknown_keys_are_named() {
        let config: DevConfig = kernel::config::load_with_env(
            None,
            env(&[
                ("PLATFORM__BACKENDS", "real"),
                ("PLATFORM__KAFKA_BROKERS", "broker:9092"),
                ("PLATFORM__PORTS", "ephemeral"),
                ("PLATFORM__NAMESPACE", "t1"),
            ]),
        )
        .unwrap();
        assert_eq!(config.backends, Backends::Real);
        assert_eq!(config.kafka_brokers, "broker:9092");
        assert_eq!(config.router_port(), 0);
        assert_eq!(config.namespaced("blog"), "t1_blog");

        let error = kernel::config::load_with_env::<DevConfig>(None, env(&[("PLATFORM__POSTGRES", "x")])).unwrap_err();
        assert!(error.to_string().contains("postgres"), "{error}");
    }
}
