//! Passwords and their argon2id hashes.

use argon2::password_hash::{PasswordHash as ParsedHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use secrecy::{ExposeSecret, SecretString};

use super::InvalidInput;

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 10;
/// Most characters a password may have; bounds the work one hash costs.
pub const MAX_CHARS: usize = 256;

/// A password a user typed, wrapped so it never prints.
#[derive(Debug, Clone)]
pub struct Password(SecretString);

impl Password {
    /// Accepts 10 to 256 characters; anything else is refused without echoing the value.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(InvalidInput::new(
                "password",
                "the password must have at least 10 characters",
            ));
        }
        if chars > MAX_CHARS {
            return Err(InvalidInput::new(
                "password",
                "the password must have at most 256 characters",
            ));
        }
        Ok(Self(SecretString::from(raw.to_owned())))
    }

    /// Wraps what was typed at sign-in without length rules, so a too-short guess costs as much as any other.
    pub fn attempt(raw: &str) -> Self {
        let bounded: String = raw.chars().take(MAX_CHARS).collect();
        Self(SecretString::from(bounded))
    }

    fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// An argon2id hash in PHC string form (`$argon2id$v=19$m=…`), which carries its own salt and parameters.
#[derive(Clone)]
pub struct PasswordHash(String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash([REDACTED])")
    }
}

impl PasswordHash {
    /// A hash read back from the store.
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    /// The PHC string, for storing.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Params {
    /// Memory per hash, in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes computed in parallel.
    pub parallelism: u32,
}

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The configured parameters are outside what argon2 accepts.
    #[error("invalid argon2 parameters: {0}")]
    Params(String),
    /// Hashing failed (no randomness for a salt, or argon2 refused).
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// Hashes and verifies passwords with argon2id; verification of an unknown account burns the same time against
/// a dummy hash, so response times do not tell whether an e-mail address is registered.
#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    dummy: PasswordHash,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher").finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// A hasher with `params`; computes the dummy hash once, so bad parameters fail at start-up.
    pub fn new(params: Argon2Params) -> Result<Self, HashError> {
        let params = Params::new(params.memory_kib, params.iterations, params.parallelism, None)
            .map_err(|e| HashError::Params(e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut this = Self {
            argon2,
            dummy: PasswordHash(String::new()),
        };
        this.dummy = this.hash(&Password::attempt("not a password anyone has"))?;
        Ok(this)
    }

    /// Hashes `password` with a fresh random salt.
    pub fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        let mut salt = [0_u8; 16];
        getrandom::fill(&mut salt).map_err(|e| HashError::Hash(e.to_string()))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| HashError::Hash(e.to_string()))?;
        self.argon2
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| PasswordHash(hash.to_string()))
            .map_err(|e| HashError::Hash(e.to_string()))
    }

    /// Whether `password` matches `hash`; a hash that cannot be parsed never matches.
    pub fn verify(&self, password: &Password, hash: &PasswordHash) -> bool {
        match ParsedHash::new(hash.as_str()) {
            Ok(parsed) => self
                .argon2
                .verify_password(password.expose().as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }

    /// Spends the time one verification takes, for an account that does not exist.
    pub fn verify_dummy(&self, password: &Password) {
        let _ = self.verify(password, &self.dummy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> PasswordHasher {
        PasswordHasher::new(Argon2Params {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap()
    }

    #[test]
    fn length_rules_apply_and_errors_never_echo_the_password() {
        let error = Password::parse("short-pw").unwrap_err();
        assert!(!error.to_string().contains("short-pw"));
        assert!(Password::parse(&"x".repeat(257)).is_err());
        assert!(Password::parse(&"x".repeat(256)).is_ok());
        assert!(Password::parse("ten chars!").is_ok());
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let hasher = hasher();
        let password = Password::parse("correct horse battery").unwrap();
        let first = hasher.hash(&password).unwrap();
        let second = hasher.hash(&password).unwrap();
        assert!(first.as_str().starts_with("$argon2id$"));
        assert_ne!(first.as_str(), second.as_str(), "each hash has its own salt");
        assert!(hasher.verify(&password, &first));
        assert!(!hasher.verify(&Password::attempt("wrong horse battery"), &first));
        assert!(!hasher.verify(&password, &PasswordHash::from_stored("garbage".into())));
        assert!(!format!("{first:?}").contains("argon2id"));
    }
}
