//! Why an operation got no plan, and what a client is told about it.

use std::borrow::Cow;

use hive_router_query_planner::ast::normalization::error::NormalizationError;
use hive_router_query_planner::utils::cancellation::CancellationError;
use kernel::error_code::ErrorCode;

/// A failure of the plan stage for one operation. Only [`PlanError::code`] and [`PlanError::client_message`] may
/// reach a client; `Display` carries internal detail for logs.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PlanError {
    /// The operation uses something this router does not execute (subscriptions, `@defer`).
    #[error("this router does not support {0}")]
    Unsupported(&'static str),
    /// The document does not say which operation to run, or names one it does not contain.
    #[error("{0}")]
    OperationSelection(String),
    /// Normalization failed on an operation that passed validation.
    #[error("the operation could not be normalized: {0}")]
    Normalization(String),
    /// The planner found no plan.
    #[error("query planning failed: {0}")]
    Planning(String),
    /// The planner's plan uses a shape our plan model does not express.
    #[error("the query plan could not be converted: {0}")]
    Conversion(String),
    /// The planner panicked on this operation; the router goes on serving others.
    #[error("query planning panicked: {0}")]
    Panicked(String),
    /// Planning ran past its deadline.
    #[error("query planning exceeded its deadline of {deadline_ms} ms")]
    Timeout {
        /// The configured deadline.
        deadline_ms: u64,
    },
    /// The planning task was stopped from outside (the runtime is shutting down).
    #[error("query planning was interrupted: {0}")]
    Interrupted(String),
}

impl PlanError {
    /// The `extensions.code` a client gets.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unsupported(_) => ErrorCode::OperationNotSupported,
            Self::OperationSelection(_) => ErrorCode::BadRequest,
            // The operation is fine; the router could not plan it in time (often under load), so it is the
            // server that is unavailable for it rather than the request that is wrong.
            Self::Timeout { .. } => ErrorCode::ServiceUnavailable,
            Self::Normalization(_) | Self::Planning(_) | Self::Conversion(_) | Self::Panicked(_) => {
                ErrorCode::InternalServerError
            }
            Self::Interrupted(_) => ErrorCode::ServiceUnavailable,
        }
    }

    /// The message a client gets: the cause when it is the client's to fix, a generic one otherwise.
    pub fn client_message(&self) -> Cow<'static, str> {
        match self {
            Self::Unsupported(_) | Self::OperationSelection(_) => Cow::Owned(self.to_string()),
            Self::Timeout { .. } => Cow::Borrowed("query planning took too long; try again later"),
            Self::Interrupted(_) => Cow::Borrowed("the router is shutting down"),
            Self::Normalization(_) | Self::Planning(_) | Self::Conversion(_) | Self::Panicked(_) => {
                Cow::Borrowed("internal server error")
            }
        }
    }

    pub(crate) fn from_normalization(error: NormalizationError) -> Self {
        match error {
            NormalizationError::MultipleMatchingOperationsFound => Self::OperationSelection(
                "the document contains several operations; the request must name the one to run".to_owned(),
            ),
            NormalizationError::SpecifiedOperationNotFound { operation_name } => {
                Self::OperationSelection(format!("the document contains no operation named \"{operation_name}\""))
            }
            NormalizationError::OperationNotFound => {
                Self::OperationSelection("the document contains no operation".to_owned())
            }
            other => Self::Normalization(other.to_string()),
        }
    }

    /// Maps why the planner's token stopped it. The planner wraps the cancellation in whichever of its stages
    /// noticed it, so the caller asks the token rather than matching the planner's error.
    pub(crate) fn from_cancellation(error: CancellationError, deadline_ms: u64) -> Self {
        match error {
            CancellationError::TimedOut => Self::Timeout { deadline_ms },
            CancellationError::Cancelled => Self::Interrupted("planning was cancelled".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_features_get_operation_not_supported() {
        let error = PlanError::Unsupported("subscriptions");
        assert_eq!(error.code(), ErrorCode::OperationNotSupported);
        assert_eq!(error.client_message(), "this router does not support subscriptions");
    }

    #[test]
    fn internal_failures_hide_their_detail_from_clients() {
        for error in [
            PlanError::Panicked("index out of bounds at planner.rs:12".to_owned()),
            PlanError::Planning("walker failed to locate path".to_owned()),
        ] {
            assert_eq!(error.code(), ErrorCode::InternalServerError);
            assert_eq!(error.client_message(), "internal server error");
        }
    }

    #[test]
    fn planner_timeout_becomes_a_timeout() {
        let error = PlanError::from_cancellation(CancellationError::TimedOut, 25);
        assert!(matches!(error, PlanError::Timeout { deadline_ms: 25 }));
        assert_eq!(error.code(), ErrorCode::ServiceUnavailable);
    }

    #[test]
    fn unknown_operation_name_is_the_clients_to_fix() {
        let error = PlanError::from_normalization(NormalizationError::SpecifiedOperationNotFound {
            operation_name: "Missing".to_owned(),
        });
        assert_eq!(error.code(), ErrorCode::BadRequest);
        assert_eq!(
            error.client_message(),
            "the document contains no operation named \"Missing\""
        );
    }
}
