//! The `[rate_limit]` section: token buckets per client and for everyone, in process or shared in Redis.

use kernel::cache::CacheConfig;
use serde::Deserialize;

use crate::rate_limit::{ClientKeySource, OnStoreError};

/// How requests are rate-limited.
///
/// Off by default: a sensible limit depends on the deployment (clients behind one NAT or proxy share an
/// address, and load tests and benchmarks drive the router from one), so an operator turns it on knowing who
/// the clients are. Turned on with nothing else, each client gets generous limits (bursts of 100, 50 a second)
/// kept in process.
///
/// ```toml
/// [rate_limit]
/// enabled = true
/// per_client = { capacity = 20, refill_per_sec = 5 }
/// global = { capacity = 2000, refill_per_sec = 1000 }
/// client_key = "subject"        # then the API key header, then the address
/// on_store_error = "allow"
/// [rate_limit.cache]            # Redis shares the buckets across router replicas
/// backend = "redis"
/// url = "redis://127.0.0.1:6379"
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Whether requests are limited at all.
    #[serde(default)]
    pub enabled: bool,
    /// Each client's bucket.
    #[serde(default = "default_per_client")]
    pub per_client: BucketConfig,
    /// One bucket every request counts against, when set.
    #[serde(default)]
    pub global: Option<BucketConfig>,
    /// What tells clients apart: `subject`, `api_key` or `address`, each falling back to the next.
    #[serde(default)]
    pub client_key: ClientKeySource,
    /// The header an API key is read from.
    #[serde(default = "default_api_key_header")]
    pub api_key_header: String,
    /// Where buckets are kept: in process (`max_entries` buckets at most) or in Redis (`backend = "redis"`),
    /// keys under `key_prefix` (see [`RateLimitConfig::key_prefix`]).
    #[serde(default = "default_cache")]
    pub cache: CacheConfig,
    /// What a request gets when Redis cannot answer: `allow` (run it) or `deny` (`503`).
    #[serde(default)]
    pub on_store_error: OnStoreError,
}

/// One token bucket: bursts of `capacity` requests, refilled at `refill_per_sec`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketConfig {
    /// The largest burst.
    pub capacity: u32,
    /// Requests a second once the burst is spent (fractions allowed: `0.5` is one every two seconds).
    pub refill_per_sec: f64,
}

fn default_per_client() -> BucketConfig {
    BucketConfig {
        capacity: 100,
        refill_per_sec: 50.0,
    }
}

fn default_api_key_header() -> String {
    "x-api-key".to_owned()
}

/// The namespace of the buckets' keys in a shared Redis.
const DEFAULT_KEY_PREFIX: &str = "router:rl";

fn default_cache() -> CacheConfig {
    CacheConfig {
        key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
        ..CacheConfig::default()
    }
}

impl RateLimitConfig {
    /// The prefix of bucket keys: `cache.key_prefix`, or `router:rl` when it is empty. A `[rate_limit.cache]`
    /// table that sets only `backend` gets the cache section's own (empty) default prefix, and the buckets must
    /// not land at the root of a Redis other services share.
    pub fn key_prefix(&self) -> &str {
        if self.cache.key_prefix.is_empty() {
            DEFAULT_KEY_PREFIX
        } else {
            &self.cache.key_prefix
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            per_client: default_per_client(),
            global: None,
            client_key: ClientKeySource::default(),
            api_key_header: default_api_key_header(),
            cache: default_cache(),
            on_store_error: OnStoreError::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::cache::CacheBackend;

    use super::*;

    #[test]
    fn an_empty_section_is_off_with_generous_in_process_limits() {
        let config: RateLimitConfig = serde_json::from_str("{}").unwrap();
        assert!(!config.enabled);
        assert_eq!(config.per_client, default_per_client());
        assert_eq!(config.global, None);
        assert_eq!(config.client_key, ClientKeySource::Subject);
        assert_eq!(config.api_key_header, "x-api-key");
        assert_eq!(config.cache.backend, CacheBackend::InProcess);
        assert_eq!(config.key_prefix(), "router:rl");
        assert_eq!(config.on_store_error, OnStoreError::Allow);
    }

    #[test]
    fn every_key_is_read() {
        let config: RateLimitConfig = serde_json::from_str(
            r#"{"enabled": true, "per_client": {"capacity": 3, "refill_per_sec": 0.5},
                "global": {"capacity": 10, "refill_per_sec": 10}, "client_key": "api_key",
                "api_key_header": "x-key", "cache": {"backend": "redis"}, "on_store_error": "deny"}"#,
        )
        .unwrap();
        assert_eq!(config.per_client.refill_per_sec, 0.5);
        assert_eq!(config.global.as_ref().map(|global| global.capacity), Some(10));
        assert_eq!(config.client_key, ClientKeySource::ApiKey);
        assert_eq!(config.cache.backend, CacheBackend::Redis);
        assert_eq!(
            config.key_prefix(),
            "router:rl",
            "the prefix survives a partial cache section"
        );
        assert_eq!(config.on_store_error, OnStoreError::Deny);
    }

    #[test]
    fn unknown_keys_and_values_are_refused() {
        assert!(serde_json::from_str::<RateLimitConfig>(r#"{"per_clinet": {}}"#).is_err());
        assert!(serde_json::from_str::<RateLimitConfig>(r#"{"client_key": "cookie"}"#).is_err());
        assert!(serde_json::from_str::<RateLimitConfig>(r#"{"on_store_error": "maybe"}"#).is_err());
    }
}
