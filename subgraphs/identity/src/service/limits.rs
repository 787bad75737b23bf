//! Brute-force protection for sign-in: fixed-window counters per account and per client address.

use std::net::IpAddr;
use std::time::Duration;

use super::IdentityService;
use crate::error::IdentityError;

/// Longest part of an attempted e-mail address used in a counter key.
const MAX_KEY_CHARS: usize = 254;

impl IdentityService {
    /// Counts one sign-in attempt on `email` from `address`, refusing it once either limit is exceeded. The
    /// counters are shared by every replica through the cache; when the cache fails the attempt is let through
    /// (and logged), since the password check still stands.
    pub(super) async fn count_sign_in_attempt(
        &self,
        email: &str,
        address: Option<IpAddr>,
    ) -> Result<(), IdentityError> {
        let window = Duration::from_secs(self.limits.window_secs.max(1));
        let account: String = email.trim().to_lowercase().chars().take(MAX_KEY_CHARS).collect();
        let mut checks = vec![(format!("sign-in:account:{account}"), self.limits.per_account)];
        if let Some(address) = address {
            checks.push((format!("sign-in:address:{address}"), self.limits.per_address));
        }
        let mut limited = false;
        for (key, limit) in checks {
            match self.cache.increment(&key, window).await {
                Ok(count) if count > limit => limited = true,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "sign-in rate limit counter unavailable; not limiting"),
            }
        }
        if limited {
            return Err(IdentityError::RateLimited);
        }
        Ok(())
    }
}
