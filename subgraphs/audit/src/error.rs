//! Audit's error type and how it reaches clients: a GraphQL error with `extensions.code`, or a gRPC status.

use kernel::error_code::ErrorCode;
use sea_orm::DbErr;

use crate::access::AccessError;
use crate::domain::InvalidInput;

/// What can go wrong while recording or reading the log.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The client sent a value audit refuses.
    #[error("{0}")]
    InvalidInput(#[from] InvalidInput),
    /// The caller may not read the log.
    #[error("{0}")]
    Forbidden(String),
    /// Authz could not be asked whether the caller may read the log.
    #[error("the access check failed: {0}")]
    Access(#[from] AccessError),
    /// The database failed; details are logged, never sent to clients.
    #[error("the audit database failed: {0}")]
    Store(#[from] DbErr),
}

impl AuditError {
    /// The shared error code clients branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidInput(_) => ErrorCode::BadUserInput,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::Access(_) => ErrorCode::ServiceUnavailable,
            Self::Store(_) => ErrorCode::InternalServerError,
        }
    }

    /// The message a client sees: the error itself, except for internal failures, which are logged instead.
    pub fn client_message(&self) -> String {
        match self {
            Self::Store(_) => {
                tracing::error!(error = %self, "audit request failed");
                "audit could not complete the request; try again".to_owned()
            }
            Self::Access(_) => {
                tracing::error!(error = %self, "audit could not check access");
                "audit could not check whether you may read the log; try again".to_owned()
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

impl From<AuditError> for tonic::Status {
    fn from(error: AuditError) -> Self {
        error.to_status()
    }
}
