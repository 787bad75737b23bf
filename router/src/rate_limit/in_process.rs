//! Buckets kept in this process's memory: exact and fast, but each router replica counts on its own.

use std::collections::HashMap;
use std::time::Instant;

use parking_lot::Mutex;

use super::bucket::{Bucket, BucketLimit, Decision};
use super::{BucketStore, StoreError};

/// Token buckets (each with the limit it was last used with) in a map guarded by one lock, holding at most
/// `max_buckets` of them.
///
/// A bucket that has refilled completely is the same as no bucket, so those are dropped first when the map is
/// full; if that is not enough, the least recently touched tenth goes (those clients start again with a full
/// bucket, which errs on the side of letting requests through).
pub struct InProcessBuckets {
    buckets: Mutex<HashMap<String, (Bucket, BucketLimit)>>,
    max_buckets: usize,
}

impl InProcessBuckets {
    /// An empty store keeping at most `max_buckets` buckets (at least one).
    pub fn new(max_buckets: usize) -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
            max_buckets: max_buckets.max(1),
        }
    }

    /// How many buckets are held right now.
    pub fn len(&self) -> usize {
        self.buckets.lock().len()
    }

    /// Whether no bucket is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes a token from every bucket in `requested` if each holds one, as of `now`.
    pub(crate) fn take_at(&self, requested: &[(&str, BucketLimit)], now: Instant) -> Decision {
        let mut buckets = self.buckets.lock();
        let missing = requested.iter().filter(|(key, _)| !buckets.contains_key(*key)).count();
        if buckets.len() + missing > self.max_buckets {
            make_room(&mut buckets, requested, missing, self.max_buckets, now);
        }
        let mut retry_after = std::time::Duration::ZERO;
        for (key, limit) in requested {
            let (bucket, last_limit) = buckets
                .entry((*key).to_owned())
                .or_insert_with(|| (Bucket::full(limit, now), *limit));
            *last_limit = *limit;
            bucket.refill(limit, now);
            retry_after = retry_after.max(limit.wait_for_one(bucket.tokens()));
        }
        if !retry_after.is_zero() {
            return Decision::Limited { retry_after };
        }
        for (key, _) in requested {
            if let Some((bucket, _)) = buckets.get_mut(*key) {
                bucket.take_one();
            }
        }
        Decision::Allowed
    }
}

/// Frees room for `missing` new buckets: drops the full ones, then the least recently touched tenth.
fn make_room(
    buckets: &mut HashMap<String, (Bucket, BucketLimit)>,
    requested: &[(&str, BucketLimit)],
    missing: usize,
    max_buckets: usize,
    now: Instant,
) {
    buckets.retain(|_, (bucket, limit)| !bucket.is_full_at(limit, now));
    if buckets.len() + missing <= max_buckets {
        return;
    }
    let mut by_age: Vec<(Instant, String)> = buckets
        .iter()
        .filter(|(key, _)| !requested.iter().any(|(wanted, _)| wanted == key))
        .map(|(key, (bucket, _))| (bucket.updated(), key.clone()))
        .collect();
    let evict = (buckets.len() + missing - max_buckets)
        .max(max_buckets / 10)
        .min(by_age.len());
    if evict == 0 {
        return;
    }
    by_age.select_nth_unstable_by_key(evict - 1, |(updated, _)| *updated);
    for (_, key) in by_age.into_iter().take(evict) {
        buckets.remove(&key);
    }
}

impl std::fmt::Debug for InProcessBuckets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessBuckets")
            .field("buckets", &self.len())
            .field("max_buckets", &self.max_buckets)
            .finish()
    }
}

#[async_trait::async_trait]
impl BucketStore for InProcessBuckets {
    async fn take(&self, requested: &[(&str, BucketLimit)]) -> Result<Decision, StoreError> {
        Ok(self.take_at(requested, Instant::now()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn limit(capacity: u32, refill_per_sec: f64) -> BucketLimit {
        BucketLimit::new("test", capacity, refill_per_sec).expect("a valid limit")
    }

    #[test]
    fn a_client_gets_its_capacity_then_waits_for_a_token() {
        let store = InProcessBuckets::new(100);
        let per_client = limit(2, 10.0);
        let now = Instant::now();
        assert_eq!(store.take_at(&[("a", per_client)], now), Decision::Allowed);
        assert_eq!(store.take_at(&[("a", per_client)], now), Decision::Allowed);
        assert_eq!(
            store.take_at(&[("a", per_client)], now),
            Decision::Limited {
                retry_after: Duration::from_millis(100)
            }
        );
        assert_eq!(
            store.take_at(&[("b", per_client)], now),
            Decision::Allowed,
            "another client"
        );
        let later = now + Duration::from_millis(100);
        assert_eq!(store.take_at(&[("a", per_client)], later), Decision::Allowed);
    }

    #[test]
    fn a_refusal_takes_nothing_from_the_other_buckets() {
        let store = InProcessBuckets::new(100);
        let per_client = limit(5, 1.0);
        let global = limit(1, 1.0);
        let now = Instant::now();
        let both = |client| [(client, per_client), ("global", global)];
        assert_eq!(store.take_at(&both("a"), now), Decision::Allowed);
        assert!(matches!(store.take_at(&both("a"), now), Decision::Limited { .. }));
        assert!(matches!(store.take_at(&both("b"), now), Decision::Limited { .. }));
        // Client a spent one token; the refused attempt took none.
        for _ in 0..4 {
            assert_eq!(store.take_at(&[("a", per_client)], now), Decision::Allowed);
        }
        assert!(matches!(
            store.take_at(&[("a", per_client)], now),
            Decision::Limited { .. }
        ));
    }

    #[test]
    fn the_store_stays_within_its_bound() {
        let store = InProcessBuckets::new(10);
        let per_client = limit(3, 0.001);
        let now = Instant::now();
        for client in 0..100 {
            let key = format!("client-{client}");
            assert_eq!(store.take_at(&[(&key, per_client)], now), Decision::Allowed);
            assert!(store.len() <= 10, "{} buckets", store.len());
        }
    }

    #[test]
    fn full_buckets_are_dropped_before_busy_ones() {
        let store = InProcessBuckets::new(2);
        let per_client = limit(2, 1.0);
        let now = Instant::now();
        store.take_at(&[("busy", per_client)], now);
        store.take_at(&[("busy", per_client)], now);
        store.take_at(&[("idle", per_client)], now);
        // 1.5 s on, idle has refilled completely while busy (drained to zero) has not.
        let later = now + Duration::from_millis(1_500);
        store.take_at(&[("new", per_client)], later);
        assert_eq!(store.len(), 2);
        assert!(store.buckets.lock().contains_key("busy"));
        assert!(!store.buckets.lock().contains_key("idle"));
    }

    #[test]
    fn each_bucket_is_judged_full_by_its_own_limit() {
        let store = InProcessBuckets::new(3);
        let per_client = limit(1, 10.0);
        let global = limit(1_000, 1.0);
        let now = Instant::now();
        store.take_at(&[("a", per_client), ("global", global)], now);
        store.take_at(&[("b", per_client), ("global", global)], now);
        // A second on, a and b are full again by their own limit though far below the global capacity.
        let later = now + Duration::from_secs(1);
        assert_eq!(
            store.take_at(&[("c", per_client), ("global", global)], later),
            Decision::Allowed
        );
        let buckets = store.buckets.lock();
        assert!(
            !buckets.contains_key("a") && !buckets.contains_key("b"),
            "full buckets dropped"
        );
        assert!(buckets.contains_key("global") && buckets.contains_key("c"));
    }
}
