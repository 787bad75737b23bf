//! Brute-force protection for sign-in: fixed-window counters per account and per client address.

use std::net::IpAddr;
use std::time::Duration;

use kernel::cache::Cache;

use super::IdentityService;
use crate::config::SignInLimits;
use crate::error::IdentityError;

/// Longest part of an attempted e-mail address used in a counter key.
const MAX_KEY_CHARS: usize = 254;

impl IdentityService {
    /// Counts one sign-in attempt on `email` from `address`; see [`count_attempt`].
    pub(super) async fn count_sign_in_attempt(
        &self,
        email: &str,
        address: Option<IpAddr>,
    ) -> Result<(), IdentityError> {
        count_attempt(self.cache.as_ref(), &self.limits, email, address).await
    }
}

/// Counts one sign-in attempt on `email` from `address` in `cache`, refusing it once either limit is exceeded.
///
/// The counters are shared by every replica through the cache. The limit fails closed: when a counter cannot be
/// read the attempt is refused with [`IdentityError::LimiterUnavailable`], since letting attempts through
/// uncounted would hand an attacker unlimited password guesses for as long as the cache is down.
async fn count_attempt(
    cache: &dyn Cache,
    limits: &SignInLimits,
    email: &str,
    address: Option<IpAddr>,
) -> Result<(), IdentityError> {
    let window = Duration::from_secs(limits.window_secs.max(1));
    let account: String = email.trim().to_lowercase().chars().take(MAX_KEY_CHARS).collect();
    let mut checks = vec![(format!("sign-in:account:{account}"), limits.per_account)];
    if let Some(address) = address {
        checks.push((format!("sign-in:address:{address}"), limits.per_address));
    }
    let mut limited = false;
    for (key, limit) in checks {
        // Every counter is incremented, even once one is over its limit, so each sees every attempt.
        let count = cache
            .increment(&key, window)
            .await
            .map_err(IdentityError::LimiterUnavailable)?;
        limited |= count > limit;
    }
    if limited {
        return Err(IdentityError::RateLimited);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroUsize;

    // The cache's byte type, as axum re-exports it (identity has no direct `bytes` dependency).
    use axum::body::Bytes;
    use kernel::cache::{CacheError, InProcessCache};
    use kernel::error_code::ErrorCode;

    use super::*;

    /// A cache whose backend is down: every command fails as Redis's adapter fails when the server is gone.
    struct DownCache;

    fn down(command: &'static str) -> CacheError {
        CacheError::Unavailable {
            command,
            message: "Connection refused (os error 111) at redis://10.0.0.9:6379".to_owned(),
        }
    }

    #[async_trait::async_trait]
    impl Cache for DownCache {
        async fn get(&self, _key: &str) -> Result<Option<Bytes>, CacheError> {
            Err(down("GET"))
        }

        async fn set(&self, _key: &str, _value: Bytes, _ttl: Option<Duration>) -> Result<(), CacheError> {
            Err(down("SET"))
        }

        async fn delete(&self, _key: &str) -> Result<bool, CacheError> {
            Err(down("DEL"))
        }

        async fn get_many(&self, _keys: &[&str]) -> Result<Vec<Option<Bytes>>, CacheError> {
            Err(down("MGET"))
        }

        async fn increment(&self, _key: &str, _window: Duration) -> Result<u64, CacheError> {
            Err(down("EVAL"))
        }

        async fn ping(&self) -> Result<(), CacheError> {
            Err(down("PING"))
        }
    }

    fn limits(per_account: u64, per_address: u64) -> SignInLimits {
        SignInLimits {
            per_account,
            per_address,
            window_secs: 60,
        }
    }

    fn address(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    fn cache() -> InProcessCache {
        InProcessCache::new(NonZeroUsize::new(100).unwrap())
    }

    #[tokio::test]
    async fn an_unreachable_counter_refuses_the_attempt_as_service_unavailable() {
        let error = count_attempt(&DownCache, &limits(10, 50), "ada@example.test", address("192.0.2.1"))
            .await
            .unwrap_err();
        assert!(matches!(error, IdentityError::LimiterUnavailable(_)), "{error}");
        assert_eq!(error.code(), ErrorCode::ServiceUnavailable);
        let message = error.client_message();
        for internal in ["Connection refused", "redis", "10.0.0.9", "EVAL"] {
            assert!(
                !message.contains(internal),
                "`{internal}` reaches the client: {message}"
            );
        }
    }

    #[tokio::test]
    async fn attempts_within_the_account_limit_pass_and_the_next_one_is_limited() {
        let cache = cache();
        for n in 0..3 {
            let from = address(&format!("198.51.100.{n}"));
            count_attempt(&cache, &limits(3, 100), " Ada@Example.test", from)
                .await
                .unwrap();
        }
        let error = count_attempt(&cache, &limits(3, 100), "ada@example.test", address("198.51.100.9"))
            .await
            .unwrap_err();
        assert!(matches!(error, IdentityError::RateLimited), "{error}");
    }

    #[tokio::test]
    async fn attempts_from_one_address_are_limited_across_accounts() {
        let cache = cache();
        for n in 0..2 {
            let email = format!("user{n}@example.test");
            count_attempt(&cache, &limits(100, 2), &email, address("203.0.113.7"))
                .await
                .unwrap();
        }
        let error = count_attempt(&cache, &limits(100, 2), "other@example.test", address("203.0.113.7"))
            .await
            .unwrap_err();
        assert!(matches!(error, IdentityError::RateLimited), "{error}");
        count_attempt(&cache, &limits(100, 2), "other@example.test", address("203.0.113.8"))
            .await
            .unwrap();
    }
}
