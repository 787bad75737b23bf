//! The operation cache: a warm request skips parsing, validation and planning.
//!
//! Entries are keyed by the xxh3 hash of the document text and the operation name. The full text and name are
//! kept with each entry and compared on a hit, so two documents whose hashes collide never share an entry (xxh3
//! is fast, not collision-resistant, and documents come from clients). A hit hashes the text, takes a shard's
//! read lock, compares, and clones an `Arc`: no allocation.
//!
//! Choice: a small sharded map of our own (`parking_lot::RwLock<HashMap>` per shard, CLOCK eviction) rather than
//! a caching crate. CLOCK only needs a per-entry "referenced" bit that a hit sets under the read lock, so hits
//! never contend on a write lock; a full shard evicts the first entry not used since the hand last passed it.
//! The cache holds whatever the pipeline derives once per operation (validated operation, plan, projection),
//! so it is generic over the value. One cache serves one API schema: a new supergraph gets a new cache.

mod shard;

use std::sync::Arc;

use xxhash_rust::xxh3::Xxh3;

use shard::Shard;

/// The identity of a cached operation: the hash of its document text and operation name, with both kept to
/// compare on lookup. Building one hashes the text; it borrows, it does not copy.
#[derive(Debug, Clone, Copy)]
pub struct OperationKey<'a> {
    hash: u64,
    document: &'a str,
    operation_name: Option<&'a str>,
}

impl<'a> OperationKey<'a> {
    /// The key of `document` run with `operation_name`.
    pub fn new(document: &'a str, operation_name: Option<&'a str>) -> Self {
        let mut hasher = Xxh3::new();
        hasher.update(document.as_bytes());
        if let Some(name) = operation_name {
            // 0xFF never occurs in UTF-8, so it separates the text from the name unambiguously.
            hasher.update(&[0xFF]);
            hasher.update(name.as_bytes());
        }
        Self {
            hash: hasher.digest(),
            document,
            operation_name,
        }
    }

    /// The 64-bit hash, e.g. for logs and metrics.
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

/// A capacity that keeps every distinct operation of a typical client fleet warm.
pub const DEFAULT_CAPACITY: usize = 1024;

/// Counters of a cache since it was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Lookups that found their entry.
    pub hits: u64,
    /// Lookups that did not.
    pub misses: u64,
    /// Entries removed to make room.
    pub evictions: u64,
    /// Entries held now.
    pub entries: usize,
    /// Entries the cache holds at most.
    pub capacity: usize,
}

/// A bounded, thread-safe map from an operation (document text + operation name) to an `Arc<T>`.
pub struct OperationCache<T> {
    shards: Box<[Shard<T>]>,
    /// `hash >> shift` picks the shard; the shard count is a power of two.
    shift: u32,
}

impl<T> std::fmt::Debug for OperationCache<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperationCache")
            .field("shards", &self.shards.len())
            .field("stats", &self.stats())
            .finish()
    }
}

/// Fewer shards than this many entries each would make eviction needlessly uneven.
const MIN_ENTRIES_PER_SHARD: usize = 64;
const MAX_SHARDS: usize = 64;

impl<T> OperationCache<T> {
    /// A cache holding about `capacity` entries (at least one), sharded to match the machine's parallelism.
    pub fn new(capacity: usize) -> Self {
        let parallelism = std::thread::available_parallelism().map_or(4, usize::from);
        let by_size = (capacity / MIN_ENTRIES_PER_SHARD).max(1);
        let shards = (parallelism * 4).min(by_size).min(MAX_SHARDS);
        Self::with_shards(capacity, shards)
    }

    /// A cache of `capacity` entries split over `shards` shards (rounded up to a power of two); each shard
    /// holds `capacity / shards` entries, rounded up, and evicts on its own.
    pub fn with_shards(capacity: usize, shards: usize) -> Self {
        let shards = shards.clamp(1, MAX_SHARDS).next_power_of_two();
        let per_shard = capacity.max(1).div_ceil(shards);
        Self {
            shards: (0..shards).map(|_| Shard::new(per_shard)).collect(),
            shift: 64 - shards.trailing_zeros(),
        }
    }

    fn shard(&self, key: &OperationKey<'_>) -> &Shard<T> {
        // With one shard the shift is 64, which `checked_shr` turns into index 0.
        let index = key.hash.checked_shr(self.shift).unwrap_or(0);
        let index = usize::try_from(index).unwrap_or(0);
        &self.shards[index % self.shards.len()]
    }

    /// The entry for `key`, counting a hit or a miss.
    pub fn get(&self, key: &OperationKey<'_>) -> Option<Arc<T>> {
        self.shard(key).get(key)
    }

    /// Stores `value` under `key`, evicting an entry if the shard is full, and returns the cached value: the
    /// one already there if another request stored it first (so concurrent misses end up sharing one `Arc`).
    pub fn insert(&self, key: &OperationKey<'_>, value: Arc<T>) -> Arc<T> {
        self.shard(key).insert(key, value)
    }

    /// The entry for `key`, or the value `build` makes, which is then cached. Errors are returned, not cached.
    /// `build` runs without any lock held, so concurrent misses for one key may each build.
    pub fn get_or_try_insert_with<E>(
        &self,
        key: &OperationKey<'_>,
        build: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        if let Some(value) = self.get(key) {
            return Ok(value);
        }
        let value = Arc::new(build()?);
        Ok(self.insert(key, value))
    }

    /// Hits, misses, evictions and size, summed over the shards.
    pub fn stats(&self) -> CacheStats {
        self.shards.iter().fold(CacheStats::default(), |mut total, shard| {
            let stats = shard.stats();
            total.hits += stats.hits;
            total.misses += stats.misses;
            total.evictions += stats.evictions;
            total.entries += stats.entries;
            total.capacity += stats.capacity;
            total
        })
    }

    /// Removes every entry; the counters keep counting.
    pub fn clear(&self) {
        for shard in self.shards.iter() {
            shard.clear();
        }
    }
}

#[cfg(test)]
mod tests;
