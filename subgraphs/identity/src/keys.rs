//! The signing keys named by config, in rotation order: the first signs, the rest only verify.

use kernel::auth::{AuthError, IssuerConfig, SigningKey, TokenIssuer};
use secrecy::ExposeSecret;
#[cfg(test)]
use secrecy::SecretString;

use crate::config::SigningKeyConfig;

/// Why the configured keys could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A key names both or neither of `pem_file` and `pem`.
    #[error("tokens.signing_keys[{index}] (kid `{kid}`) must set exactly one of `pem_file` and `pem`")]
    Source {
        /// Position in the list.
        index: usize,
        /// Its kid.
        kid: String,
    },
    /// Two keys share a kid, so verifiers could not tell them apart.
    #[error("tokens.signing_keys: kid `{0}` is used twice")]
    DuplicateKid(String),
    /// The PEM file could not be read.
    #[error("tokens.signing_keys[{index}]: cannot read {path}: {source}")]
    Read {
        /// Position in the list.
        index: usize,
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The PEM is not an Ed25519 PKCS#8 key (or a key could not be generated).
    #[error("tokens.signing_keys[{index}]: {source}")]
    Key {
        /// Position in the list.
        index: usize,
        /// Why.
        source: AuthError,
    },
}

/// The keys a [`TokenIssuer`] is built from: `active` signs, `retired` still verify.
#[derive(Debug, Clone)]
pub struct SigningKeys {
    /// The key that signs new tokens.
    pub active: SigningKey,
    /// Earlier keys, published until the tokens they signed have expired.
    pub retired: Vec<SigningKey>,
}

impl SigningKeys {
    /// One key that signs, nothing retired.
    pub fn single(active: SigningKey) -> Self {
        Self {
            active,
            retired: Vec::new(),
        }
    }

    /// Loads the configured keys; with none configured, generates one and warns, since tokens it signs stop
    /// verifying when the process restarts.
    pub fn from_config(configs: &[SigningKeyConfig]) -> Result<Self, KeyError> {
        let mut keys = Vec::with_capacity(configs.len());
        for (index, config) in configs.iter().enumerate() {
            if keys.iter().any(|k: &SigningKey| k.kid() == config.kid) {
                return Err(KeyError::DuplicateKid(config.kid.clone()));
            }
            let pem = match (&config.pem_file, &config.pem) {
                (Some(path), None) => std::fs::read_to_string(path).map_err(|source| KeyError::Read {
                    index,
                    path: path.display().to_string(),
                    source,
                })?,
                (None, Some(pem)) => pem.expose_secret().to_owned(),
                _ => {
                    return Err(KeyError::Source {
                        index,
                        kid: config.kid.clone(),
                    });
                }
            };
            let key = SigningKey::from_ed25519_pem(config.kid.clone(), &pem)
                .map_err(|source| KeyError::Key { index, source })?;
            keys.push(key);
        }
        let mut keys = keys.into_iter();
        match keys.next() {
            Some(active) => Ok(Self {
                active,
                retired: keys.collect(),
            }),
            None => {
                tracing::warn!(
                    "no tokens.signing_keys configured: generated a key for this process only; tokens it signs \
                     stop verifying on restart. Configure keys for anything but local development"
                );
                let kid = format!("dev-{}", uuid::Uuid::now_v7().simple());
                let active = SigningKey::generate_ed25519(kid).map_err(|source| KeyError::Key { index: 0, source })?;
                Ok(Self::single(active))
            }
        }
    }

    /// The issuer that signs with the active key and publishes every key.
    pub fn issuer(&self, config: IssuerConfig) -> TokenIssuer {
        TokenIssuer::new(config, self.active.clone()).with_retired(self.retired.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inline(kid: &str) -> SigningKeyConfig {
        let key = SigningKey::generate_ed25519(kid).unwrap();
        SigningKeyConfig {
            kid: kid.to_owned(),
            pem_file: None,
            pem: Some(key.pkcs8_pem().clone()),
        }
    }

    #[test]
    fn first_configured_key_signs_and_the_rest_are_published() {
        let keys = SigningKeys::from_config(&[inline("new"), inline("old")]).unwrap();
        assert_eq!(keys.active.kid(), "new");
        let issuer = keys.issuer(IssuerConfig::default());
        assert_eq!(issuer.active_kid(), "new");
        let kids: Vec<_> = issuer
            .jwks()
            .keys
            .iter()
            .filter_map(|k| k.common.key_id.clone())
            .collect();
        assert_eq!(kids, ["new", "old"]);
    }

    #[test]
    fn no_configured_key_generates_one_for_development() {
        let keys = SigningKeys::from_config(&[]).unwrap();
        assert!(keys.active.kid().starts_with("dev-"));
        assert!(keys.retired.is_empty());
    }

    #[test]
    fn bad_key_configs_are_refused_with_the_setting_named() {
        let mut both = inline("a");
        both.pem_file = Some("/nonexistent.pem".into());
        let error = SigningKeys::from_config(&[both]).unwrap_err();
        assert!(error.to_string().contains("tokens.signing_keys[0]"), "{error}");

        let duplicate = SigningKeys::from_config(&[inline("a"), inline("a")]).unwrap_err();
        assert!(matches!(duplicate, KeyError::DuplicateKid(_)), "{duplicate}");

        let missing_file = SigningKeyConfig {
            kid: "f".into(),
            pem_file: Some("/nonexistent/identity.pem".into()),
            pem: None,
        };
        let error = SigningKeys::from_config(&[missing_file]).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/identity.pem"), "{error}");

        let garbage = SigningKeyConfig {
            kid: "g".into(),
            pem_file: None,
            pem: Some(SecretString::from(
                "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----",
            )),
        };
        assert!(matches!(
            SigningKeys::from_config(&[garbage]),
            Err(KeyError::Key { index: 0, .. })
        ));
    }
}
