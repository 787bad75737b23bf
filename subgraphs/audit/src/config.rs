//! Audit's configuration: the kernel's sections, which topics it consumes and how, and where authz is.
//!
//! Loaded by [`AuditConfig::load`] through the kernel's layered loader: built-in defaults, then a TOML file, then
//! `PLATFORM__SECTION__KEY` environment variables.

use std::path::Path;
use std::time::Duration;

use kernel::auth::VerifierConfig;
use kernel::config::ConfigError;
use kernel::db::DatabaseConfig;
use kernel::events::EventsConfig;
use kernel::grpc::GrpcClientConfig;
use kernel::server::ServerConfig;
use kernel::telemetry::TelemetryConfig;
use serde::Deserialize;

/// Everything the audit service reads at start-up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// HTTP (GraphQL, health, metrics) and gRPC listeners.
    #[serde(default = "default_server")]
    pub server: ServerConfig,
    /// Logs, traces, metrics.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
    /// Audit's own database (its PostgreSQL schema, or its SQLite file).
    #[serde(default = "default_database")]
    pub database: DatabaseConfig,
    /// The bus the platform's events are consumed from.
    #[serde(default)]
    pub events: EventsConfig,
    /// How callers' tokens are verified: identity's JWKS URL, issuer and audience.
    #[serde(default)]
    pub verifier: VerifierConfig,
    /// Which topics are consumed, and how.
    #[serde(default)]
    pub consumer: ConsumerConfig,
    /// Where authz answers the access checks of log reads.
    #[serde(default)]
    pub authz: AuthzClientConfig,
}

impl AuditConfig {
    /// Loads the configuration from its defaults, the TOML file at `file` and `PLATFORM__…` variables.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        kernel::config::load(file)
    }
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            server: default_server(),
            telemetry: TelemetryConfig::default(),
            database: default_database(),
            events: EventsConfig::default(),
            verifier: VerifierConfig::default(),
            consumer: ConsumerConfig::default(),
            authz: AuthzClientConfig::default(),
        }
    }
}

/// The `[consumer]` section: the topics audit records, as one consumer group, and how it commits.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerConfig {
    /// The consumer group every audit replica joins, so each event is recorded by one of them.
    #[serde(default = "default_group")]
    pub group: String,
    /// The topics recorded: every service's events topic by default.
    #[serde(default = "default_topics")]
    pub topics: Vec<String>,
    /// Where messages that are not usable events go, with their origin in headers.
    #[serde(default = "default_dead_letter_topic")]
    pub dead_letter_topic: String,
    /// Offsets are committed after at most this many stored records …
    #[serde(default = "default_commit_every")]
    pub commit_every: u32,
    /// … or once no further message arrived for this long.
    #[serde(default = "default_commit_idle_ms")]
    pub commit_idle_ms: u64,
    /// How long to wait before subscribing again after the store or the bus failed.
    #[serde(default = "default_retry_backoff_ms")]
    pub retry_backoff_ms: u64,
    /// How often an idle consumer checks that the bus answers; after an outage it subscribes afresh.
    #[serde(default = "default_health_check_interval_ms")]
    pub health_check_interval_ms: u64,
    /// An idle subscription is renewed after this long without a message (it resumes from the committed
    /// offsets), so a fetch a broker restart left hanging cannot stall the log.
    #[serde(default = "default_renew_after_idle_ms")]
    pub renew_after_idle_ms: u64,
}

impl ConsumerConfig {
    /// [`ConsumerConfig::renew_after_idle_ms`] as a duration, at least a millisecond.
    pub fn renew_after_idle(&self) -> Duration {
        Duration::from_millis(self.renew_after_idle_ms.max(1))
    }

    /// [`ConsumerConfig::commit_idle_ms`] as a duration, at least a millisecond.
    pub fn commit_idle(&self) -> Duration {
        Duration::from_millis(self.commit_idle_ms.max(1))
    }

    /// [`ConsumerConfig::retry_backoff_ms`] as a duration, at least a millisecond.
    pub fn retry_backoff(&self) -> Duration {
        Duration::from_millis(self.retry_backoff_ms.max(1))
    }

    /// [`ConsumerConfig::health_check_interval_ms`] as a duration, at least a millisecond.
    pub fn health_check_interval(&self) -> Duration {
        Duration::from_millis(self.health_check_interval_ms.max(1))
    }

    /// [`ConsumerConfig::commit_every`], at least one.
    pub fn commit_batch(&self) -> usize {
        usize::try_from(self.commit_every.max(1)).unwrap_or(usize::MAX)
    }
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        Self {
            group: default_group(),
            topics: default_topics(),
            dead_letter_topic: default_dead_letter_topic(),
            commit_every: default_commit_every(),
            commit_idle_ms: default_commit_idle_ms(),
            retry_backoff_ms: default_retry_backoff_ms(),
            health_check_interval_ms: default_health_check_interval_ms(),
            renew_after_idle_ms: default_renew_after_idle_ms(),
        }
    }
}

/// The `[authz]` section: how audit reaches authz's gRPC Check API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthzClientConfig {
    /// Authz's gRPC address, `host:port` or a URI.
    #[serde(default = "default_authz_address")]
    pub address: String,
    /// Connect and call timeouts.
    #[serde(default)]
    pub grpc: GrpcClientConfig,
}

impl Default for AuthzClientConfig {
    fn default() -> Self {
        Self {
            address: default_authz_address(),
            grpc: GrpcClientConfig::default(),
        }
    }
}

fn default_server() -> ServerConfig {
    ServerConfig::on_loopback(4003, 5003)
}

fn default_database() -> DatabaseConfig {
    DatabaseConfig::for_service("audit")
}

fn default_group() -> String {
    "audit".to_owned()
}

fn default_topics() -> Vec<String> {
    ["identity.events", "authz.events", "blog.events", "billing.events"]
        .map(str::to_owned)
        .to_vec()
}

fn default_dead_letter_topic() -> String {
    "audit.dead-letter".to_owned()
}

fn default_commit_every() -> u32 {
    100
}

fn default_commit_idle_ms() -> u64 {
    100
}

fn default_retry_backoff_ms() -> u64 {
    500
}

fn default_health_check_interval_ms() -> u64 {
    1_000
}

fn default_renew_after_idle_ms() -> u64 {
    30_000
}

fn default_authz_address() -> String {
    "127.0.0.1:5002".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_and_no_variables_give_the_defaults() {
        let config: AuditConfig = kernel::config::load_with_env(None, Vec::new()).unwrap();
        assert_eq!(config.consumer, ConsumerConfig::default());
        assert_eq!(
            config.consumer.topics,
            ["identity.events", "authz.events", "blog.events", "billing.events"]
        );
        assert_eq!(config.consumer.dead_letter_topic, "audit.dead-letter");
        assert_eq!(config.authz.address, "127.0.0.1:5002");
        assert_eq!(config.database.schema.as_deref(), Some("audit"));
    }

    #[test]
    fn environment_overrides_and_unknown_keys_are_refused() {
        let vars = [("PLATFORM__CONSUMER__GROUP".to_owned(), "audit-b".to_owned())];
        let config: AuditConfig = kernel::config::load_with_env(None, vars).unwrap();
        assert_eq!(config.consumer.group, "audit-b");
        let vars = [("PLATFORM__CONSUMER__TOPIC".to_owned(), "x".to_owned())];
        let error = kernel::config::load_with_env::<AuditConfig>(None, vars).unwrap_err();
        assert!(error.to_string().contains("topic"), "{error}");
    }
}
