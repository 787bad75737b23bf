//! Authz's configuration: the kernel's sections plus how long decisions are cached.
//!
//! Loaded by [`AuthzConfig::load`] through the kernel's layered loader: built-in defaults, then a TOML file, then
//! `PLATFORM__SECTION__KEY` environment variables.

use std::path::Path;
use std::time::Duration;

use kernel::auth::VerifierConfig;
use kernel::cache::CacheConfig;
use kernel::config::ConfigError;
use kernel::db::DatabaseConfig;
use kernel::events::EventsConfig;
use kernel::outbox::RelayConfig;
use kernel::server::ServerConfig;
use kernel::telemetry::TelemetryConfig;
use serde::Deserialize;

use crate::onboarding::OnboardingConfig;

/// Everything the authz service reads at start-up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthzConfig {
    /// HTTP (GraphQL, health, metrics) and gRPC listeners.
    #[serde(default = "default_server")]
    pub server: ServerConfig,
    /// Logs, traces, metrics.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
    /// Authz's own database (its PostgreSQL schema, or its SQLite file).
    #[serde(default = "default_database")]
    pub database: DatabaseConfig,
    /// Where decisions are cached: Redis shared by every replica, or in-process.
    #[serde(default = "default_cache")]
    pub cache: CacheConfig,
    /// The bus `authz.events` is published to and consumed from.
    #[serde(default)]
    pub events: EventsConfig,
    /// How callers' tokens are verified: identity's JWKS URL, issuer and audience.
    #[serde(default)]
    pub verifier: VerifierConfig,
    /// How long a decision stays cached; a change retires it at once anyway, so this only bounds memory.
    #[serde(default = "default_decision_ttl_secs")]
    pub decision_ttl_secs: u64,
    /// How the outbox relay publishes authz's events.
    #[serde(default)]
    pub relay: RelayConfig,
    /// Which roles every new user gets.
    #[serde(default)]
    pub onboarding: OnboardingConfig,
}

impl AuthzConfig {
    /// Loads the configuration from its defaults, the TOML file at `file` and `PLATFORM__…` variables.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        kernel::config::load(file)
    }

    /// [`AuthzConfig::decision_ttl_secs`] as a duration, at least one second.
    pub fn decision_ttl(&self) -> Duration {
        Duration::from_secs(self.decision_ttl_secs.max(1))
    }
}

impl Default for AuthzConfig {
    fn default() -> Self {
        Self {
            server: default_server(),
            telemetry: TelemetryConfig::default(),
            database: default_database(),
            cache: default_cache(),
            events: EventsConfig::default(),
            verifier: VerifierConfig::default(),
            decision_ttl_secs: default_decision_ttl_secs(),
            relay: RelayConfig::default(),
            onboarding: OnboardingConfig::default(),
        }
    }
}

fn default_server() -> ServerConfig {
    ServerConfig::on_loopback(4002, 5002)
}

fn default_database() -> DatabaseConfig {
    DatabaseConfig::for_service("authz")
}

fn default_cache() -> CacheConfig {
    CacheConfig::for_service("authz")
}

fn default_decision_ttl_secs() -> u64 {
    60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_and_no_variables_give_the_defaults() {
        let config: AuthzConfig = kernel::config::load_with_env(None, Vec::new()).unwrap();
        assert_eq!(config.decision_ttl_secs, 60);
        assert_eq!(config.server.grpc_addr, default_server().grpc_addr);
        assert_eq!(config.cache.key_prefix, "authz");
        assert_eq!(config.database.schema.as_deref(), Some("authz"));
    }

    #[test]
    fn environment_overrides_and_unknown_keys_are_refused() {
        let vars = [("PLATFORM__DECISION_TTL_SECS".to_owned(), "5".to_owned())];
        let config: AuthzConfig = kernel::config::load_with_env(None, vars).unwrap();
        assert_eq!(config.decision_ttl(), Duration::from_secs(5));
        let vars = [("PLATFORM__DECISION_TTL".to_owned(), "5".to_owned())];
        let error = kernel::config::load_with_env::<AuthzConfig>(None, vars).unwrap_err();
        assert!(error.to_string().contains("decision_ttl"), "{error}");
    }
}
