//! Signing keys and their public JWK form.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, KeyAlgorithm, OctetKeyPairParameters, OctetKeyPairType,
    PublicKeyUse,
};
use jsonwebtoken::{Algorithm, EncodingKey};
use secrecy::SecretString;

use super::AuthError;

/// A private key that signs tokens, with the id (`kid`) and public JWK under which verifiers find it.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    algorithm: Algorithm,
    encoding: EncodingKey,
    public_jwk: Jwk,
    pkcs8_pem: SecretString,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

impl SigningKey {
    /// A fresh Ed25519 key from the operating system's random source.
    pub fn generate_ed25519(kid: impl Into<String>) -> Result<Self, AuthError> {
        let mut seed = [0_u8; 32];
        getrandom::fill(&mut seed).map_err(|e| AuthError::Signing(format!("no randomness for a new key: {e}")))?;
        Self::from_ed25519(kid.into(), ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// An Ed25519 key from its PKCS#8 PEM text (as written by [`SigningKey::pkcs8_pem`] or `openssl genpkey`).
    pub fn from_ed25519_pem(kid: impl Into<String>, pem: &str) -> Result<Self, AuthError> {
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| AuthError::Signing(format!("not an Ed25519 PKCS#8 PEM key: {e}")))?;
        Self::from_ed25519(kid.into(), key)
    }

    fn from_ed25519(kid: String, key: ed25519_dalek::SigningKey) -> Result<Self, AuthError> {
        let der = key
            .to_pkcs8_der()
            .map_err(|e| AuthError::Signing(format!("encode the key: {e}")))?;
        let pem = key
            .to_pkcs8_pem(Default::default())
            .map_err(|e| AuthError::Signing(format!("encode the key: {e}")))?;
        let x = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
        let public_jwk = Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(KeyAlgorithm::EdDSA),
                key_id: Some(kid.clone()),
                ..CommonParameters::default()
            },
            algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                key_type: OctetKeyPairType::OctetKeyPair,
                curve: EllipticCurve::Ed25519,
                x,
            }),
        };
        Ok(Self {
            kid,
            algorithm: Algorithm::EdDSA,
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            public_jwk,
            pkcs8_pem: SecretString::from(pem.to_string()),
        })
    }

    /// The key id written into token headers and the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The signing algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The public half, as published in the JWKS.
    pub fn public_jwk(&self) -> &Jwk {
        &self.public_jwk
    }

    /// The private key as PKCS#8 PEM, for storing it; it stays wrapped so it never prints.
    pub fn pkcs8_pem(&self) -> &SecretString {
        &self.pkcs8_pem
    }

    pub(super) fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }
}
