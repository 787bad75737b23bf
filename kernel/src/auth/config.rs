//! Config sections for verifying and issuing tokens.

use serde::Deserialize;

/// How a service or the router verifies access tokens.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifierConfig {
    /// Where the JWKS is fetched from, e.g. identity's `/.well-known/jwks.json`.
    #[serde(default = "default_jwks_url")]
    pub jwks_url: String,
    /// The only issuer accepted (`iss`).
    #[serde(default = "default_issuer")]
    pub issuer: String,
    /// The only audience accepted (`aud`).
    #[serde(default = "default_audience")]
    pub audience: String,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    #[serde(default = "default_leeway_secs")]
    pub leeway_secs: u64,
    /// How often the JWKS is refetched, in seconds.
    #[serde(default = "default_refresh_secs")]
    pub jwks_refresh_secs: u64,
    /// The shortest interval between two refetches caused by unknown `kid`s, in seconds, so forged `kid`s
    /// cannot make the verifier hammer the JWKS endpoint.
    #[serde(default = "default_min_refresh_secs")]
    pub jwks_min_refresh_secs: u64,
    /// Timeout of one JWKS fetch, in milliseconds.
    #[serde(default = "default_fetch_timeout_ms")]
    pub jwks_fetch_timeout_ms: u64,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        Self {
            jwks_url: default_jwks_url(),
            issuer: default_issuer(),
            audience: default_audience(),
            leeway_secs: default_leeway_secs(),
            jwks_refresh_secs: default_refresh_secs(),
            jwks_min_refresh_secs: default_min_refresh_secs(),
            jwks_fetch_timeout_ms: default_fetch_timeout_ms(),
        }
    }
}

/// How identity issues access tokens.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// The `iss` written into tokens.
    #[serde(default = "default_issuer")]
    pub issuer: String,
    /// The `aud` written into tokens.
    #[serde(default = "default_audience")]
    pub audience: String,
    /// Access token lifetime, in seconds.
    #[serde(default = "default_access_ttl_secs")]
    pub access_token_ttl_secs: u64,
}

impl Default for IssuerConfig {
    fn default() -> Self {
        Self {
            issuer: default_issuer(),
            audience: default_audience(),
            access_token_ttl_secs: default_access_ttl_secs(),
        }
    }
}

fn default_jwks_url() -> String {
    "http://127.0.0.1:4001/.well-known/jwks.json".to_owned()
}

fn default_issuer() -> String {
    "http://127.0.0.1:4001".to_owned()
}

fn default_audience() -> String {
    "platform".to_owned()
}

fn default_leeway_secs() -> u64 {
    30
}

fn default_refresh_secs() -> u64 {
    300
}

fn default_min_refresh_secs() -> u64 {
    10
}

fn default_fetch_timeout_ms() -> u64 {
    3_000
}

fn default_access_ttl_secs() -> u64 {
    900
}
