//! A namespace wrapper, so services sharing one cache server never read each other's keys.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use super::{Cache, CacheError};

/// Puts `<namespace>:` in front of every key before handing it to the wrapped cache.
pub struct PrefixedCache {
    inner: Arc<dyn Cache>,
    prefix: String,
}

impl PrefixedCache {
    /// Wraps `inner` so every key lives under `namespace`.
    pub fn new(inner: Arc<dyn Cache>, namespace: &str) -> Self {
        Self {
            inner,
            prefix: format!("{namespace}:"),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

impl std::fmt::Debug for PrefixedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrefixedCache")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl Cache for PrefixedCache {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        self.inner.get(&self.key(key)).await
    }

    async fn set(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), CacheError> {
        self.inner.set(&self.key(key), value, ttl).await
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        self.inner.delete(&self.key(key)).await
    }

    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Bytes>>, CacheError> {
        let prefixed: Vec<String> = keys.iter().map(|key| self.key(key)).collect();
        let prefixed: Vec<&str> = prefixed.iter().map(String::as_str).collect();
        self.inner.get_many(&prefixed).await
    }

    async fn increment(&self, key: &str, window: Duration) -> Result<u64, CacheError> {
        self.inner.increment(&self.key(key), window).await
    }

    async fn ping(&self) -> Result<(), CacheError> {
        self.inner.ping().await
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroUsize;

    use super::*;
    use crate::cache::InProcessCache;

    #[tokio::test]
    async fn keys_are_stored_under_the_namespace() {
        let shared: Arc<dyn Cache> = Arc::new(InProcessCache::new(NonZeroUsize::MIN.saturating_add(9)));
        let authz = PrefixedCache::new(shared.clone(), "authz");
        authz.set("decision", Bytes::from_static(b"allow"), None).await.unwrap();
        assert_eq!(
            shared.get("authz:decision").await.unwrap(),
            Some(Bytes::from_static(b"allow"))
        );
        assert_eq!(shared.get("decision").await.unwrap(), None);
        assert_eq!(
            authz.get_many(&["decision", "other"]).await.unwrap(),
            vec![Some(Bytes::from_static(b"allow")), None]
        );
    }
}
