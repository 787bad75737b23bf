//! Which client a request counts against: its verified subject, its API key, or its address.

use http::HeaderName;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::http::RequestContext;

/// What identifies a client, tried in the order subject → API key → address from the chosen starting point:
/// a request without the chosen identity falls back to the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientKeySource {
    /// The verified token's subject (with its issuer); only tokens the router verified count.
    #[default]
    Subject,
    /// The API key header's value. The router does not verify API keys, so a client can invent new ones; a
    /// global limit, or a proxy that checks keys, keeps that in bounds.
    ApiKey,
    /// The address the connection comes from.
    Address,
}

/// Derives each request's bucket key.
#[derive(Debug, Clone)]
pub struct ClientKeys {
    source: ClientKeySource,
    api_key_header: HeaderName,
}

impl ClientKeys {
    /// Keys from `source` onwards, reading API keys from `api_key_header`.
    pub fn new(source: ClientKeySource, api_key_header: HeaderName) -> Self {
        Self { source, api_key_header }
    }

    /// The bucket key of the request `context` describes. Subjects and API keys are hashed, so a store (and
    /// Redis in particular) never holds a credential or a user id in the clear.
    pub fn key(&self, context: &RequestContext) -> String {
        if self.source == ClientKeySource::Subject
            && let Some(claims) = &context.claims
        {
            return format!("sub:{}", digest(&[&claims.iss, &claims.sub]));
        }
        if self.source != ClientKeySource::Address
            && let Some(key) = context.headers.get(&self.api_key_header)
            && !key.is_empty()
        {
            return format!("key:{}", digest(&[key.as_bytes()]));
        }
        match context.peer {
            Some(peer) => format!("ip:{}", peer.ip()),
            None => "ip:unknown".to_owned(),
        }
    }
}

/// The first 128 bits of SHA-256 over `parts`, each length-prefixed so `("ab", "c")` and `("a", "bc")` differ.
fn digest<T: AsRef<[u8]>>(parts: &[T]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        let part = part.as_ref();
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.finalize()[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use http::HeaderMap;
    use kernel::auth::Claims;

    use super::*;
    use crate::http::{RequestMethod, ResponseFormat};

    fn context(subject: Option<&str>, api_key: Option<&str>, peer: Option<&str>) -> RequestContext {
        let mut headers = HeaderMap::new();
        if let Some(key) = api_key {
            headers.insert("x-api-key", key.parse().unwrap());
        }
        RequestContext {
            method: RequestMethod::Post,
            format: ResponseFormat::Json,
            headers,
            peer: peer.map(|peer| peer.parse::<SocketAddr>().unwrap()),
            claims: subject.map(|sub| {
                Arc::new(Claims {
                    sub: sub.to_owned(),
                    iss: "https://id.example".to_owned(),
                    aud: "platform".to_owned(),
                    exp: 0,
                    iat: 0,
                    nbf: 0,
                    jti: "j".to_owned(),
                    roles: Vec::new(),
                    scope: String::new(),
                })
            }),
        }
    }

    fn keys(source: ClientKeySource) -> ClientKeys {
        ClientKeys::new(source, HeaderName::from_static("x-api-key"))
    }

    #[test]
    fn subject_falls_back_to_the_api_key_then_the_address() {
        let keys = keys(ClientKeySource::Subject);
        let by_subject = keys.key(&context(Some("u1"), Some("k"), Some("10.0.0.1:1")));
        assert!(by_subject.starts_with("sub:"), "{by_subject}");
        assert!(!by_subject.contains("u1"), "the subject is hashed");
        assert_ne!(
            by_subject,
            keys.key(&context(Some("u2"), Some("k"), Some("10.0.0.1:1")))
        );
        let by_key = keys.key(&context(None, Some("secret"), Some("10.0.0.1:1")));
        assert!(by_key.starts_with("key:") && !by_key.contains("secret"), "{by_key}");
        assert_eq!(keys.key(&context(None, None, Some("10.0.0.1:1"))), "ip:10.0.0.1");
        assert_eq!(keys.key(&context(None, None, None)), "ip:unknown");
    }

    #[test]
    fn api_key_source_ignores_the_subject_and_address_ignores_both() {
        let api_key = keys(ClientKeySource::ApiKey);
        let with_subject = api_key.key(&context(Some("u1"), Some("k"), Some("10.0.0.1:1")));
        assert_eq!(
            with_subject,
            api_key.key(&context(Some("u2"), Some("k"), Some("10.0.0.2:1")))
        );
        assert_eq!(
            api_key.key(&context(Some("u1"), None, Some("10.0.0.1:1"))),
            "ip:10.0.0.1"
        );
        let address = keys(ClientKeySource::Address);
        assert_eq!(address.key(&context(Some("u1"), Some("k"), Some("[::1]:80"))), "ip:::1");
    }

    #[test]
    fn the_port_does_not_make_a_new_client() {
        let keys = keys(ClientKeySource::Address);
        assert_eq!(
            keys.key(&context(None, None, Some("10.0.0.1:1000"))),
            keys.key(&context(None, None, Some("10.0.0.1:2000")))
        );
    }
}
