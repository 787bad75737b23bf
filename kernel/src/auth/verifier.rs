//! Verifying access tokens.

use jsonwebtoken::{Validation, decode, decode_header};

use super::{AuthError, Claims, JwksSource, VerifierConfig};

/// Verifies access tokens: signature by the key named in `kid`, with that key's algorithm only; `exp` and `nbf`
/// within the configured clock skew; `iss` and `aud` equal to the configured values.
#[derive(Clone)]
pub struct JwtVerifier {
    config: VerifierConfig,
    keys: JwksSource,
}

impl JwtVerifier {
    /// A verifier trusting `keys`.
    pub fn new(config: VerifierConfig, keys: JwksSource) -> Self {
        Self { config, keys }
    }

    /// The keys this verifier trusts.
    pub fn keys(&self) -> &JwksSource {
        &self.keys
    }

    /// The issuer, audience and key settings this verifier checks against.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Verifies `token` and returns its claims.
    pub async fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let header = decode_header(token).map_err(|e| match AuthError::from_jwt(&e) {
            AuthError::AlgorithmNotAccepted => AuthError::AlgorithmNotAccepted,
            _ => AuthError::Malformed,
        })?;
        let kid = header.kid.as_deref().ok_or(AuthError::UnknownKey)?;
        let key = self.keys.key_for(kid).await?;
        if header.alg != key.algorithm {
            return Err(AuthError::AlgorithmNotAccepted);
        }
        let mut validation = Validation::new(key.algorithm);
        validation.leeway = self.config.leeway_secs;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        decode::<Claims>(token, &key.key, &validation)
            .map(|data| data.claims)
            .map_err(|e| AuthError::from_jwt(&e))
    }
}
