//! The embedded cache adapter: a bounded map inside the process, for `platform dev` and tests.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use bytes::Bytes;
use parking_lot::Mutex;

use super::{Cache, CacheError, validate_ttl};

/// A cache held in this process's memory: at most `max_entries` entries, the least recently used evicted first,
/// and an entry past its TTL never returned.
///
/// Nothing is shared between processes, so it suits a single-replica service.
pub struct InProcessCache {
    store: Mutex<Store>,
}

impl InProcessCache {
    /// An empty cache that holds at most `max_entries` entries.
    pub fn new(max_entries: NonZeroUsize) -> Self {
        Self {
            store: Mutex::new(Store::new(max_entries.get())),
        }
    }

    /// How many entries are held right now, including expired ones not yet swept.
    pub fn len(&self) -> usize {
        self.store.lock().entries.len()
    }

    /// Whether the cache holds no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for InProcessCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let store = self.store.lock();
        f.debug_struct("InProcessCache")
            .field("entries", &store.entries.len())
            .field("max_entries", &store.max_entries)
            .finish()
    }
}

#[async_trait::async_trait]
impl Cache for InProcessCache {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        Ok(self.store.lock().get(key, Instant::now()))
    }

    async fn set(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), CacheError> {
        let ttl = ttl.map(validate_ttl).transpose()?;
        let now = Instant::now();
        // A TTL too far out to represent as an Instant is as good as no expiry.
        let expires_at = ttl.and_then(|ttl| now.checked_add(ttl));
        self.store.lock().set(key, value, expires_at, now);
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        let now = Instant::now();
        Ok(self
            .store
            .lock()
            .remove(key)
            .is_some_and(|entry| !entry.is_expired(now)))
    }

    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Bytes>>, CacheError> {
        let now = Instant::now();
        let mut store = self.store.lock();
        Ok(keys.iter().map(|key| store.get(key, now)).collect())
    }

    async fn increment(&self, key: &str, window: Duration) -> Result<u64, CacheError> {
        let window = validate_ttl(window)?;
        let now = Instant::now();
        let mut store = self.store.lock();
        let (count, expires_at) = match store.get(key, now) {
            Some(value) => {
                let count = std::str::from_utf8(&value)
                    .ok()
                    .and_then(|text| text.parse::<u64>().ok())
                    .ok_or_else(|| CacheError::Command {
                        command: "INCR",
                        message: "the value is not a counter".to_owned(),
                    })?;
                let expires_at = store.entries.get(key).and_then(|entry| entry.expires_at);
                (count.saturating_add(1), expires_at)
            }
            None => (1, now.checked_add(window)),
        };
        store.set(key, Bytes::from(count.to_string()), expires_at, now);
        Ok(count)
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }
}

struct Entry {
    value: Bytes,
    expires_at: Option<Instant>,
    /// Position in the recency order; refreshed on every read and write.
    tick: u64,
}

impl Entry {
    fn is_expired(&self, now: Instant) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// The map plus two indexes over it: recency (for eviction) and deadline (for sweeping expired entries).
struct Store {
    entries: HashMap<String, Entry>,
    by_recency: BTreeMap<u64, String>,
    by_deadline: BTreeMap<(Instant, u64), String>,
    next_tick: u64,
    max_entries: usize,
}

impl Store {
    fn new(max_entries: usize) -> Self {
        Self {
            entries: HashMap::new(),
            by_recency: BTreeMap::new(),
            by_deadline: BTreeMap::new(),
            next_tick: 0,
            max_entries,
        }
    }

    fn get(&mut self, key: &str, now: Instant) -> Option<Bytes> {
        let entry = self.remove(key)?;
        if entry.is_expired(now) {
            return None;
        }
        let value = entry.value.clone();
        self.insert(key.to_owned(), entry.value, entry.expires_at);
        Some(value)
    }

    fn set(&mut self, key: &str, value: Bytes, expires_at: Option<Instant>, now: Instant) {
        self.remove(key);
        self.sweep_expired(now);
        while self.entries.len() >= self.max_entries {
            let Some((_, oldest)) = self.by_recency.pop_first() else {
                break;
            };
            self.remove(&oldest);
        }
        self.insert(key.to_owned(), value, expires_at);
    }

    fn insert(&mut self, key: String, value: Bytes, expires_at: Option<Instant>) {
        let tick = self.next_tick;
        self.next_tick += 1;
        self.by_recency.insert(tick, key.clone());
        if let Some(at) = expires_at {
            self.by_deadline.insert((at, tick), key.clone());
        }
        self.entries.insert(
            key,
            Entry {
                value,
                expires_at,
                tick,
            },
        );
    }

    fn remove(&mut self, key: &str) -> Option<Entry> {
        let entry = self.entries.remove(key)?;
        self.by_recency.remove(&entry.tick);
        if let Some(at) = entry.expires_at {
            self.by_deadline.remove(&(at, entry.tick));
        }
        Some(entry)
    }

    fn sweep_expired(&mut self, now: Instant) {
        while let Some(entry) = self.by_deadline.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let key = entry.remove();
            self.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(max_entries: usize) -> InProcessCache {
        InProcessCache::new(NonZeroUsize::new(max_entries).unwrap())
    }

    #[tokio::test]
    async fn least_recently_used_entry_is_evicted_when_full() {
        let cache = cache(2);
        cache.set("a", Bytes::from_static(b"1"), None).await.unwrap();
        cache.set("b", Bytes::from_static(b"2"), None).await.unwrap();
        // Reading "a" makes "b" the least recently used.
        assert!(cache.get("a").await.unwrap().is_some());
        cache.set("c", Bytes::from_static(b"3"), None).await.unwrap();
        assert_eq!(cache.len(), 2);
        assert!(cache.get("b").await.unwrap().is_none());
        assert_eq!(cache.get("a").await.unwrap(), Some(Bytes::from_static(b"1")));
        assert_eq!(cache.get("c").await.unwrap(), Some(Bytes::from_static(b"3")));
    }

    #[tokio::test]
    async fn expired_entries_make_room_before_live_ones_are_evicted() {
        let cache = cache(2);
        cache
            .set("short", Bytes::from_static(b"1"), Some(Duration::from_millis(10)))
            .await
            .unwrap();
        cache.set("long", Bytes::from_static(b"2"), None).await.unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
        cache.set("new", Bytes::from_static(b"3"), None).await.unwrap();
        assert_eq!(cache.get("long").await.unwrap(), Some(Bytes::from_static(b"2")));
        assert_eq!(cache.get("new").await.unwrap(), Some(Bytes::from_static(b"3")));
    }

    #[tokio::test]
    async fn expired_entry_is_not_returned_and_not_reported_deleted() {
        let cache = cache(4);
        cache
            .set("k", Bytes::from_static(b"v"), Some(Duration::from_millis(10)))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(cache.get_many(&["k"]).await.unwrap(), vec![None]);
        cache
            .set("k", Bytes::from_static(b"v"), Some(Duration::from_millis(10)))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(!cache.delete("k").await.unwrap());
    }

    #[tokio::test]
    async fn overwriting_a_key_replaces_its_ttl() {
        let cache = cache(4);
        cache
            .set("k", Bytes::from_static(b"old"), Some(Duration::from_millis(10)))
            .await
            .unwrap();
        cache.set("k", Bytes::from_static(b"new"), None).await.unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
        cache.set("other", Bytes::from_static(b"x"), None).await.unwrap();
        assert_eq!(cache.get("k").await.unwrap(), Some(Bytes::from_static(b"new")));
        assert_eq!(cache.len(), 2);
    }

    #[tokio::test]
    async fn zero_ttl_is_refused() {
        let error = cache(1).set("k", Bytes::new(), Some(Duration::ZERO)).await.unwrap_err();
        assert!(matches!(error, CacheError::InvalidTtl), "{error}");
    }
}
