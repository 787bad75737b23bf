//! Refresh tokens: 32 random bytes given to the client once, kept by the server only as their SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// A refresh token as the client holds it; wrapped so it never prints.
#[derive(Debug, Clone)]
pub struct RefreshToken(SecretString);

impl RefreshToken {
    /// A fresh token from the operating system's random source.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0_u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(Self(SecretString::from(URL_SAFE_NO_PAD.encode(bytes))))
    }

    /// A token presented by a client.
    pub fn from_client(raw: &str) -> Self {
        Self(SecretString::from(raw.trim().to_owned()))
    }

    /// The token text, to hand to the client.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The hash under which the store keeps it. A high-entropy token needs no slow hash: guessing is hopeless.
    pub fn hash(&self) -> RefreshTokenHash {
        let digest = Sha256::digest(self.0.expose_secret().as_bytes());
        RefreshTokenHash(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// The hex SHA-256 of a refresh token, the only form the store holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenHash(String);

impl RefreshTokenHash {
    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hash_stably() {
        let a = RefreshToken::generate().unwrap();
        let b = RefreshToken::generate().unwrap();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 43);
        assert_eq!(a.hash(), RefreshToken::from_client(a.expose()).hash());
        assert_eq!(a.hash().as_str().len(), 64);
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
