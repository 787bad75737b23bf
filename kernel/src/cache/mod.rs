//! A key-value cache over bytes: Redis in production, an in-process map when running embedded.
//!
//! Services depend on the object-safe [`Cache`] trait and get an implementation from [`connect`], chosen by
//! [`CacheConfig`]; [`CacheJsonExt`] adds typed JSON reads and writes on top. Keys are namespaced per service
//! (`key_prefix`) so services sharing one Redis never collide. A cache is an optimisation: callers treat an
//! error as a miss.

mod config;
mod error;
mod in_process;
mod json;
mod prefixed;
mod redis;

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

pub use config::{CacheBackend, CacheConfig};
pub use error::CacheError;
pub use in_process::InProcessCache;
pub use json::CacheJsonExt;
pub use prefixed::PrefixedCache;
pub use redis::RedisCache;

/// A byte cache with optional per-entry expiry, shared across tasks.
#[async_trait::async_trait]
pub trait Cache: Send + Sync {
    /// The value under `key`, or `None` when it is missing or expired.
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError>;

    /// Stores `value` under `key`, replacing any previous value and TTL; with `ttl` it expires after that long
    /// (rounded up to whole milliseconds; zero is refused with [`CacheError::InvalidTtl`]).
    async fn set(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), CacheError>;

    /// Removes `key`; `true` when a live entry was removed.
    async fn delete(&self, key: &str) -> Result<bool, CacheError>;

    /// The values under `keys`, in the same order, `None` where a key is missing or expired.
    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Bytes>>, CacheError>;

    /// Adds one to the counter under `key` and returns the new count. A counter that does not exist (or has
    /// expired) starts at 1 and expires `window` after that first increment: a fixed-window counter, the building
    /// block of rate limits shared by every replica. A value that is not a counter is refused.
    async fn increment(&self, key: &str, window: Duration) -> Result<u64, CacheError>;

    /// Checks that the backend answers, for readiness probes.
    async fn ping(&self) -> Result<(), CacheError>;
}

/// Builds the cache `config` describes, namespaced by its `key_prefix`; the Redis adapter connects eagerly so a
/// wrong URL fails at start-up.
pub async fn connect(config: &CacheConfig) -> Result<Arc<dyn Cache>, CacheError> {
    let cache: Arc<dyn Cache> = match config.backend {
        CacheBackend::InProcess => {
            let max_entries = NonZeroUsize::new(config.max_entries)
                .ok_or_else(|| CacheError::Config("max_entries must be greater than zero".to_owned()))?;
            Arc::new(InProcessCache::new(max_entries))
        }
        CacheBackend::Redis => {
            Arc::new(RedisCache::connect(&config.url, Duration::from_millis(config.command_timeout_ms)).await?)
        }
    };
    if config.key_prefix.is_empty() {
        return Ok(cache);
    }
    Ok(Arc::new(PrefixedCache::new(cache, &config.key_prefix)))
}

/// Rounds `ttl` up to whole milliseconds, the finest expiry Redis keeps, and refuses zero.
fn validate_ttl(ttl: Duration) -> Result<Duration, CacheError> {
    if ttl.is_zero() {
        return Err(CacheError::InvalidTtl);
    }
    let millis = u64::try_from(ttl.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX);
    Ok(Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_is_rounded_up_to_whole_milliseconds() {
        assert_eq!(
            validate_ttl(Duration::from_micros(1)).unwrap(),
            Duration::from_millis(1)
        );
        assert_eq!(
            validate_ttl(Duration::from_micros(1_500)).unwrap(),
            Duration::from_millis(2)
        );
        assert_eq!(validate_ttl(Duration::from_secs(3)).unwrap(), Duration::from_secs(3));
        assert!(matches!(validate_ttl(Duration::ZERO), Err(CacheError::InvalidTtl)));
    }

    #[tokio::test]
    async fn zero_capacity_is_a_config_error() {
        let config = CacheConfig {
            max_entries: 0,
            ..CacheConfig::default()
        };
        assert!(matches!(connect(&config).await, Err(CacheError::Config(_))));
    }

    #[tokio::test]
    async fn configured_prefix_namespaces_the_in_process_cache() {
        let config = CacheConfig {
            key_prefix: "blog".to_owned(),
            ..CacheConfig::default()
        };
        let cache = connect(&config).await.unwrap();
        cache.set("k", Bytes::from_static(b"v"), None).await.unwrap();
        assert_eq!(cache.get("k").await.unwrap(), Some(Bytes::from_static(b"v")));
    }
}
