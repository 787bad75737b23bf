//! The token bucket: its limit, its state, and the decision one request gets from it.

use std::time::{Duration, Instant};

use super::RateLimitError;

/// How large a bucket is and how fast it refills: `capacity` requests in a burst, then `refill_per_sec` a
/// second. Both are checked on construction, so a limit that would never admit anything cannot exist.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketLimit {
    capacity: u32,
    refill_per_sec: f64,
}

impl BucketLimit {
    /// A limit of `capacity` tokens refilled at `refill_per_sec`; `name` (the config key) goes into the error.
    pub fn new(name: &str, capacity: u32, refill_per_sec: f64) -> Result<Self, RateLimitError> {
        if capacity == 0 {
            return Err(RateLimitError::Limit {
                key: format!("{name}.capacity"),
                reason: "must be at least 1".to_owned(),
            });
        }
        if !refill_per_sec.is_finite() || refill_per_sec <= 0.0 {
            return Err(RateLimitError::Limit {
                key: format!("{name}.refill_per_sec"),
                reason: format!("must be a positive number, not {refill_per_sec}"),
            });
        }
        Ok(Self {
            capacity,
            refill_per_sec,
        })
    }

    /// The most tokens the bucket holds: the largest burst.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Tokens added per second.
    pub fn refill_per_sec(&self) -> f64 {
        self.refill_per_sec
    }

    /// How long an empty bucket takes to fill up again; an untouched bucket older than this is full, so a store
    /// may forget it.
    pub fn time_to_full(&self) -> Duration {
        secs(f64::from(self.capacity) / self.refill_per_sec)
    }

    /// How long a bucket holding `tokens` waits until it holds one whole token.
    pub(crate) fn wait_for_one(&self, tokens: f64) -> Duration {
        if tokens >= 1.0 {
            return Duration::ZERO;
        }
        secs((1.0 - tokens) / self.refill_per_sec)
    }
}

/// Seconds as a `Duration`, saturating where `f64` seconds exceed what a `Duration` holds.
fn secs(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or(Duration::MAX)
}

/// What the limiter says about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A token was taken from every bucket the request counts against.
    Allowed,
    /// Some bucket is empty; nothing was taken. The request may succeed after `retry_after`.
    Limited {
        /// How long until every bucket the request counts against holds a token again.
        retry_after: Duration,
    },
}

/// One bucket's state in this process: tokens as of `updated`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    /// A full bucket, as every client starts with.
    pub(crate) fn full(limit: &BucketLimit, now: Instant) -> Self {
        Self {
            tokens: f64::from(limit.capacity),
            updated: now,
        }
    }

    /// Adds what has dripped in since the last update, up to the capacity.
    pub(crate) fn refill(&mut self, limit: &BucketLimit, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * limit.refill_per_sec).min(f64::from(limit.capacity));
        self.updated = self.updated.max(now);
    }

    /// Tokens held as of the last refill.
    pub(crate) fn tokens(&self) -> f64 {
        self.tokens
    }

    /// Takes one token; the caller has checked there is one.
    pub(crate) fn take_one(&mut self) {
        self.tokens -= 1.0;
    }

    /// Whether the bucket, refilled to `now`, would be full: it then says nothing a fresh bucket would not.
    pub(crate) fn is_full_at(&self, limit: &BucketLimit, now: Instant) -> bool {
        let mut refilled = *self;
        refilled.refill(limit, now);
        refilled.tokens >= f64::from(limit.capacity)
    }

    /// When the bucket was last touched.
    pub(crate) fn updated(&self) -> Instant {
        self.updated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(capacity: u32, refill_per_sec: f64) -> BucketLimit {
        BucketLimit::new("test", capacity, refill_per_sec).expect("a valid limit")
    }

    #[test]
    fn zero_capacity_and_non_positive_refill_are_refused_naming_the_key() {
        let error = BucketLimit::new("rate_limit.per_client", 0, 1.0).unwrap_err();
        assert!(error.to_string().contains("rate_limit.per_client.capacity"), "{error}");
        for refill in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let error = BucketLimit::new("rate_limit.global", 5, refill).unwrap_err();
            assert!(
                error.to_string().contains("rate_limit.global.refill_per_sec"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_bucket_refills_at_its_rate_up_to_its_capacity() {
        let limit = limit(4, 2.0);
        let start = Instant::now();
        let mut bucket = Bucket::full(&limit, start);
        for _ in 0..4 {
            bucket.take_one();
        }
        assert_eq!(bucket.tokens(), 0.0);
        bucket.refill(&limit, start + Duration::from_millis(500));
        assert!((bucket.tokens() - 1.0).abs() < 1e-9, "{}", bucket.tokens());
        bucket.refill(&limit, start + Duration::from_secs(60));
        assert_eq!(bucket.tokens(), 4.0, "never above the capacity");
        assert!(bucket.is_full_at(&limit, start + Duration::from_secs(60)));
    }

    #[test]
    fn a_clock_that_goes_back_adds_nothing() {
        let limit = limit(2, 1.0);
        let start = Instant::now() + Duration::from_secs(10);
        let mut bucket = Bucket::full(&limit, start);
        bucket.take_one();
        bucket.refill(&limit, start - Duration::from_secs(5));
        assert_eq!(bucket.tokens(), 1.0);
        assert_eq!(bucket.updated(), start);
    }

    #[test]
    fn the_wait_is_the_time_to_one_whole_token() {
        let limit = limit(1, 4.0);
        assert_eq!(limit.wait_for_one(1.0), Duration::ZERO);
        assert_eq!(limit.wait_for_one(0.0), Duration::from_millis(250));
        assert_eq!(limit.wait_for_one(0.5), Duration::from_millis(125));
        assert_eq!(limit.time_to_full(), Duration::from_millis(250));
    }
}
