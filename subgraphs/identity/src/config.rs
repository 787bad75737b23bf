//! `IdentityConfig`: every setting of the identity service, loaded through the kernel's layered loader.

use std::path::{Path, PathBuf};

use kernel::auth::IssuerConfig;
use kernel::cache::CacheConfig;
use kernel::config::ConfigError;
use kernel::db::DatabaseConfig;
use kernel::events::EventsConfig;
use kernel::grpc::GrpcClientConfig;
use kernel::outbox::RelayConfig;
use kernel::server::ServerConfig;
use kernel::telemetry::TelemetryConfig;
use secrecy::SecretString;
use serde::Deserialize;

use crate::domain::Argon2Params;

/// The identity service's configuration: kernel sections plus identity's own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// Listeners and shutdown; GraphQL and the JWKS on 127.0.0.1:4001, gRPC on 127.0.0.1:5001 by default.
    #[serde(default = "default_server")]
    pub server: ServerConfig,
    /// Logs and traces.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
    /// The service's database: `data/identity.db` (SQLite), or the `identity` schema on PostgreSQL.
    #[serde(default = "default_database")]
    pub database: DatabaseConfig,
    /// The cache behind sign-in rate limits, its keys under `identity`.
    #[serde(default = "default_cache")]
    pub cache: CacheConfig,
    /// The bus the outbox relay publishes to.
    #[serde(default)]
    pub events: EventsConfig,
    /// Access and refresh tokens, and the keys that sign them.
    #[serde(default)]
    pub tokens: TokensConfig,
    /// argon2id cost parameters.
    #[serde(default)]
    pub passwords: PasswordsConfig,
    /// Brute-force limits on sign-in.
    #[serde(default)]
    pub sign_in_limits: SignInLimits,
    /// How the outbox relay polls.
    #[serde(default)]
    pub relay: RelayConfig,
    /// Where roles come from.
    #[serde(default)]
    pub authz: AuthzConfig,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            server: default_server(),
            telemetry: TelemetryConfig::default(),
            database: default_database(),
            cache: default_cache(),
            events: EventsConfig::default(),
            tokens: TokensConfig::default(),
            passwords: PasswordsConfig::default(),
            sign_in_limits: SignInLimits::default(),
            relay: RelayConfig::default(),
            authz: AuthzConfig::default(),
        }
    }
}

fn default_server() -> ServerConfig {
    ServerConfig::on_loopback(4001, 5001)
}

fn default_database() -> DatabaseConfig {
    DatabaseConfig::for_service("identity")
}

fn default_cache() -> CacheConfig {
    CacheConfig::for_service("identity")
}

impl IdentityConfig {
    /// Loads defaults, then `file`, then the process's `PLATFORM__…` variables.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        kernel::config::load(file)
    }
}

/// Token issuing: `iss`/`aud`/access lifetime, refresh lifetime, and the signing keys in rotation order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokensConfig {
    /// The `iss`, `aud` and lifetime of access tokens; identity verifies its own tokens against the same values.
    #[serde(default)]
    pub issuer: IssuerConfig,
    /// How long a refresh token is accepted, in seconds.
    #[serde(default = "default_refresh_token_ttl_secs")]
    pub refresh_token_ttl_secs: u64,
    /// The first key signs; the rest are still published (and verify) until their tokens have expired. Empty
    /// means a key is generated at start, which suits local development only.
    #[serde(default)]
    pub signing_keys: Vec<SigningKeyConfig>,
}

impl Default for TokensConfig {
    fn default() -> Self {
        Self {
            issuer: IssuerConfig::default(),
            refresh_token_ttl_secs: default_refresh_token_ttl_secs(),
            signing_keys: Vec::new(),
        }
    }
}

fn default_refresh_token_ttl_secs() -> u64 {
    30 * 24 * 3600
}

/// One Ed25519 signing key: its `kid` and its PKCS#8 PEM, from a file or inline (exactly one of the two).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningKeyConfig {
    /// The key id published in the JWKS and written into token headers.
    pub kid: String,
    /// Path of a PEM file holding the private key.
    #[serde(default)]
    pub pem_file: Option<PathBuf>,
    /// The private key's PEM text, for secrets injected through the environment.
    #[serde(default)]
    pub pem: Option<SecretString>,
}

/// argon2id parameters; the defaults follow OWASP's recommendation (19 MiB, 2 passes, 1 lane).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordsConfig {
    /// argon2 cost parameters.
    #[serde(default)]
    pub argon2: Argon2Config,
}

/// The `[passwords.argon2]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Argon2Config {
    /// Memory per hash, in KiB.
    #[serde(default = "default_memory_kib")]
    pub memory_kib: u32,
    /// Passes over the memory.
    #[serde(default = "default_iterations")]
    pub iterations: u32,
    /// Lanes.
    #[serde(default = "default_parallelism")]
    pub parallelism: u32,
}

impl Default for Argon2Config {
    fn default() -> Self {
        Self {
            memory_kib: default_memory_kib(),
            iterations: default_iterations(),
            parallelism: default_parallelism(),
        }
    }
}

impl Argon2Config {
    /// The parameters as the hasher takes them.
    pub fn params(&self) -> Argon2Params {
        Argon2Params {
            memory_kib: self.memory_kib,
            iterations: self.iterations,
            parallelism: self.parallelism,
        }
    }
}

fn default_memory_kib() -> u32 {
    19 * 1024
}

fn default_iterations() -> u32 {
    2
}

fn default_parallelism() -> u32 {
    1
}

/// Sign-in attempts allowed per window, per account and per client address.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInLimits {
    /// Attempts on one e-mail address per window.
    #[serde(default = "default_per_account")]
    pub per_account: u64,
    /// Attempts from one client address per window.
    #[serde(default = "default_per_address")]
    pub per_address: u64,
    /// The window's length, in seconds.
    #[serde(default = "default_window_secs")]
    pub window_secs: u64,
}

impl Default for SignInLimits {
    fn default() -> Self {
        Self {
            per_account: default_per_account(),
            per_address: default_per_address(),
            window_secs: default_window_secs(),
        }
    }
}

fn default_per_account() -> u64 {
    10
}

fn default_per_address() -> u64 {
    50
}

fn default_window_secs() -> u64 {
    300
}

/// Where identity asks for a user's roles: authz's gRPC address, or none (every user gets no roles).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthzConfig {
    /// authz's gRPC address (`host:port` or `http://host:port`); unset runs without authz.
    #[serde(default)]
    pub address: Option<String>,
    /// Connection and call timeouts.
    #[serde(default)]
    pub grpc: GrpcClientConfig,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_load_with_nothing_configured() {
        let config: IdentityConfig = kernel::config::load_with_env(None, env(&[])).unwrap();
        assert_eq!(config.passwords.argon2.memory_kib, 19 * 1024);
        assert_eq!(config.sign_in_limits.per_account, 10);
        assert!(config.tokens.signing_keys.is_empty());
        assert!(config.authz.address.is_none());
    }

    #[test]
    fn environment_overrides_and_unknown_keys_are_named() {
        let config: IdentityConfig = kernel::config::load_with_env(
            None,
            env(&[
                ("PLATFORM__SIGN_IN_LIMITS__PER_ACCOUNT", "3"),
                ("PLATFORM__AUTHZ__ADDRESS", "127.0.0.1:4102"),
                ("PLATFORM__TOKENS__REFRESH_TOKEN_TTL_SECS", "60"),
            ]),
        )
        .unwrap();
        assert_eq!(config.sign_in_limits.per_account, 3);
        assert_eq!(config.authz.address.as_deref(), Some("127.0.0.1:4102"));
        assert_eq!(config.tokens.refresh_token_ttl_secs, 60);

        let error =
            kernel::config::load_with_env::<IdentityConfig>(None, env(&[("PLATFORM__PASSWORDS__ARGON2__MEMORY", "1")]))
                .unwrap_err();
        assert!(error.to_string().contains("passwords.argon2.memory"), "{error}");
    }

    #[test]
    fn inline_signing_key_pem_never_prints() {
        let config = IdentityConfig {
            tokens: TokensConfig {
                signing_keys: vec![SigningKeyConfig {
                    kid: "k1".into(),
                    pem_file: None,
                    pem: Some(SecretString::from("super-secret-pem")),
                }],
                ..TokensConfig::default()
            },
            ..IdentityConfig::default()
        };
        let printed = format!("{config:?}");
        assert!(
            printed.contains("k1") && !printed.contains("super-secret-pem"),
            "{printed}"
        );
    }
}
