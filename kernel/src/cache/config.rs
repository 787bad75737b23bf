//! The cache section of a service's configuration.

use secrecy::SecretString;
use serde::Deserialize;

/// Which cache adapter a service uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheBackend {
    /// A bounded map inside the process; the embedded default, shared by nothing else.
    InProcess,
    /// A Redis server shared by every replica.
    Redis,
}

/// How a service reaches its cache.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    /// The adapter: `"in_process"` or `"redis"`.
    #[serde(default = "default_backend")]
    pub backend: CacheBackend,
    /// Redis URL (`redis://[user:password@]host:port[/db]`); may carry a password, so it never prints.
    #[serde(default = "default_url")]
    pub url: SecretString,
    /// Namespace put in front of every key (`<prefix>:<key>`), so services sharing a Redis never collide;
    /// empty means keys are used as given.
    #[serde(default = "default_key_prefix")]
    pub key_prefix: String,
    /// Most entries the in-process cache holds before evicting the least recently used.
    #[serde(default = "default_max_entries")]
    pub max_entries: usize,
    /// Longest a single Redis command (or the connection it waits for) may take before it fails.
    #[serde(default = "default_command_timeout_ms")]
    pub command_timeout_ms: u64,
}

fn default_backend() -> CacheBackend {
    CacheBackend::InProcess
}

fn default_url() -> SecretString {
    SecretString::from("redis://127.0.0.1:6379")
}

fn default_key_prefix() -> String {
    String::new()
}

fn default_max_entries() -> usize {
    10_000
}

fn default_command_timeout_ms() -> u64 {
    1_000
}

impl CacheConfig {
    /// A service's defaults: the in-process cache, keys under the service's name so a shared Redis keeps
    /// services apart once the backend is switched.
    pub fn for_service(service: &str) -> Self {
        Self {
            key_prefix: service.to_owned(),
            ..Self::default()
        }
    }
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            backend: default_backend(),
            url: default_url(),
            key_prefix: default_key_prefix(),
            max_entries: default_max_entries(),
            command_timeout_ms: default_command_timeout_ms(),
        }
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn empty_section_gives_the_defaults() {
        let config: CacheConfig = serde_json::from_str("{}").unwrap();
        let defaults = CacheConfig::default();
        assert_eq!(config.backend, defaults.backend);
        assert_eq!(config.url.expose_secret(), defaults.url.expose_secret());
        assert_eq!(config.key_prefix, defaults.key_prefix);
        assert_eq!(config.max_entries, defaults.max_entries);
        assert_eq!(config.command_timeout_ms, defaults.command_timeout_ms);
    }

    #[test]
    fn backend_names_are_snake_case() {
        let config: CacheConfig = serde_json::from_str(r#"{"backend": "redis"}"#).unwrap();
        assert_eq!(config.backend, CacheBackend::Redis);
        let config: CacheConfig = serde_json::from_str(r#"{"backend": "in_process"}"#).unwrap();
        assert_eq!(config.backend, CacheBackend::InProcess);
        assert!(serde_json::from_str::<CacheConfig>(r#"{"backend": "memcached"}"#).is_err());
    }

    #[test]
    fn unknown_field_is_rejected() {
        let error = serde_json::from_str::<CacheConfig>(r#"{"ttl": 5}"#).unwrap_err();
        assert!(error.to_string().contains("ttl"), "{error}");
    }

    #[test]
    fn debug_output_hides_the_url() {
        let config: CacheConfig = serde_json::from_str(r#"{"url": "redis://:hunter2@cache:6379"}"#).unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
