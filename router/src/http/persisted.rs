//! Persisted queries: documents referred to by their SHA-256 instead of sent in full.
//!
//! - **Automatic** (the default): a request with `extensions.persistedQuery = {version: 1, sha256Hash}` and no
//!   `query` runs the document registered under that hash, or gets `PersistedQueryNotFound` (status 200, code
//!   `PERSISTED_QUERY_NOT_FOUND`), after which the client sends the document with its hash once; the router
//!   checks that the hash matches and keeps the document (in process, or in Redis to share it across replicas).
//! - **Trusted**: only the documents of a manifest run. A hash outside it gets `PersistedQueryNotFound`; a full
//!   document outside it is refused with `FORBIDDEN`, so an attacker cannot run an operation of their own.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kernel::cache::Cache;
use kernel::error_code::ErrorCode;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::request::{GraphQLRequest, PERSISTED_QUERY};
use crate::config::{PersistedQueriesConfig, PersistedQueryMode};
use crate::operation::GraphQLError;

/// Why persisted queries could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum PersistedConfigError {
    /// `trusted` mode without a manifest.
    #[error("persisted_queries.mode = \"trusted\" needs persisted_queries.manifest")]
    NoManifest,
    /// The manifest could not be read or parsed.
    #[error("persisted_queries.manifest {path}: {reason}")]
    Manifest {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The store for automatic persisted queries could not be reached.
    #[error("persisted_queries.cache: {0}")]
    Cache(#[from] kernel::cache::CacheError),
}

/// Resolves persisted-query references as configured.
pub struct PersistedQueries {
    mode: PersistedQueryMode,
    store: Option<Arc<dyn Cache>>,
    ttl: Option<Duration>,
    trusted: HashMap<String, Arc<str>>,
}

impl std::fmt::Debug for PersistedQueries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersistedQueries")
            .field("mode", &self.mode)
            .field("trusted", &self.trusted.len())
            .finish_non_exhaustive()
    }
}

/// The JSON forms a manifest may take.
#[derive(Deserialize)]
#[serde(untagged)]
enum Manifest {
    Operations { operations: Vec<ManifestOperation> },
    Map(HashMap<String, String>),
}

#[derive(Deserialize)]
struct ManifestOperation {
    id: String,
    body: String,
}

impl PersistedQueries {
    /// Sets up `config`: reads the manifest and connects the store.
    pub async fn from_config(config: &PersistedQueriesConfig) -> Result<Self, PersistedConfigError> {
        let trusted = match (config.mode, &config.manifest) {
            (PersistedQueryMode::Trusted, None) => return Err(PersistedConfigError::NoManifest),
            (_, Some(path)) => read_manifest(path)?,
            (_, None) => HashMap::new(),
        };
        let store = match config.mode {
            PersistedQueryMode::Automatic => {
                // A `[persisted_queries.cache]` table that names only a backend leaves the prefix empty.
                let mut cache = config.cache.clone();
                if cache.key_prefix.is_empty() {
                    cache.key_prefix = "router:apq".to_owned();
                }
                Some(kernel::cache::connect(&cache).await?)
            }
            PersistedQueryMode::Off | PersistedQueryMode::Trusted => None,
        };
        Ok(Self {
            mode: config.mode,
            store,
            ttl: (config.ttl_secs > 0).then(|| Duration::from_secs(config.ttl_secs)),
            trusted,
        })
    }

    /// Automatic persisted queries kept in `store`.
    pub fn automatic(store: Arc<dyn Cache>) -> Self {
        Self {
            mode: PersistedQueryMode::Automatic,
            store: Some(store),
            ttl: None,
            trusted: HashMap::new(),
        }
    }

    /// Only `documents` run (each registered under its SHA-256).
    pub fn trusted<'a>(documents: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            mode: PersistedQueryMode::Trusted,
            store: None,
            ttl: None,
            trusted: documents
                .into_iter()
                .map(|document| (sha256_hex(document), Arc::from(document)))
                .collect(),
        }
    }

    /// Fills in `request.query` from a persisted-query reference, registers an automatic one, or refuses the
    /// request with the error its client sees.
    pub async fn resolve(&self, request: &mut GraphQLRequest) -> Result<(), GraphQLError> {
        let reference = persisted_reference(request)?;
        match self.mode {
            PersistedQueryMode::Off => match reference {
                Some(_) if request.query.is_empty() => Err(not_supported()),
                _ => Ok(()),
            },
            PersistedQueryMode::Trusted => self.resolve_trusted(request, reference.as_deref()),
            PersistedQueryMode::Automatic => match reference {
                None => Ok(()),
                Some(hash) => self.resolve_automatic(request, &hash).await,
            },
        }
    }

    fn resolve_trusted(&self, request: &mut GraphQLRequest, hash: Option<&str>) -> Result<(), GraphQLError> {
        if request.query.is_empty() {
            let hash = hash.unwrap_or_default();
            let document = self.trusted.get(hash).ok_or_else(not_found)?;
            request.query = document.to_string();
            return Ok(());
        }
        let hash = sha256_hex(&request.query);
        if self.trusted.contains_key(&hash) {
            Ok(())
        } else {
            Err(GraphQLError::new(
                ErrorCode::Forbidden,
                "only registered operations run on this API; this document is not in its list",
            ))
        }
    }

    async fn resolve_automatic(&self, request: &mut GraphQLRequest, hash: &str) -> Result<(), GraphQLError> {
        let Some(store) = &self.store else {
            return Err(not_supported());
        };
        if request.query.is_empty() {
            let stored = store.get(hash).await.map_err(|error| {
                tracing::warn!(%error, "the persisted-query store failed a lookup");
                not_found()
            })?;
            let document = stored
                .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
                .ok_or_else(not_found)?;
            request.query = document;
            return Ok(());
        }
        if sha256_hex(&request.query) != hash {
            return Err(GraphQLError::new(
                ErrorCode::BadRequest,
                "extensions.persistedQuery.sha256Hash does not match the SHA-256 of the query",
            ));
        }
        let document = Bytes::copy_from_slice(request.query.as_bytes());
        if let Err(error) = store.set(hash, document, self.ttl).await {
            // The request still runs; the client will simply send the document again next time.
            tracing::warn!(%error, "the persisted-query store failed to keep a document");
        }
        Ok(())
    }
}

/// The SHA-256 a request's `extensions.persistedQuery` names, as lowercase hex; `None` without one.
fn persisted_reference(request: &GraphQLRequest) -> Result<Option<String>, GraphQLError> {
    let Some(reference) = request
        .extensions
        .as_ref()
        .and_then(|extensions| extensions.get(PERSISTED_QUERY))
    else {
        return Ok(None);
    };
    let bad = |message: &str| GraphQLError::new(ErrorCode::BadRequest, message);
    if reference.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(bad("extensions.persistedQuery.version must be 1"));
    }
    let hash = reference
        .get("sha256Hash")
        .and_then(Value::as_str)
        .filter(|hash| hash.len() == 64 && hash.bytes().all(|byte| byte.is_ascii_hexdigit()))
        .ok_or_else(|| bad("extensions.persistedQuery.sha256Hash must be 64 hexadecimal characters"))?;
    Ok(Some(hash.to_ascii_lowercase()))
}

fn not_found() -> GraphQLError {
    GraphQLError::new(ErrorCode::PersistedQueryNotFound, "PersistedQueryNotFound")
}

fn not_supported() -> GraphQLError {
    GraphQLError::new(ErrorCode::BadRequest, "PersistedQueryNotSupported")
}

/// The lowercase hex SHA-256 of `text`.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn read_manifest(path: &Path) -> Result<HashMap<String, Arc<str>>, PersistedConfigError> {
    let fail = |reason: String| PersistedConfigError::Manifest {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|error| fail(error.to_string()))?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|error| fail(error.to_string()))?;
    let pairs: Vec<(String, String)> = match manifest {
        Manifest::Operations { operations } => operations.into_iter().map(|op| (op.id, op.body)).collect(),
        Manifest::Map(map) => map.into_iter().collect(),
    };
    pairs
        .into_iter()
        .map(|(hash, document)| {
            let actual = sha256_hex(&document);
            if actual == hash.to_ascii_lowercase() {
                Ok((actual, Arc::from(document)))
            } else {
                Err(fail(format!("the entry `{hash}` is not the SHA-256 of its document")))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
