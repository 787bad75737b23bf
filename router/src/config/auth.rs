//! The `[auth]` section: verifying clients' access tokens at the edge.

use std::collections::BTreeMap;

use kernel::auth::VerifierConfig;

use crate::auth::requirements::PolicyRule;
use serde::Deserialize;

/// How the router authenticates clients. Off by default: subgraphs verify the forwarded token themselves, and
/// with verification off every request counts as anonymous for `@authenticated` and `@requiresScopes`.
///
/// ```toml
/// [auth]
/// enabled = true
/// cookie = "session"
/// forward_claims = { sub = "x-user-id" }
/// [auth.policies.staff]               # for `@policy(policies: [["staff"]])`
/// roles = ["admin", "editor"]
/// [[auth.issuers]]
/// jwks_url = "http://127.0.0.1:4001/.well-known/jwks.json"
/// issuer = "http://127.0.0.1:4001"
/// audience = "platform"
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Whether tokens are verified here; a request with a token that fails verification gets `401`.
    #[serde(default)]
    pub enabled: bool,
    /// The trusted issuers, each with its JWKS URL and audience; a token is verified by the one its `iss` names.
    #[serde(default = "default_issuers")]
    pub issuers: Vec<VerifierConfig>,
    /// The header carrying the token.
    #[serde(default = "default_header")]
    pub header: String,
    /// The scheme before the token in that header.
    #[serde(default = "default_scheme")]
    pub scheme: String,
    /// A cookie to read the token from when the header is absent (browser sessions).
    #[serde(default)]
    pub cookie: Option<String>,
    /// Claims copied into headers on subgraph requests: claim name → header name. A client-sent header of the
    /// same name is always removed, so only a verified claim reaches a subgraph.
    #[serde(default)]
    pub forward_claims: BTreeMap<String, String>,
    /// Whether requests without a token are refused with `401` instead of running anonymously.
    #[serde(default)]
    pub require_authentication: bool,
    /// The rules `@policy(policies: …)` names are judged by; a policy not defined here never holds.
    #[serde(default)]
    pub policies: BTreeMap<String, PolicyRule>,
}

fn default_issuers() -> Vec<VerifierConfig> {
    vec![VerifierConfig::default()]
}

fn default_header() -> String {
    "authorization".to_owned()
}

fn default_scheme() -> String {
    "Bearer".to_owned()
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            issuers: default_issuers(),
            header: default_header(),
            scheme: default_scheme(),
            cookie: None,
            forward_claims: BTreeMap::new(),
            require_authentication: false,
            policies: BTreeMap::new(),
        }
    }
}
