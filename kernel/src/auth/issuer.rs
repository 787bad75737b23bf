//! Issuing access tokens, with key rotation: one active key signs, retired keys are still published.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Header, encode};

use super::{AuthError, Claims, IssuerConfig, SigningKey};

/// A signed access token and the claims inside it.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The compact JWT.
    pub token: String,
    /// Its claims.
    pub claims: Claims,
}

/// Signs access tokens with the active key and publishes the JWKS of the active and retired keys, so tokens
/// signed before a rotation keep verifying until they expire.
#[derive(Debug, Clone)]
pub struct TokenIssuer {
    config: IssuerConfig,
    active: SigningKey,
    retired: Vec<SigningKey>,
}

impl TokenIssuer {
    /// An issuer that signs with `active`.
    pub fn new(config: IssuerConfig, active: SigningKey) -> Self {
        Self {
            config,
            active,
            retired: Vec::new(),
        }
    }

    /// Keys that no longer sign but still verify tokens they signed earlier.
    pub fn with_retired(mut self, retired: Vec<SigningKey>) -> Self {
        self.retired = retired;
        self
    }

    /// Issues a token for `subject` now.
    pub fn issue(&self, subject: &str, roles: Vec<String>, scope: &str) -> Result<IssuedToken, AuthError> {
        self.issue_at(subject, roles, scope, jsonwebtoken::get_current_timestamp())
    }

    /// Issues a token as if the clock read `now` (seconds since the epoch).
    pub fn issue_at(&self, subject: &str, roles: Vec<String>, scope: &str, now: u64) -> Result<IssuedToken, AuthError> {
        let claims = Claims {
            sub: subject.to_owned(),
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            exp: now.saturating_add(self.config.access_token_ttl_secs),
            iat: now,
            nbf: now,
            jti: uuid::Uuid::now_v7().to_string(),
            roles,
            scope: scope.to_owned(),
        };
        let token = self.sign(&claims)?;
        Ok(IssuedToken { token, claims })
    }

    /// Signs arbitrary claims with the active key.
    pub fn sign(&self, claims: &Claims) -> Result<String, AuthError> {
        let mut header = Header::new(self.active.algorithm());
        header.kid = Some(self.active.kid().to_owned());
        encode(&header, claims, self.active.encoding_key()).map_err(|e| AuthError::Signing(e.to_string()))
    }

    /// The public keys of the active and retired keys, as served at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> JwkSet {
        let keys = std::iter::once(&self.active)
            .chain(&self.retired)
            .map(|k| k.public_jwk().clone())
            .collect();
        JwkSet { keys }
    }

    /// The active key's id.
    pub fn active_kid(&self) -> &str {
        self.active.kid()
    }
}
