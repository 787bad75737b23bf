//! The database section of a service's configuration.

use secrecy::SecretString;
use serde::Deserialize;

/// Where a service's database lives and how its connection pool behaves.
///
/// The URL picks the backend: `postgres://…` (or `postgresql://…`) for PostgreSQL, `sqlite:…` for the embedded
/// SQLite file. It is a secret because it usually carries a password.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Connection URL; may carry credentials, so it never prints.
    #[serde(default = "default_url")]
    pub url: SecretString,
    /// The service's own PostgreSQL schema, created when missing and put first on every connection's
    /// `search_path`. Ignored by SQLite, where each service has its own file instead.
    #[serde(default = "default_schema")]
    pub schema: Option<String>,
    /// Upper bound on pooled connections.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Connections the pool keeps open even when idle.
    #[serde(default = "default_min_connections")]
    pub min_connections: u32,
    /// How long start-up may take to open the first connection (and prepare the schema).
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// How long a query waits for a free pooled connection before failing.
    #[serde(default = "default_acquire_timeout_ms")]
    pub acquire_timeout_ms: u64,
    /// How long an unused connection stays open before the pool closes it; `0` keeps idle connections.
    #[serde(default = "default_idle_timeout_ms")]
    pub idle_timeout_ms: u64,
}

impl DatabaseConfig {
    /// A service's defaults: its own SQLite file `data/<service>.db`, and its own schema `<service>` when the URL
    /// is pointed at PostgreSQL.
    pub fn for_service(service: &str) -> Self {
        Self {
            url: SecretString::from(format!("sqlite://data/{service}.db?mode=rwc")),
            schema: Some(service.to_owned()),
            ..Self::default()
        }
    }
}

fn default_url() -> SecretString {
    SecretString::from("sqlite://platform.db?mode=rwc")
}

fn default_schema() -> Option<String> {
    None
}

fn default_max_connections() -> u32 {
    10
}

fn default_min_connections() -> u32 {
    0
}

fn default_connect_timeout_ms() -> u64 {
    5_000
}

fn default_acquire_timeout_ms() -> u64 {
    5_000
}

fn default_idle_timeout_ms() -> u64 {
    600_000
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: default_url(),
            schema: default_schema(),
            max_connections: default_max_connections(),
            min_connections: default_min_connections(),
            connect_timeout_ms: default_connect_timeout_ms(),
            acquire_timeout_ms: default_acquire_timeout_ms(),
            idle_timeout_ms: default_idle_timeout_ms(),
        }
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn empty_section_gives_the_defaults() {
        let config: DatabaseConfig = serde_json::from_str("{}").unwrap();
        let defaults = DatabaseConfig::default();
        assert_eq!(config.url.expose_secret(), defaults.url.expose_secret());
        assert_eq!(config.schema, defaults.schema);
        assert_eq!(config.max_connections, defaults.max_connections);
        assert_eq!(config.min_connections, defaults.min_connections);
        assert_eq!(config.connect_timeout_ms, defaults.connect_timeout_ms);
        assert_eq!(config.acquire_timeout_ms, defaults.acquire_timeout_ms);
        assert_eq!(config.idle_timeout_ms, defaults.idle_timeout_ms);
    }

    #[test]
    fn unknown_field_is_rejected() {
        let error = serde_json::from_str::<DatabaseConfig>(r#"{"pool_size": 3}"#).unwrap_err();
        assert!(error.to_string().contains("pool_size"), "{error}");
    }

    #[test]
    fn debug_output_hides_the_url() {
        let config: DatabaseConfig =
            serde_json::from_str(r#"{"url": "postgres://app:hunter2@db/app", "schema": "identity"}"#).unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("identity"), "{printed}");
    }
}
