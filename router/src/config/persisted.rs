//! The `[persisted_queries]` section: automatic persisted queries and the trusted-documents mode.

use std::path::PathBuf;

use kernel::cache::CacheConfig;
use serde::Deserialize;

/// Which documents the router accepts by hash, and which at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersistedQueryMode {
    /// Every document runs; none is remembered by hash.
    Off,
    /// Automatic persisted queries: a client sends a document's SHA-256 alone, and the document once with its
    /// hash when the router answers `PersistedQueryNotFound`.
    #[default]
    Automatic,
    /// Trusted documents: only the documents in the manifest run, by hash or by text.
    Trusted,
}

/// How persisted queries are handled.
///
/// ```toml
/// [persisted_queries]
/// mode = "trusted"
/// manifest = "persisted-documents.json"
/// [persisted_queries.cache]   # where automatic persisted queries are kept; Redis shares them across replicas
/// backend = "redis"
/// url = "redis://127.0.0.1:6379"
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersistedQueriesConfig {
    /// `off`, `automatic` or `trusted`.
    #[serde(default)]
    pub mode: PersistedQueryMode,
    /// The trusted documents: a JSON object of SHA-256 hex → document, or a manifest
    /// `{"operations": [{"id": HASH, "body": DOCUMENT}, …]}`. Required in `trusted` mode.
    #[serde(default)]
    pub manifest: Option<PathBuf>,
    /// Where automatic persisted queries are stored: in process by default, Redis to share them.
    #[serde(default = "default_cache")]
    pub cache: CacheConfig,
    /// How long a registered document is kept, in seconds (`0`: until evicted).
    #[serde(default = "default_ttl_secs")]
    pub ttl_secs: u64,
}

fn default_cache() -> CacheConfig {
    CacheConfig {
        key_prefix: "router:apq".to_owned(),
        ..CacheConfig::default()
    }
}

fn default_ttl_secs() -> u64 {
    86_400
}

impl Default for PersistedQueriesConfig {
    fn default() -> Self {
        Self {
            mode: PersistedQueryMode::default(),
            manifest: None,
            cache: default_cache(),
            ttl_secs: default_ttl_secs(),
        }
    }
}
