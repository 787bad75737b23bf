//! Runs CPU-heavy planning work off the async workers, so that a panic or a deadline overrun fails one request
//! instead of the router.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use hive_router_query_planner::utils::cancellation::CancellationToken;

use super::error::PlanError;
use crate::supergraph::panic_message;

/// How long past its deadline a task that never checks its token may run before the caller stops waiting. The
/// token is the real limit; this only bounds a caller's wait on work that ignores it.
const BACKSTOP_GRACE: Duration = Duration::from_millis(250);

/// Runs `work` on a blocking thread with a token that times out `deadline` after this call (time spent queued for
/// a thread counts). A panic becomes [`PlanError::Panicked`]; a result later than the deadline plus a grace period
/// becomes [`PlanError::Timeout`] without waiting for it.
pub(crate) async fn run_guarded<T, F>(deadline: Duration, work: F) -> Result<T, PlanError>
where
    T: Send + 'static,
    F: FnOnce(&CancellationToken) -> Result<T, PlanError> + Send + 'static,
{
    let deadline_ms = u64::try_from(deadline.as_millis()).unwrap_or(u64::MAX);
    let submitted = Instant::now();
    let task = tokio::task::spawn_blocking(move || {
        let token = CancellationToken::with_timeout(deadline.saturating_sub(submitted.elapsed()));
        // The work owns or only reads what it touches; after a panic nothing of it is used again.
        catch_unwind(AssertUnwindSafe(|| work(&token)))
            .unwrap_or_else(|payload| Err(PlanError::Panicked(panic_message(payload.as_ref()).to_owned())))
    });
    match tokio::time::timeout(deadline.saturating_add(BACKSTOP_GRACE), task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join_error)) => Err(PlanError::Interrupted(join_error.to_string())),
        Err(_elapsed) => Err(PlanError::Timeout { deadline_ms }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn panic_in_the_work_becomes_panicked() {
        let result: Result<(), _> = run_guarded(Duration::from_secs(5), |_| panic!("planner bug")).await;
        assert!(
            matches!(result, Err(PlanError::Panicked(ref message)) if message == "planner bug"),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn work_that_ignores_its_token_is_abandoned_after_the_grace_period() {
        let started = Instant::now();
        let result: Result<(), _> = run_guarded(Duration::from_millis(10), |_| {
            let spin_until = Instant::now() + Duration::from_secs(1);
            while Instant::now() < spin_until {
                std::hint::spin_loop();
            }
            Ok(())
        })
        .await;
        assert!(
            matches!(result, Err(PlanError::Timeout { deadline_ms: 10 })),
            "{result:?}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "the caller did not wait for the work"
        );
    }

    #[tokio::test]
    async fn token_expires_at_the_deadline() {
        let result = run_guarded(Duration::ZERO, |token| Ok(token.bail_if_cancelled().is_err())).await;
        assert!(matches!(result, Ok(true)), "{result:?}");
    }
}
