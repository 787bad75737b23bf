//! Verification keys by `kid`: from a fixed JWKS, or fetched from a URL and refreshed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};
use parking_lot::RwLock;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{AuthError, VerifierConfig};

/// A verification key and the one algorithm it may be used with.
#[derive(Clone)]
pub(super) struct VerificationKey {
    pub(super) algorithm: Algorithm,
    pub(super) key: DecodingKey,
}

/// The keys a verifier trusts. Cloning shares the same key set.
#[derive(Clone)]
pub struct JwksSource {
    inner: Arc<Inner>,
}

struct Inner {
    keys: RwLock<HashMap<String, VerificationKey>>,
    remote: Option<Remote>,
}

struct Remote {
    url: String,
    client: reqwest::Client,
    min_refresh: Duration,
    last_fetch: tokio::sync::Mutex<Option<Instant>>,
}

impl JwksSource {
    /// A fixed key set (for tests and for services that are handed their keys).
    pub fn from_jwks(set: &JwkSet) -> Self {
        Self {
            inner: Arc::new(Inner {
                keys: RwLock::new(index(set)),
                remote: None,
            }),
        }
    }

    /// Keys fetched from `config.jwks_url`, lazily on first use and again when a token names an unknown `kid`
    /// (at most once per `jwks_min_refresh_secs`). Call [`JwksSource::spawn_refresh`] for scheduled refreshes.
    pub fn remote(config: &VerifierConfig) -> Result<Self, AuthError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.jwks_fetch_timeout_ms))
            .build()
            .map_err(|e| AuthError::KeysUnavailable(format!("build the JWKS client: {e}")))?;
        let remote = Remote {
            url: config.jwks_url.clone(),
            client,
            min_refresh: Duration::from_secs(config.jwks_min_refresh_secs),
            last_fetch: tokio::sync::Mutex::new(None),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                keys: RwLock::new(HashMap::new()),
                remote: Some(remote),
            }),
        })
    }

    /// Refetches the JWKS every `every` until `cancel` fires; failures are logged and the old keys kept.
    pub fn spawn_refresh(&self, every: Duration, cancel: CancellationToken) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    _ = ticker.tick() => {
                        if let Err(error) = this.refresh().await {
                            tracing::warn!(%error, detail = ?error, "scheduled JWKS refresh failed; keeping the previous keys");
                        }
                    }
                }
            }
        })
    }

    /// Fetches the JWKS now and replaces the key set. A fixed source has nothing to refresh.
    pub async fn refresh(&self) -> Result<(), AuthError> {
        let Some(remote) = &self.inner.remote else {
            return Ok(());
        };
        let mut last_fetch = remote.last_fetch.lock().await;
        let result = fetch(remote).await;
        *last_fetch = Some(Instant::now());
        let set = result?;
        *self.inner.keys.write() = index(&set);
        Ok(())
    }

    /// The number of usable keys currently held.
    pub fn len(&self) -> usize {
        self.inner.keys.read().len()
    }

    /// Whether no usable key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(super) async fn key_for(&self, kid: &str) -> Result<VerificationKey, AuthError> {
        if let Some(key) = self.inner.keys.read().get(kid) {
            return Ok(key.clone());
        }
        let Some(remote) = &self.inner.remote else {
            return Err(AuthError::UnknownKey);
        };
        {
            let mut last_fetch = remote.last_fetch.lock().await;
            // Another request may have refreshed while this one waited for the lock.
            if let Some(key) = self.inner.keys.read().get(kid) {
                return Ok(key.clone());
            }
            let recently = last_fetch.is_some_and(|at| at.elapsed() < remote.min_refresh);
            if recently {
                return Err(AuthError::UnknownKey);
            }
            let result = fetch(remote).await;
            *last_fetch = Some(Instant::now());
            *self.inner.keys.write() = index(&result?);
        }
        self.inner.keys.read().get(kid).cloned().ok_or(AuthError::UnknownKey)
    }
}

async fn fetch(remote: &Remote) -> Result<JwkSet, AuthError> {
    let response = remote
        .client
        .get(&remote.url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| AuthError::KeysUnavailable(format!("fetch {}: {e}", remote.url)))?;
    response
        .json::<JwkSet>()
        .await
        .map_err(|e| AuthError::KeysUnavailable(format!("parse {}: {e}", remote.url)))
}

/// Indexes the keys a verifier can use: signature keys with a `kid`, Ed25519 (EdDSA) or RSA (RS256/384/512).
fn index(set: &JwkSet) -> HashMap<String, VerificationKey> {
    set.keys
        .iter()
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            let algorithm = algorithm_of(jwk)?;
            let key = DecodingKey::from_jwk(jwk).ok()?;
            Some((kid, VerificationKey { algorithm, key }))
        })
        .collect()
}

/// The algorithm a key is used with is decided by the key, never by a token's header.
fn algorithm_of(jwk: &Jwk) -> Option<Algorithm> {
    match (&jwk.algorithm, jwk.common.key_algorithm) {
        (AlgorithmParameters::OctetKeyPair(params), None | Some(KeyAlgorithm::EdDSA))
            if params.curve == EllipticCurve::Ed25519 =>
        {
            Some(Algorithm::EdDSA)
        }
        (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Some(Algorithm::RS256),
        (AlgorithmParameters::RSA(_), Some(KeyAlgorithm::RS384)) => Some(Algorithm::RS384),
        (AlgorithmParameters::RSA(_), Some(KeyAlgorithm::RS512)) => Some(Algorithm::RS512),
        _ => None,
    }
}
