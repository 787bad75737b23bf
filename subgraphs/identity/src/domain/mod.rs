//! Identity's types and rules, free of I/O: values that cannot exist unless they are valid.

mod display_name;
mod email;
pub mod password;
mod refresh_token;
mod user;

pub use display_name::DisplayName;
pub use email::Email;
pub use password::{Argon2Params, Password, PasswordHash, PasswordHasher};
pub use refresh_token::{RefreshToken, RefreshTokenHash};
pub use user::{UserId, UserStatus};

/// Why a value from a client was refused; the message is safe to show that client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidInput {
    /// The input field, as the client named it.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl InvalidInput {
    pub(crate) fn new(field: &'static str, reason: &'static str) -> Self {
        Self { field, reason }
    }
}
