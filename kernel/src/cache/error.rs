//! What can go wrong talking to a cache.

/// A cache failure. Callers usually treat any of these as a miss and fall back to the source of truth.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The configuration cannot work (bad URL, zero capacity or timeout).
    #[error("invalid cache configuration: {0}")]
    Config(String),
    /// A TTL of zero was given; an entry must live at least one millisecond.
    #[error("cache TTL must be at least one millisecond")]
    InvalidTtl,
    /// The backend could not be reached or the connection broke.
    #[error("cache backend unavailable during {command}: {message}")]
    Unavailable {
        /// The command that failed (`GET`, `SET`, …).
        command: &'static str,
        /// The client's reason.
        message: String,
    },
    /// The backend did not answer within the command timeout.
    #[error("cache command {command} timed out after {timeout_ms} ms")]
    Timeout {
        /// The command that timed out.
        command: &'static str,
        /// The configured limit.
        timeout_ms: u64,
    },
    /// The backend answered with an error.
    #[error("cache command {command} failed: {message}")]
    Command {
        /// The command that failed.
        command: &'static str,
        /// The server's reason.
        message: String,
    },
    /// A value could not be written as JSON.
    #[error("could not encode the value for cache key {key:?} as JSON: {source}")]
    Encode {
        /// The key being written.
        key: String,
        /// The serializer's reason.
        source: serde_json::Error,
    },
    /// A cached value is not JSON of the requested type (written by another version, say).
    #[error("cached value for key {key:?} is not JSON of the requested type: {source}")]
    Decode {
        /// The key being read.
        key: String,
        /// The deserializer's reason.
        source: serde_json::Error,
    },
}
