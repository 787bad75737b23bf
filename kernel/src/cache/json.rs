//! Typed access to a byte cache, with values stored as JSON.

use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Cache, CacheError};

/// JSON helpers available on every [`Cache`], including `dyn Cache` behind an `Arc`.
#[async_trait::async_trait]
pub trait CacheJsonExt: Cache {
    /// Reads `key` and decodes it as `T`; a missing or expired key is `Ok(None)`.
    async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, CacheError> {
        let Some(bytes) = self.get(key).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| CacheError::Decode {
                key: key.to_owned(),
                source,
            })
    }

    /// Encodes `value` as JSON and stores it under `key`, expiring after `ttl` when given.
    async fn set_json<T: Serialize + Sync>(
        &self,
        key: &str,
        value: &T,
        ttl: Option<Duration>,
    ) -> Result<(), CacheError> {
        let bytes = serde_json::to_vec(value).map_err(|source| CacheError::Encode {
            key: key.to_owned(),
            source,
        })?;
        self.set(key, Bytes::from(bytes), ttl).await
    }
}

impl<C: Cache + ?Sized> CacheJsonExt for C {}
