//! Blog's error type and how it reaches clients: a GraphQL error with `extensions.code`, or a gRPC status.

use kernel::error_code::ErrorCode;
use kernel::outbox::OutboxError;
use sea_orm::DbErr;

use crate::domain::{InvalidInput, TransitionRefused};

/// What can go wrong while reading or changing posts and comments.
#[derive(Debug, thiserror::Error)]
pub enum BlogError {
    /// The client sent a value the blog refuses.
    #[error("{0}")]
    InvalidInput(#[from] InvalidInput),
    /// The post or comment does not exist (or the caller may not see it).
    #[error("{0}")]
    NotFound(String),
    /// The change conflicts with the current state: a taken slug, or a status that does not allow it.
    #[error("{0}")]
    Conflict(String),
    /// The database failed; details are logged, never sent to clients.
    #[error("the blog database failed: {0}")]
    Store(#[from] DbErr),
    /// The change's event could not be written; the change was rolled back.
    #[error("the blog could not record the change's event: {0}")]
    Outbox(#[from] OutboxError),
    /// Authz could not be asked whether the caller may see something.
    #[error("the access check failed: {0}")]
    Access(#[from] kernel::access::AccessError),
}

impl From<TransitionRefused> for BlogError {
    fn from(refused: TransitionRefused) -> Self {
        Self::Conflict(refused.to_string())
    }
}

impl BlogError {
    /// The shared error code clients branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidInput(_) => ErrorCode::BadUserInput,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::Access(_) => ErrorCode::ServiceUnavailable,
            Self::Store(_) | Self::Outbox(_) => ErrorCode::InternalServerError,
        }
    }

    /// The message a client sees: the error itself, except for internal failures, which are logged instead.
    pub fn client_message(&self) -> String {
        match self {
            Self::Store(_) | Self::Outbox(_) => {
                tracing::error!(error = %self, "blog request failed");
                "the blog could not complete the request; try again".to_owned()
            }
            Self::Access(_) => {
                tracing::warn!(error = %self, "blog could not check access");
                "authorization is unavailable right now; try again shortly".to_owned()
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

/// Turns a blog result into a GraphQL one carrying the error's code (async-graphql's own conversion would keep the
/// message only, and would pass internal details on).
pub(crate) trait GraphqlResult<T> {
    /// The result with a [`BlogError`] turned into its coded GraphQL error.
    fn graphql(self) -> async_graphql::Result<T>;
}

impl<T, E: Into<BlogError>> GraphqlResult<T> for Result<T, E> {
    fn graphql(self) -> async_graphql::Result<T> {
        self.map_err(|error| error.into().to_graphql())
    }
}

impl From<BlogError> for tonic::Status {
    fn from(error: BlogError) -> Self {
        error.to_status()
    }
}
