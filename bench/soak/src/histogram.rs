//! A latency histogram with log-linear buckets: values up to 127 µs exactly, above that 64 buckets per power of
//! two, so a reported percentile is within 1.6 % of the true value at any magnitude while the memory stays fixed
//! (a few thousand counters) however long a soak runs.

use std::time::Duration;

/// Bits of a value kept below the top one: 2^6 = 64 buckets per power of two.
const MANTISSA_BITS: u32 = 6;
/// Values below this are their own bucket.
const LINEAR_LIMIT: u64 = 1 << (MANTISSA_BITS + 1);
/// Buckets needed for every `u64`: the linear ones plus 64 for each of the 57 powers of two above them.
const BUCKETS: usize = ((64 - (MANTISSA_BITS as usize + 1)) << MANTISSA_BITS) + LINEAR_LIMIT as usize;

/// Recorded durations, in microseconds, with their count, sum, minimum and maximum kept exactly.
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    sum_micros: u128,
    min_micros: u64,
    max_micros: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            counts: vec![0; BUCKETS],
            total: 0,
            sum_micros: 0,
            min_micros: u64::MAX,
            max_micros: 0,
        }
    }
}

impl Histogram {
    /// Records one duration.
    pub fn record(&mut self, duration: Duration) {
        let micros = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        if let Some(count) = self.counts.get_mut(bucket_of(micros)) {
            *count += 1;
        }
        self.total += 1;
        self.sum_micros += u128::from(micros);
        self.min_micros = self.min_micros.min(micros);
        self.max_micros = self.max_micros.max(micros);
    }

    /// Adds every value recorded in `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
        self.sum_micros += other.sum_micros;
        self.min_micros = self.min_micros.min(other.min_micros);
        self.max_micros = self.max_micros.max(other.max_micros);
    }

    /// How many values were recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The value at `quantile` (0.0–1.0): the upper end of the bucket holding that rank, never above the largest
    /// value seen; zero when nothing was recorded.
    pub fn quantile(&self, quantile: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        // The rank of the value asked for, 1-based: the smallest value with at least `quantile` of all at or below.
        let rank = ((quantile.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bucket, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Duration::from_micros(upper_bound(bucket).min(self.max_micros));
            }
        }
        Duration::from_micros(self.max_micros)
    }

    /// The largest value recorded.
    pub fn max(&self) -> Duration {
        Duration::from_micros(self.max_micros)
    }

    /// The arithmetic mean, zero when nothing was recorded.
    pub fn mean(&self) -> Duration {
        match u64::try_from(self.sum_micros / u128::from(self.total.max(1))) {
            Ok(mean) => Duration::from_micros(mean),
            Err(_) => Duration::MAX,
        }
    }
}

/// The bucket of `value`: itself below [`LINEAR_LIMIT`], else its power of two and its top bits below the first.
fn bucket_of(value: u64) -> usize {
    if value < LINEAR_LIMIT {
        return value as usize;
    }
    let shift = (u64::BITS - value.leading_zeros()) - (MANTISSA_BITS + 1);
    ((shift as usize) << MANTISSA_BITS) + (value >> shift) as usize
}

/// The largest value that falls into `bucket`.
fn upper_bound(bucket: usize) -> u64 {
    if bucket < LINEAR_LIMIT as usize {
        return bucket as u64;
    }
    let shift = (bucket >> MANTISSA_BITS) - 1;
    let mantissa = (bucket - (shift << MANTISSA_BITS)) as u128;
    // In u128: the last bucket's end is 2^64 - 1, whose `+ 1` does not fit a u64.
    u64::try_from(((mantissa + 1) << shift) - 1).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_contain_their_values() {
        let mut previous_upper = None;
        for bucket in 0..BUCKETS {
            let upper = upper_bound(bucket);
            if let Some(previous) = previous_upper {
                assert!(upper > previous, "bucket {bucket}");
                assert_eq!(bucket_of(previous + 1), bucket, "first value of bucket {bucket}");
            }
            assert_eq!(bucket_of(upper), bucket, "last value of bucket {bucket}");
            previous_upper = Some(upper);
        }
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
        assert_eq!(upper_bound(BUCKETS - 1), u64::MAX);
    }

    #[test]
    fn quantiles_are_within_two_percent_of_the_exact_ones() {
        let mut histogram = Histogram::default();
        let mut exact: Vec<u64> = (1..=10_000u64).map(|i| i * i % 97_003 + 50).collect();
        for micros in &exact {
            histogram.record(Duration::from_micros(*micros));
        }
        exact.sort_unstable();
        for quantile in [0.5, 0.9, 0.99, 0.999] {
            let rank = (quantile * exact.len() as f64).ceil() as usize;
            let truth = exact[rank - 1] as f64;
            let measured = histogram.quantile(quantile).as_micros() as f64;
            assert!(
                measured >= truth && measured <= truth * 1.02,
                "q{quantile}: {measured} vs {truth}"
            );
        }
        assert_eq!(histogram.max(), Duration::from_micros(*exact.last().unwrap()));
        assert_eq!(histogram.count(), 10_000);
    }

    #[test]
    fn merged_histograms_answer_as_one_that_saw_everything() {
        let (mut left, mut right, mut both) = (Histogram::default(), Histogram::default(), Histogram::default());
        for millis in 1..=100u64 {
            let target = if millis % 2 == 0 { &mut left } else { &mut right };
            target.record(Duration::from_millis(millis));
            both.record(Duration::from_millis(millis));
        }
        left.merge(&right);
        for quantile in [0.0, 0.5, 0.99, 1.0] {
            assert_eq!(left.quantile(quantile), both.quantile(quantile));
        }
        assert_eq!(left.mean(), both.mean());
        assert_eq!(Histogram::default().quantile(0.5), Duration::ZERO);
    }
}
