//! The responses a refused request gets, and [`RateLimited`], which puts a limiter in front of any handler.

use std::sync::Arc;
use std::time::Duration;

use http::header::RETRY_AFTER;
use http::{HeaderValue, StatusCode};
use kernel::error_code::ErrorCode;

use super::RateLimiter;
use crate::http::{GraphQLHandler, GraphQLRequest, GraphQLResponse, RequestContext};
use crate::operation::GraphQLError;

/// A handler behind a limiter: a refused request never reaches the handler.
pub struct RateLimited {
    limiter: Arc<RateLimiter>,
    handler: Arc<dyn GraphQLHandler>,
}

impl RateLimited {
    /// Wraps `handler` so every request passes `limiter` first.
    pub fn new(limiter: Arc<RateLimiter>, handler: Arc<dyn GraphQLHandler>) -> Self {
        Self { limiter, handler }
    }
}

impl std::fmt::Debug for RateLimited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimited")
            .field("limiter", &self.limiter)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl GraphQLHandler for RateLimited {
    async fn execute(&self, request: GraphQLRequest, context: RequestContext) -> GraphQLResponse {
        match self.limiter.admit(&context).await {
            Ok(()) => self.handler.execute(request, context).await,
            Err(refused) => refused,
        }
    }
}

/// `429` with `Retry-After` in whole seconds (at least one) and `RATE_LIMITED`, whatever the negotiated format:
/// a client over its limit must back off whichever media type it asked for.
pub(crate) fn limited_response(retry_after: Duration) -> GraphQLResponse {
    let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let error = GraphQLError::new(
        ErrorCode::RateLimited,
        format!("too many requests: retry after {seconds} s"),
    );
    with_retry_after(
        GraphQLResponse::errors(StatusCode::TOO_MANY_REQUESTS, &[error]),
        seconds,
    )
}

/// `503` with `Retry-After: 1` and `SERVICE_UNAVAILABLE`, for a store that cannot answer under the deny policy.
pub(crate) fn store_unavailable_response() -> GraphQLResponse {
    let error = GraphQLError::new(
        ErrorCode::ServiceUnavailable,
        "rate limits cannot be checked right now; try again shortly",
    );
    with_retry_after(
        GraphQLResponse::errors(ErrorCode::ServiceUnavailable.http_status(), &[error]),
        1,
    )
}

fn with_retry_after(mut response: GraphQLResponse, seconds: u64) -> GraphQLResponse {
    response.headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry_after(response: &GraphQLResponse) -> &str {
        response.headers[RETRY_AFTER].to_str().unwrap()
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up_and_at_least_one() {
        assert_eq!(retry_after(&limited_response(Duration::from_millis(1))), "1");
        assert_eq!(retry_after(&limited_response(Duration::ZERO)), "1");
        assert_eq!(retry_after(&limited_response(Duration::from_millis(2_001))), "3");
        assert_eq!(retry_after(&limited_response(Duration::from_secs(2))), "2");
    }

    #[test]
    fn the_refusal_is_429_with_a_rate_limited_graphql_error() {
        let response = limited_response(Duration::from_secs(1));
        assert_eq!(response.status, StatusCode::TOO_MANY_REQUESTS);
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
        assert!(body.get("data").is_none());
        let unavailable = store_unavailable_response();
        assert_eq!(unavailable.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after(&unavailable), "1");
    }
}
