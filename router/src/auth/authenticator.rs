//! [`Authenticator`]: finds, verifies and forwards a request's token.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue};
use kernel::auth::{AuthError, Claims, JwksSource, JwtVerifier};
use kernel::error_code::ErrorCode;
use secrecy::{ExposeSecret, SecretString};
use tokio_util::sync::CancellationToken;

use crate::config::AuthConfig;
use crate::operation::GraphQLError;

/// Why the `[auth]` section cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AuthConfigError {
    /// `enabled` with no issuer to trust.
    #[error("auth.issuers is empty: name at least one issuer to verify tokens against")]
    NoIssuers,
    /// A header name is not a valid HTTP header name.
    #[error("auth.{key}: `{name}` is not a valid header name")]
    Header {
        /// `header` or `forward_claims`.
        key: &'static str,
        /// The name as configured.
        name: String,
    },
    /// `forward_claims` names a claim tokens do not carry.
    #[error("auth.forward_claims: `{0}` is not a token claim (one of {CLAIMS})", CLAIMS = FORWARDABLE_CLAIMS.join(", "))]
    UnknownClaim(String),
    /// A JWKS client could not be built.
    #[error("auth.issuers: {0}")]
    Keys(#[from] AuthError),
}

/// A request whose token verified.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The token's claims.
    pub claims: Arc<Claims>,
    /// The token itself, forwarded to subgraphs.
    pub token: SecretString,
}

/// Verifies clients' tokens as the `[auth]` section says.
#[derive(Clone)]
pub struct Authenticator {
    verifiers: Vec<JwtVerifier>,
    header: HeaderName,
    scheme: String,
    cookie: Option<String>,
    forward_claims: Vec<(String, HeaderName)>,
    require_authentication: bool,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field(
                "issuers",
                &self.verifiers.iter().map(|v| &v.config().issuer).collect::<Vec<_>>(),
            )
            .field("header", &self.header)
            .field("cookie", &self.cookie)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// An authenticator fetching each issuer's JWKS from its URL (lazily, then on schedule and on unknown `kid`).
    pub fn from_config(config: &AuthConfig) -> Result<Self, AuthConfigError> {
        let verifiers = config
            .issuers
            .iter()
            .map(|issuer| Ok(JwtVerifier::new(issuer.clone(), JwksSource::remote(issuer)?)))
            .collect::<Result<Vec<_>, AuthError>>()?;
        Self::with_verifiers(config, verifiers)
    }

    /// An authenticator trusting `verifiers` (one per issuer), with the rest of `config`.
    pub fn with_verifiers(config: &AuthConfig, verifiers: Vec<JwtVerifier>) -> Result<Self, AuthConfigError> {
        if verifiers.is_empty() {
            return Err(AuthConfigError::NoIssuers);
        }
        let header_name = |key: &'static str, name: &str| {
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| AuthConfigError::Header {
                key,
                name: name.to_owned(),
            })
        };
        let forward_claims = config
            .forward_claims
            .iter()
            .map(|(claim, header)| {
                if !FORWARDABLE_CLAIMS.contains(&claim.as_str()) {
                    return Err(AuthConfigError::UnknownClaim(claim.clone()));
                }
                Ok((claim.clone(), header_name("forward_claims", header)?))
            })
            .collect::<Result<Vec<_>, AuthConfigError>>()?;
        Ok(Self {
            verifiers,
            header: header_name("header", &config.header)?,
            scheme: config.scheme.clone(),
            cookie: config.cookie.clone(),
            forward_claims,
            require_authentication: config.require_authentication,
        })
    }

    /// The header names verified claims are copied into; subgraph requests forward them.
    pub fn claim_headers(&self) -> impl Iterator<Item = &HeaderName> {
        self.forward_claims.iter().map(|(_, header)| header)
    }

    /// Refetches every issuer's JWKS on its `jwks_refresh_secs` schedule until `cancel` fires.
    pub fn spawn_refresh(&self, cancel: &CancellationToken) {
        for verifier in &self.verifiers {
            let every = Duration::from_secs(verifier.config().jwks_refresh_secs.max(1));
            verifier.keys().spawn_refresh(every, cancel.clone());
        }
    }

    /// Authenticates the request whose headers are `headers`, rewriting them for the subgraphs: the verified
    /// token as `Authorization: Bearer …`, claim headers set from verified claims, client-sent claim headers
    /// removed. `None` for an anonymous request; the error a client sees when it is refused.
    pub async fn authenticate(&self, headers: &mut HeaderMap) -> Result<Option<Authenticated>, GraphQLError> {
        for (_, header) in &self.forward_claims {
            headers.remove(header);
        }
        let Some(token) = self.token(headers)? else {
            headers.remove(AUTHORIZATION);
            if self.require_authentication {
                return Err(GraphQLError::new(
                    ErrorCode::Unauthenticated,
                    "this API needs an access token",
                ));
            }
            return Ok(None);
        };
        let claims = self.verify(token.expose_secret()).await.map_err(|error| {
            if error.code() != ErrorCode::Unauthenticated {
                tracing::warn!(%error, detail = ?error, "a token could not be verified");
            }
            GraphQLError::new(error.code(), error.to_string())
        })?;
        // Subgraphs verify the same token themselves, whichever way it arrived.
        let bearer = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| GraphQLError::new(ErrorCode::Unauthenticated, "the token is malformed"))?;
        headers.insert(AUTHORIZATION, bearer);
        for (claim, header) in &self.forward_claims {
            if let Some(value) = claim_text(&claims, claim).and_then(|text| HeaderValue::from_str(&text).ok()) {
                headers.insert(header.clone(), value);
            }
        }
        Ok(Some(Authenticated {
            claims: Arc::new(claims),
            token,
        }))
    }

    /// The token from the configured header (with the configured scheme), else from the cookie.
    fn token(&self, headers: &HeaderMap) -> Result<Option<SecretString>, GraphQLError> {
        if let Some(value) = headers.get(&self.header) {
            let text = value.to_str().unwrap_or_default();
            let token = text
                .split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case(&self.scheme))
                .map(|(_, token)| token.trim())
                .filter(|token| !token.is_empty());
            return match token {
                Some(token) => Ok(Some(SecretString::from(token.to_owned()))),
                None => Err(GraphQLError::new(
                    ErrorCode::Unauthenticated,
                    format!("the `{}` header must be `{} <token>`", self.header, self.scheme),
                )),
            };
        }
        let Some(cookie) = &self.cookie else {
            return Ok(None);
        };
        Ok(headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| name == cookie)
            .map(|(_, value)| value.trim_matches('"'))
            .filter(|value| !value.is_empty())
            .map(|value| SecretString::from(value.to_owned())))
    }

    /// Verifies `token` with the verifier of the issuer it names; an issuer no verifier trusts is refused
    /// without fetching anything.
    async fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let issuer = unverified_issuer(token).ok_or(AuthError::Malformed)?;
        let verifier = self
            .verifiers
            .iter()
            .find(|verifier| verifier.config().issuer == issuer)
            .ok_or(AuthError::WrongIssuer)?;
        verifier.verify(token).await
    }
}

/// The `iss` a token claims, read without verifying anything: it only picks which issuer's keys verify it.
fn unverified_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("iss")?.as_str().map(str::to_owned)
}

/// The claims `forward_claims` may name.
const FORWARDABLE_CLAIMS: [&str; 8] = ["sub", "iss", "aud", "jti", "scope", "roles", "exp", "iat"];

/// A claim as header text: strings as they are, lists joined with spaces, numbers as digits.
fn claim_text(claims: &Claims, name: &str) -> Option<String> {
    match name {
        "sub" => Some(claims.sub.clone()),
        "iss" => Some(claims.iss.clone()),
        "aud" => Some(claims.aud.clone()),
        "jti" => Some(claims.jti.clone()),
        "scope" => Some(claims.scope.clone()),
        "roles" => Some(claims.roles.join(" ")),
        "exp" => Some(claims.exp.to_string()),
        "iat" => Some(claims.iat.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
