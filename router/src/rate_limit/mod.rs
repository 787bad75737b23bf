//! Rate limiting at the edge: token buckets per client and, optionally, one for all clients together.
//!
//! A request counts against its client's bucket (keyed by the verified token's subject, an API key header, or
//! the client's address: [`ClientKeys`]) and the global bucket; it runs only if both hold a token, and takes
//! one from each. Otherwise it is refused with `429`, `Retry-After` and `RATE_LIMITED` before the operation is
//! parsed. Buckets live in this process ([`InProcessBuckets`]) or in Redis ([`RedisBuckets`]), where every
//! router replica shares them. When the store cannot answer, [`OnStoreError`] decides.

mod bucket;
mod handler;
mod in_process;
mod key;
mod limiter;
mod redis;

pub use bucket::{BucketLimit, Decision};
pub use handler::RateLimited;
pub use in_process::InProcessBuckets;
pub use key::{ClientKeySource, ClientKeys};
pub use limiter::{OnStoreError, RateLimiter};
pub use redis::RedisBuckets;

/// Where token buckets are kept.
#[async_trait::async_trait]
pub trait BucketStore: Send + Sync {
    /// Refills the buckets named in `requested` (key and limit) and takes one token from each if every one
    /// holds a token; takes nothing otherwise. All of it happens atomically.
    async fn take(&self, requested: &[(&str, BucketLimit)]) -> Result<Decision, StoreError>;
}

/// The bucket store could not answer (Redis down or slow).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// Why the `[rate_limit]` section cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateLimitError {
    /// A bucket's capacity or refill rate is out of range.
    #[error("{key} {reason}")]
    Limit {
        /// The config key.
        key: String,
        /// What is wrong with its value.
        reason: String,
    },
    /// `api_key_header` is not a header name.
    #[error("rate_limit.api_key_header: `{0}` is not a valid header name")]
    Header(String),
    /// The bucket store cannot be set up.
    #[error("{0}")]
    Store(String),
}
