//! Billing's configuration: the kernel's sections, the outbox relay, where authz and audit are, and the renewal.
//!
//! Loaded by [`BillingConfig::load`] through the kernel's layered loader: built-in defaults, then a TOML file, then
//! `PLATFORM__SECTION__KEY` environment variables.

use std::path::Path;
use std::time::Duration;

pub use kernel::access::{AuditSection, AuthzSection};
use kernel::auth::VerifierConfig;
use kernel::config::ConfigError;
use kernel::db::DatabaseConfig;
use kernel::events::EventsConfig;
use kernel::outbox::RelayConfig;
use kernel::server::ServerConfig;
use kernel::telemetry::TelemetryConfig;
use serde::Deserialize;

use crate::service::Terms;

/// Everything the billing service reads at start-up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingConfig {
    /// HTTP (GraphQL, health, metrics) and gRPC listeners.
    #[serde(default = "default_server")]
    pub server: ServerConfig,
    /// Logs, traces, metrics.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
    /// Billing's own database (its PostgreSQL schema, or its SQLite file).
    #[serde(default = "default_database")]
    pub database: DatabaseConfig,
    /// The bus `billing.events` is published to.
    #[serde(default)]
    pub events: EventsConfig,
    /// How the outbox relay publishes billing's events.
    #[serde(default)]
    pub relay: RelayConfig,
    /// How callers' tokens are verified: identity's JWKS URL, issuer and audience.
    #[serde(default)]
    pub verifier: VerifierConfig,
    /// Where authz answers access checks.
    #[serde(default)]
    pub authz: AuthzSection,
    /// Where audit records denials.
    #[serde(default)]
    pub audit: AuditSection,
    /// How often ended periods are closed, and when invoices fall due.
    #[serde(default)]
    pub renewal: RenewalConfig,
}

impl BillingConfig {
    /// Loads the configuration from its defaults, the TOML file at `file` and `PLATFORM__…` variables.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        kernel::config::load(file)
    }
}

impl Default for BillingConfig {
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
            renewal: RenewalConfig::default(),
        }
    }
}

/// The `[renewal]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewalConfig {
    /// How often the renewal pass runs; ended periods wait at most this long to be closed.
    #[serde(default = "default_interval_secs")]
    pub interval_secs: u64,
    /// How many days after its period starts an invoice is due.
    #[serde(default = "default_due_days")]
    pub due_days: u32,
}

impl RenewalConfig {
    /// [`RenewalConfig::interval_secs`] as a duration, at least a second.
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.interval_secs.max(1))
    }

    /// The billing terms these settings describe.
    pub fn terms(&self) -> Terms {
        Terms {
            payment_due_after: Duration::from_secs(u64::from(self.due_days) * 24 * 60 * 60),
        }
    }
}

impl Default for RenewalConfig {
    fn default() -> Self {
        Self {
            interval_secs: default_interval_secs(),
            due_days: default_due_days(),
        }
    }
}

fn default_server() -> ServerConfig {
    ServerConfig::on_loopback(4005, 5005)
}

fn default_database() -> DatabaseConfig {
    DatabaseConfig::for_service("billing")
}

fn default_interval_secs() -> u64 {
    60
}

fn default_due_days() -> u32 {
    7
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_and_no_variables_give_the_defaults() {
        let config: BillingConfig = kernel::config::load_with_env(None, Vec::new()).unwrap();
        assert_eq!(config.server.http_addr.port(), 4005);
        assert_eq!(config.server.grpc_addr.map(|addr| addr.port()), Some(5005));
        assert_eq!(config.authz.address, "http://127.0.0.1:5002");
        assert_eq!(config.audit.address, "http://127.0.0.1:5003");
        assert_eq!(config.database.schema.as_deref(), Some("billing"));
        assert_eq!(config.renewal, RenewalConfig::default());
        assert_eq!(
            config.renewal.terms().payment_due_after,
            Duration::from_secs(7 * 86_400)
        );
    }

    #[test]
    fn environment_overrides_and_unknown_keys_are_refused() {
        let vars = [("PLATFORM__RENEWAL__INTERVAL_SECS".to_owned(), "5".to_owned())];
        let config: BillingConfig = kernel::config::load_with_env(None, vars).unwrap();
        assert_eq!(config.renewal.interval(), Duration::from_secs(5));
        let vars = [("PLATFORM__RENEWAL__EVERY".to_owned(), "5".to_owned())];
        let error = kernel::config::load_with_env::<BillingConfig>(None, vars).unwrap_err();
        assert!(error.to_string().contains("every"), "{error}");
    }
}
