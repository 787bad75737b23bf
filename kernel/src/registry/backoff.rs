//! Retry delays for the adapters' reconnect loops.

use std::time::Duration;

/// A doubling delay between retries, so a backend outage is not met with a request storm.
pub(crate) struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(200);
    const MAX: Duration = Duration::from_secs(5);

    pub(crate) fn new() -> Self {
        Self { next: Self::FIRST }
    }

    /// Starts over after a success.
    pub(crate) fn reset(&mut self) {
        self.next = Self::FIRST;
    }

    /// The delay to wait now; the next one is twice as long, up to a cap.
    pub(crate) fn advance(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_and_reset() {
        let mut backoff = Backoff::new();
        assert_eq!(backoff.advance(), Duration::from_millis(200));
        assert_eq!(backoff.advance(), Duration::from_millis(400));
        for _ in 0..10 {
            backoff.advance();
        }
        assert_eq!(backoff.advance(), Duration::from_secs(5));
        backoff.reset();
        assert_eq!(backoff.advance(), Duration::from_millis(200));
    }
}
