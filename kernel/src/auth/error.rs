//! Why a token was refused or could not be made.

use crate::error_code::ErrorCode;

/// A token verification or signing failure. The messages are safe to show a client.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The token is not a well-formed JWT.
    #[error("the token is malformed")]
    Malformed,
    /// The token's header names an algorithm other than its key's, or one that is never accepted.
    #[error("the token's algorithm is not accepted")]
    AlgorithmNotAccepted,
    /// No key with the token's `kid` is known, even after refreshing the JWKS.
    #[error("the token was signed by an unknown key")]
    UnknownKey,
    /// The signature does not match the content.
    #[error("the token's signature is invalid")]
    InvalidSignature,
    /// `exp` is in the past (beyond the allowed clock skew).
    #[error("the token has expired")]
    Expired,
    /// `nbf` is in the future (beyond the allowed clock skew).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `iss` is not the configured issuer.
    #[error("the token was issued by an untrusted issuer")]
    WrongIssuer,
    /// `aud` is not the configured audience.
    #[error("the token is not meant for this audience")]
    WrongAudience,
    /// The JWKS could not be fetched or parsed; the detail is logged, not sent to clients.
    #[error("signing keys are unavailable")]
    KeysUnavailable(String),
    /// A key could not be made or used to sign.
    #[error("signing failed: {0}")]
    Signing(String),
}

impl AuthError {
    /// The code a client sees for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::KeysUnavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Signing(_) => ErrorCode::InternalServerError,
            _ => ErrorCode::Unauthenticated,
        }
    }

    pub(super) fn from_jwt(error: &jsonwebtoken::errors::Error) -> Self {
        use jsonwebtoken::errors::ErrorKind;
        match error.kind() {
            ErrorKind::ExpiredSignature => Self::Expired,
            ErrorKind::ImmatureSignature => Self::NotYetValid,
            ErrorKind::InvalidIssuer => Self::WrongIssuer,
            ErrorKind::InvalidAudience => Self::WrongAudience,
            ErrorKind::InvalidSignature => Self::InvalidSignature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName | ErrorKind::MissingAlgorithm => {
                Self::AlgorithmNotAccepted
            }
            _ => Self::Malformed,
        }
    }
}
