//! One shard of the operation cache: a map into a fixed ring of slots swept by a CLOCK hand.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::RwLock;

use super::{CacheStats, OperationKey};

/// One cached operation with what identifies it beyond its hash.
struct Slot<T> {
    hash: u64,
    document: Box<str>,
    operation_name: Option<Box<str>>,
    value: Arc<T>,
    /// Set by every hit (under the read lock), cleared by the CLOCK hand; a set bit buys one more sweep.
    referenced: AtomicBool,
}

impl<T> Slot<T> {
    fn matches(&self, key: &OperationKey<'_>) -> bool {
        self.hash == key.hash && *self.document == *key.document && self.operation_name.as_deref() == key.operation_name
    }
}

struct Inner<T> {
    /// Hash → index into `slots`.
    index: HashMap<u64, usize, BuildHasherDefault<PreHashed>>,
    slots: Vec<Slot<T>>,
    hand: usize,
}

/// A shard of at most `capacity` entries with its own counters (kept per shard so hits on different shards do
/// not write to one shared cache line).
pub(super) struct Shard<T> {
    inner: RwLock<Inner<T>>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
}

impl<T> Shard<T> {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            inner: RwLock::new(Inner {
                index: HashMap::default(),
                slots: Vec::new(),
                hand: 0,
            }),
            capacity,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
        }
    }

    pub(super) fn get(&self, key: &OperationKey<'_>) -> Option<Arc<T>> {
        let inner = self.inner.read();
        let found = inner
            .index
            .get(&key.hash)
            .map(|&at| &inner.slots[at])
            .filter(|slot| slot.matches(key));
        match found {
            Some(slot) => {
                slot.referenced.store(true, Ordering::Relaxed);
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(Arc::clone(&slot.value))
            }
            None => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    pub(super) fn insert(&self, key: &OperationKey<'_>, value: Arc<T>) -> Arc<T> {
        let mut inner = self.inner.write();
        let slot = Slot {
            hash: key.hash,
            document: key.document.into(),
            operation_name: key.operation_name.map(Into::into),
            value: Arc::clone(&value),
            referenced: AtomicBool::new(false),
        };
        if let Some(&at) = inner.index.get(&key.hash) {
            if inner.slots[at].matches(key) {
                return Arc::clone(&inner.slots[at].value);
            }
            // A different document with the same hash: the newer one takes the slot.
            inner.slots[at] = slot;
            return value;
        }
        if inner.slots.len() < self.capacity {
            let at = inner.slots.len();
            inner.slots.push(slot);
            inner.index.insert(key.hash, at);
            return value;
        }
        let victim = inner.sweep();
        let evicted = inner.slots[victim].hash;
        inner.index.remove(&evicted);
        inner.slots[victim] = slot;
        inner.index.insert(key.hash, victim);
        self.evictions.fetch_add(1, Ordering::Relaxed);
        value
    }

    pub(super) fn clear(&self) {
        let mut inner = self.inner.write();
        inner.index.clear();
        inner.slots.clear();
        inner.hand = 0;
    }

    pub(super) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            entries: self.inner.read().slots.len(),
            capacity: self.capacity,
        }
    }
}

impl<T> Inner<T> {
    /// Advances the hand to the first slot not referenced since the last sweep, clearing bits on the way, and
    /// returns it; after one full turn every bit is clear, so this ends within two turns.
    fn sweep(&mut self) -> usize {
        loop {
            let at = self.hand;
            self.hand = (self.hand + 1) % self.slots.len();
            if !self.slots[at].referenced.swap(false, Ordering::Relaxed) {
                return at;
            }
        }
    }
}

/// The keys are already xxh3 hashes, so one multiplication is enough: the shard was picked by the key's top
/// bits, which are therefore alike within a shard, and the map reads its probe tags from the top bits too;
/// multiplying by an odd constant spreads every bit of the key into them.
#[derive(Default)]
struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; fold arbitrary bytes anyway so the hasher stays correct if misused.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}
