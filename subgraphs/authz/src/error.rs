//! Authz's error type and how it reaches clients: a GraphQL error with `extensions.code`, or a gRPC status.

use kernel::error_code::ErrorCode;
use sea_orm::DbErr;

use crate::domain::InvalidInput;

/// What can go wrong while deciding or managing roles.
#[derive(Debug, thiserror::Error)]
pub enum AuthzError {
    /// The client sent a value authz refuses.
    #[error("{0}")]
    InvalidInput(#[from] InvalidInput),
    /// The role or binding named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The change clashes with what exists (a duplicate, a bound role, a built-in role).
    #[error("{0}")]
    Conflict(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The database failed; details are logged, never sent to clients.
    #[error("the authz database failed: {0}")]
    Store(#[from] DbErr),
    /// The change's event could not be written to the outbox; the change was rolled back.
    #[error("the authz outbox failed: {0}")]
    Outbox(Box<kernel::outbox::OutboxError>),
}

impl AuthzError {
    /// The shared error code clients branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidInput(_) => ErrorCode::BadUserInput,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::Store(_) | Self::Outbox(_) => ErrorCode::InternalServerError,
        }
    }

    /// The message a client sees: the error itself, except for internal failures, which are logged instead.
    pub fn client_message(&self) -> String {
        match self {
            Self::Store(_) | Self::Outbox(_) => {
                tracing::error!(error = %self, "authz request failed");
                "authz could not complete the request; try again".to_owned()
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

impl From<kernel::outbox::OutboxError> for AuthzError {
    fn from(error: kernel::outbox::OutboxError) -> Self {
        // Boxed: the outbox error carries the whole event, which would make every `Result` here large.
        Self::Outbox(Box::new(error))
    }
}

impl From<AuthzError> for tonic::Status {
    fn from(error: AuthzError) -> Self {
        error.to_status()
    }
}
