//! What keeps one slow or failing subgraph from taking the router down with it: a bound on requests in flight,
//! retries with backoff where they are safe, and a circuit breaker that fails fast while a subgraph keeps
//! failing. Only the fields that subgraph owns are lost; the rest of each response is still served.

use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// How a subgraph's requests are protected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResilienceOptions {
    /// Most requests in flight to the subgraph at once; more wait (within their deadline) for a slot.
    pub max_in_flight: usize,
    /// Extra attempts after a failure that is safe to retry: a connection that could not be opened (nothing was
    /// sent), or, for queries only, a broken exchange or a 502/503/504.
    pub retries: u32,
    /// The first retry's wait; each further one doubles it (with jitter), within the request's deadline.
    pub retry_backoff: Duration,
    /// Consecutive failures that open the circuit; `0` never opens it.
    pub breaker_failures: u32,
    /// How long an open circuit fails requests at once before one trial request is let through.
    pub breaker_open_for: Duration,
    /// Whether identical query fetches in flight at the same moment share one subgraph request.
    pub deduplicate: bool,
}

impl Default for ResilienceOptions {
    fn default() -> Self {
        Self {
            max_in_flight: 1024,
            retries: 2,
            retry_backoff: Duration::from_millis(50),
            breaker_failures: 10,
            breaker_open_for: Duration::from_secs(5),
            deduplicate: true,
        }
    }
}

impl ResilienceOptions {
    /// The wait before retry number `attempt` (0-based): the backoff doubled per attempt, plus up to half of it
    /// again as jitter drawn from `seed`, so replicas retrying together spread out.
    pub(crate) fn backoff(&self, attempt: u32, seed: u64) -> Duration {
        let base = self.retry_backoff.saturating_mul(1 << attempt.min(10));
        let jitter_range = (base.as_millis() as u64 / 2).max(1);
        base + Duration::from_millis(seed % jitter_range)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// One trial request is out; everything else fails fast until it answers.
    HalfOpen,
}

/// A consecutive-failure circuit breaker.
#[derive(Debug)]
pub(crate) struct Breaker {
    threshold: u32,
    open_for: Duration,
    state: Mutex<State>,
}

impl Breaker {
    pub(crate) fn new(threshold: u32, open_for: Duration) -> Self {
        Self {
            threshold,
            open_for,
            state: Mutex::new(State::Closed { failures: 0 }),
        }
    }

    /// Whether a request may go out now; an open circuit past its wait lets exactly one trial through.
    pub(crate) fn admit(&self) -> bool {
        if self.threshold == 0 {
            return true;
        }
        let mut state = self.state.lock();
        match *state {
            State::Closed { .. } => true,
            State::Open { until } if Instant::now() >= until => {
                *state = State::HalfOpen;
                true
            }
            State::Open { .. } | State::HalfOpen => false,
        }
    }

    /// Records how a request that was admitted ended.
    pub(crate) fn record(&self, succeeded: bool) {
        if self.threshold == 0 {
            return;
        }
        let mut state = self.state.lock();
        *state = match (*state, succeeded) {
            (_, true) => State::Closed { failures: 0 },
            (State::HalfOpen, false) => State::Open {
                until: Instant::now() + self.open_for,
            },
            (State::Closed { failures }, false) if failures + 1 >= self.threshold => State::Open {
                until: Instant::now() + self.open_for,
            },
            (State::Closed { failures }, false) => State::Closed { failures: failures + 1 },
            (open @ State::Open { .. }, false) => open,
        };
    }

    /// Whether requests are being failed fast right now.
    pub(crate) fn is_open(&self) -> bool {
        !matches!(*self.state.lock(), State::Closed { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_circuit_opens_after_consecutive_failures_and_a_success_closes_it() {
        let breaker = Breaker::new(3, Duration::from_millis(30));
        for _ in 0..2 {
            assert!(breaker.admit());
            breaker.record(false);
        }
        breaker.record(true);
        for _ in 0..3 {
            assert!(breaker.admit());
            breaker.record(false);
        }
        assert!(breaker.is_open());
        assert!(!breaker.admit(), "an open circuit fails fast");
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(breaker.admit(), "one trial after the wait");
        assert!(!breaker.admit(), "only one");
        breaker.record(true);
        assert!(!breaker.is_open());
        assert!(breaker.admit());
    }

    #[tokio::test]
    async fn a_failed_trial_opens_the_circuit_again() {
        let breaker = Breaker::new(1, Duration::from_millis(20));
        breaker.record(false);
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(breaker.admit());
        breaker.record(false);
        assert!(!breaker.admit());
    }

    #[test]
    fn a_zero_threshold_never_opens() {
        let breaker = Breaker::new(0, Duration::from_secs(60));
        for _ in 0..100 {
            breaker.record(false);
        }
        assert!(breaker.admit());
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let options = ResilienceOptions::default();
        for (attempt, base) in [(0, 50), (1, 100), (2, 200)] {
            for seed in [0, 7, 12_345, u64::MAX] {
                let wait = options.backoff(attempt, seed).as_millis();
                assert!(wait >= base && wait < base + base / 2 + 1, "{attempt} {seed} {wait}");
            }
        }
    }
}
