//! Billing's error type and how it reaches clients: a GraphQL error with `extensions.code`, or a gRPC status.

use kernel::error_code::ErrorCode;
use sea_orm::DbErr;

use crate::domain::InvalidInput;

/// What can go wrong while billing.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    /// The client sent a value billing refuses.
    #[error("{0}")]
    InvalidInput(#[from] InvalidInput),
    /// The plan, subscription or invoice named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The change clashes with the current state (a duplicate, a reused key, an invoice already settled).
    #[error("{0}")]
    Conflict(String),
    /// The database failed; details are logged, never sent to clients.
    #[error("the billing database failed: {0}")]
    Store(#[from] DbErr),
    /// The change's event could not be written to the outbox; the change was rolled back.
    #[error("the billing outbox failed: {0}")]
    Outbox(Box<kernel::outbox::OutboxError>),
}

impl BillingError {
    /// The shared error code clients branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidInput(_) => ErrorCode::BadUserInput,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::Store(_) | Self::Outbox(_) => ErrorCode::InternalServerError,
        }
    }

    /// The message a client sees: the error itself, except for internal failures, which are logged instead.
    pub fn client_message(&self) -> String {
        match self {
            Self::Store(_) | Self::Outbox(_) => {
                tracing::error!(error = %self, "billing request failed");
                "billing could not complete the request; try again".to_owned()
            }
            other => other.to_string(),
        }
    }

    /// As a GraphQL error carrying `extensions.code`.
    pub fn to_graphql(&self) -> async_graphql::Error {
        kernel::graphql::error(self.code(), self.client_message())
    }

    /// As a gRPC status with the matching code.
    pub fn to_status(&self) -> tonic::Status {
        tonic::Status::new(self.code().grpc_code(), self.client_message())
    }
}

impl From<kernel::outbox::OutboxError> for BillingError {
    fn from(error: kernel::outbox::OutboxError) -> Self {
        // Boxed: the outbox error carries the whole event, which would make every `Result` here large.
        Self::Outbox(Box::new(error))
    }
}

impl From<BillingError> for tonic::Status {
    fn from(error: BillingError) -> Self {
        error.to_status()
    }
}
