//! [`RateLimiter`]: the buckets a request counts against, the store that keeps them, and what happens when the
//! store cannot answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use http::HeaderName;
use kernel::cache::CacheBackend;
use serde::Deserialize;

use super::handler::{limited_response, store_unavailable_response};
use super::{
    BucketLimit, BucketStore, ClientKeys, Decision, InProcessBuckets, RateLimitError, RedisBuckets, StoreError,
};
use crate::config::RateLimitConfig;
use crate::http::{GraphQLResponse, RequestContext};

/// The bucket key every client shares.
const GLOBAL_KEY: &str = "global";

/// What a request gets when the bucket store cannot answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnStoreError {
    /// Let the request through: an outage of the limiter's store does not become an outage of the API.
    #[default]
    Allow,
    /// Refuse it with `503` and `Retry-After`: nothing runs that was not counted.
    Deny,
}

/// Admits or refuses requests by their client's bucket and the global one.
pub struct RateLimiter {
    store: Arc<dyn BucketStore>,
    keys: ClientKeys,
    per_client: BucketLimit,
    global: Option<BucketLimit>,
    on_store_error: OnStoreError,
    /// Set while the store is failing, so the outage is logged once when it starts and once when it ends.
    store_failing: AtomicBool,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("keys", &self.keys)
            .field("per_client", &self.per_client)
            .field("global", &self.global)
            .field("on_store_error", &self.on_store_error)
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// A limiter giving each client (as `keys` tells them apart) a `per_client` bucket in `store`, letting
    /// requests through when the store fails.
    pub fn new(store: Arc<dyn BucketStore>, keys: ClientKeys, per_client: BucketLimit) -> Self {
        Self {
            store,
            keys,
            per_client,
            global: None,
            on_store_error: OnStoreError::default(),
            store_failing: AtomicBool::new(false),
        }
    }

    /// The same limiter with one more bucket that every request counts against.
    pub fn with_global(mut self, global: BucketLimit) -> Self {
        self.global = Some(global);
        self
    }

    /// The same limiter answering `policy` when the store fails.
    pub fn on_store_error(mut self, policy: OnStoreError) -> Self {
        self.on_store_error = policy;
        self
    }

    /// The limiter the `[rate_limit]` section describes, or `None` when it is disabled. Nothing is contacted:
    /// a Redis store connects on first use.
    pub fn from_config(config: &RateLimitConfig) -> Result<Option<Self>, RateLimitError> {
        if !config.enabled {
            return Ok(None);
        }
        let per_client = BucketLimit::new(
            "rate_limit.per_client",
            config.per_client.capacity,
            config.per_client.refill_per_sec,
        )?;
        let global = config
            .global
            .as_ref()
            .map(|global| BucketLimit::new("rate_limit.global", global.capacity, global.refill_per_sec))
            .transpose()?;
        let header = HeaderName::from_bytes(config.api_key_header.as_bytes())
            .map_err(|_| RateLimitError::Header(config.api_key_header.clone()))?;
        let store: Arc<dyn BucketStore> = match config.cache.backend {
            CacheBackend::InProcess => Arc::new(InProcessBuckets::new(config.cache.max_entries)),
            CacheBackend::Redis => Arc::new(RedisBuckets::new(
                &config.cache.url,
                config.key_prefix(),
                Duration::from_millis(config.cache.command_timeout_ms),
            )?),
        };
        let mut limiter = Self::new(store, ClientKeys::new(config.client_key, header), per_client)
            .on_store_error(config.on_store_error);
        if let Some(global) = global {
            limiter = limiter.with_global(global);
        }
        Ok(Some(limiter))
    }

    /// The decision for the request `context` describes, taking its tokens when it is allowed; the store's
    /// error when it could not decide.
    pub async fn check(&self, context: &RequestContext) -> Result<Decision, StoreError> {
        let client = format!("client:{}", self.keys.key(context));
        let mut requested = vec![(client.as_str(), self.per_client)];
        if let Some(global) = self.global {
            requested.push((GLOBAL_KEY, global));
        }
        self.store.take(&requested).await
    }

    /// `Ok` when the request may run; otherwise the response that refuses it (`429` over a limit, `503` when
    /// the store failed and the policy is to deny).
    pub async fn admit(&self, context: &RequestContext) -> Result<(), GraphQLResponse> {
        match self.check(context).await {
            Ok(decision) => {
                if self.store_failing.swap(false, Ordering::Relaxed) {
                    tracing::info!("the rate limit store answers again");
                }
                match decision {
                    Decision::Allowed => Ok(()),
                    Decision::Limited { retry_after } => Err(limited_response(retry_after)),
                }
            }
            Err(error) => {
                if !self.store_failing.swap(true, Ordering::Relaxed) {
                    tracing::warn!(%error, policy = ?self.on_store_error, "the rate limit store cannot answer");
                } else {
                    tracing::debug!(%error, "the rate limit store still cannot answer");
                }
                match self.on_store_error {
                    OnStoreError::Allow => Ok(()),
                    OnStoreError::Deny => Err(store_unavailable_response()),
                }
            }
        }
    }
}
