//! JWT plumbing shared by identity (which issues tokens), the router and every subgraph (which verify them).
//!
//! Tokens are signed with asymmetric keys only (EdDSA or RS256), so a verifier never holds a secret that could
//! mint tokens. Verifiers find keys by `kid` in a JWKS that they fetch and refresh ([`JwksSource`]); the
//! algorithm is taken from the key, never from the token, so `alg: none` and HS256-with-the-public-key tokens
//! are refused.

mod bearer;
mod claims;
mod config;
mod error;
mod issuer;
mod jwks;
mod keys;
mod verifier;

pub use bearer::bearer_token;
pub use claims::{Claims, SERVICE_ROLE};
pub use config::{IssuerConfig, VerifierConfig};
pub use error::AuthError;
pub use issuer::{IssuedToken, TokenIssuer};
pub use jwks::JwksSource;
pub use keys::SigningKey;
pub use verifier::JwtVerifier;

#[cfg(test)]
mod tests;
