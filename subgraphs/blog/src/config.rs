//! Blog's configuration: the kernel's sections, the outbox relay, and where authz and audit are.
//!
//! Loaded by [`BlogConfig::load`] through the kernel's layered loader: built-in defaults, then a TOML file, then
//! `PLATFORM__SECTION__KEY` environment variables.

use std::path::Path;

pub use kernel::access::{AuditSection, AuthzSection};
use kernel::auth::VerifierConfig;
use kernel::config::ConfigError;
use kernel::db::DatabaseConfig;
use kernel::events::EventsConfig;
use kernel::outbox::RelayConfig;
use kernel::server::ServerConfig;
use kernel::telemetry::TelemetryConfig;
use serde::Deserialize;

/// Everything the blog service reads at start-up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlogConfig {
    /// HTTP (GraphQL, health, metrics) and gRPC listeners.
    #[serde(default = "default_server")]
    pub server: ServerConfig,
    /// Logs, traces, metrics.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
    /// Blog's own database (its PostgreSQL schema, or its SQLite file).
    #[serde(default = "default_database")]
    pub database: DatabaseConfig,
    /// The bus the outbox is relayed to.
    #[serde(default)]
    pub events: EventsConfig,
    /// How the outbox relay polls and backs off.
    #[serde(default)]
    pub relay: RelayConfig,
    /// How callers' tokens are verified: identity's JWKS URL, issuer and audience.
    #[serde(default)]
    pub verifier: VerifierConfig,
    /// Where authz answers the access checks of writes.
    #[serde(default)]
    pub authz: AuthzSection,
    /// Where audit records denials (the outbox is the fallback when it cannot be reached).
    #[serde(default)]
    pub audit: AuditSection,
}

impl BlogConfig {
    /// Loads the configuration from its defaults, the TOML file at `file` and `PLATFORM__…` variables.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        kernel::config::load(file)
    }
}

impl Default for BlogConfig {
    fn default() -> Self {
        Self {
            server: default_server(),
            telemetry: TelemetryConfig::default(),
            database: default_database(),
            events: EventsConfig::default(),
            relay: RelayConfig::default(),
            verifier: VerifierConfig::default(),
            authz: AuthzSection::default(),
            audit: AuditSection::default(),
        }
    }
}

fn default_server() -> ServerConfig {
    ServerConfig::on_loopback(4004, 5004)
}

fn default_database() -> DatabaseConfig {
    DatabaseConfig::for_service("blog")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_and_no_variables_give_the_defaults() {
        let config: BlogConfig = kernel::config::load_with_env(None, Vec::new()).unwrap();
        assert_eq!(config.server.http_addr.port(), 4004);
        assert_eq!(config.server.grpc_addr.map(|addr| addr.port()), Some(5004));
        assert_eq!(config.authz.address, "http://127.0.0.1:5002");
        assert_eq!(config.audit.address, "http://127.0.0.1:5003");
        assert_eq!(config.database.schema.as_deref(), Some("blog"));
        assert_eq!(config.relay, RelayConfig::default());
    }

    #[test]
    fn environment_overrides_and_unknown_keys_are_refused() {
        let vars = [("PLATFORM__AUTHZ__ADDRESS".to_owned(), "http://authz:5002".to_owned())];
        let config: BlogConfig = kernel::config::load_with_env(None, vars).unwrap();
        assert_eq!(config.authz.address, "http://authz:5002");
        assert_eq!(config.audit.address, "http://127.0.0.1:5003");
        let vars = [("PLATFORM__AUDIT__ADRESS".to_owned(), "x".to_owned())];
        let error = kernel::config::load_with_env::<BlogConfig>(None, vars).unwrap_err();
        assert!(error.to_string().contains("adress"), "{error}");
    }
}
