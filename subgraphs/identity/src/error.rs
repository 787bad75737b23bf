//! What can go wrong serving a request, and the code and message a client sees for it.

use kernel::auth::AuthError;
use kernel::error_code::ErrorCode;
use kernel::outbox::OutboxError;

use crate::domain::InvalidInput;
use crate::domain::password::HashError;
use crate::roles::RoleSourceError;
use crate::store::StoreError;

/// A failed identity operation. [`IdentityError::code`] and [`IdentityError::client_message`] are what a client
/// sees; everything else is logged.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// A field the client sent is invalid.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// The e-mail address is already registered (in any letter case).
    #[error("this e-mail address is already registered")]
    EmailTaken,
    /// Wrong e-mail or wrong password (never says which), or a disabled account.
    #[error("the e-mail address or password is wrong")]
    InvalidCredentials,
    /// The refresh token is unknown, expired or revoked, or its user is disabled.
    #[error("the refresh token is invalid or has expired")]
    InvalidRefreshToken,
    /// A spent refresh token was presented again; its whole session has been revoked.
    #[error("the refresh token was already used; the session has been revoked, sign in again")]
    RefreshTokenReplayed,
    /// Too many sign-in attempts for this account or from this address.
    #[error("too many sign-in attempts; try again later")]
    RateLimited,
    /// The sign-in counters could not be read, so the attempt is refused rather than let through uncounted.
    #[error("sign-in rate limit counters unavailable: {0}")]
    LimiterUnavailable(#[source] kernel::cache::CacheError),
    /// No user has this id.
    #[error("no user has this id")]
    UserNotFound,
    /// The caller's account is disabled: its access token, valid until it expires, is refused.
    #[error("this account is disabled")]
    AccountDisabled,
    /// The caller may not do this (read another user's private fields, say); the text says what.
    #[error("{0}")]
    Forbidden(String),
    /// Roles could not be read from authz.
    #[error(transparent)]
    RolesUnavailable(#[from] RoleSourceError),
    /// The database failed.
    #[error(transparent)]
    Store(StoreError),
    /// The event could not be written to the outbox.
    #[error("outbox: {0}")]
    Outbox(#[from] OutboxError),
    /// A password could not be hashed.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// An access token could not be signed.
    #[error("token: {0}")]
    Token(#[from] AuthError),
    /// Something else internal (no randomness, a task that panicked).
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for IdentityError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict => Self::EmailTaken,
            other => Self::Store(other),
        }
    }
}

impl From<sea_orm::DbErr> for IdentityError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::from(StoreError::from(error))
    }
}

impl IdentityError {
    /// The code a client branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidInput(_) => ErrorCode::BadUserInput,
            Self::EmailTaken => ErrorCode::Conflict,
            Self::InvalidCredentials | Self::InvalidRefreshToken | Self::RefreshTokenReplayed => {
                ErrorCode::Unauthenticated
            }
            Self::RateLimited => ErrorCode::RateLimited,
            Self::UserNotFound => ErrorCode::NotFound,
            Self::AccountDisabled | Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::RolesUnavailable(_) | Self::LimiterUnavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Store(_) | Self::Outbox(_) | Self::Hash(_) | Self::Token(_) | Self::Internal(_) => {
                ErrorCode::InternalServerError
            }
        }
    }

    /// The message a client sees: the error itself for client errors, a generic sentence for internal ones.
    pub fn client_message(&self) -> String {
        match self.code() {
            ErrorCode::InternalServerError => "an internal error occurred".to_owned(),
            ErrorCode::ServiceUnavailable => "a service identity depends on is unavailable; try again".to_owned(),
            _ => self.to_string(),
        }
    }

    /// The GraphQL error for this failure, logging internals first.
    pub fn into_graphql(self) -> async_graphql::Error {
        let code = self.code();
        if matches!(code, ErrorCode::InternalServerError | ErrorCode::ServiceUnavailable) {
            tracing::error!(error = %self, "identity request failed");
        }
        kernel::graphql::error(code, self.client_message())
    }
}

/// Why the service could not start. Printed to the operator, so it names the setting at fault.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration could not be loaded.
    #[error(transparent)]
    Config(#[from] kernel::config::ConfigError),
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Database(#[from] kernel::db::DbError),
    /// The cache could not be reached.
    #[error(transparent)]
    Cache(#[from] kernel::cache::CacheError),
    /// The event bus could not be set up.
    #[error(transparent)]
    Events(#[from] kernel::events::EventsError),
    /// The signing keys could not be loaded.
    #[error(transparent)]
    Keys(#[from] crate::keys::KeyError),
    /// The argon2 parameters are invalid.
    #[error("passwords.argon2: {0}")]
    Hash(#[from] HashError),
    /// The authz channel could not be built.
    #[error("authz.address: {0}")]
    Authz(#[from] kernel::grpc::GrpcError),
    /// Identity serves gRPC, so it needs a gRPC address.
    #[error("server.grpc_addr must be set: identity serves gRPC")]
    GrpcAddrMissing,
    /// The listeners could not be bound or served.
    #[error(transparent)]
    Server(#[from] kernel::server::ServerError),
    /// A background task failed.
    #[error("task failed: {0}")]
    Task(String),
}
