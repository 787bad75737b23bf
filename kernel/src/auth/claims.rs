//! The claims of the platform's access tokens.

use serde::{Deserialize, Serialize};

/// The role a service's own token carries (identity mints such tokens): over gRPC a service may ask about any
/// subject, where a user's token may ask only about that user.
pub const SERVICE_ROLE: &str = "service";

/// The claims every access token carries. `aud` is a single audience; `scope` is the OAuth space-separated list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The subject: the user's id.
    pub sub: String,
    /// The issuer URL.
    pub iss: String,
    /// The audience the token is for.
    pub aud: String,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Issued-at, seconds since the Unix epoch.
    pub iat: u64,
    /// Not-before, seconds since the Unix epoch.
    pub nbf: u64,
    /// A unique token id, for audit and revocation lists.
    pub jti: String,
    /// The subject's role names.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Space-separated scopes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
}

impl Claims {
    /// The scopes as separate strings.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_ascii_whitespace()
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }

    /// Whether the subject holds `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Whether the token is a service's own ([`SERVICE_ROLE`]).
    pub fn is_service(&self) -> bool {
        self.has_role(SERVICE_ROLE)
    }
}
