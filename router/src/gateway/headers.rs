//! What subgraphs receive of the client's headers: always the credentials, the trace context and the request id;
//! beyond that only what the `[headers]` rules allow, rename or insert. `X-Forwarded-For` is always the client's
//! address as the router saw it: the router is the edge, and a client's own claim is dropped.

use std::net::SocketAddr;

use http::header::{AUTHORIZATION, HeaderName};
use http::{HeaderMap, HeaderValue};

use crate::config::HeadersConfig;

/// Forwarded whatever the rules say: the credentials subgraphs verify themselves, the trace context, the id.
const ALWAYS_FORWARDED: [HeaderName; 5] = [
    AUTHORIZATION,
    HeaderName::from_static("traceparent"),
    HeaderName::from_static("tracestate"),
    HeaderName::from_static("baggage"),
    HeaderName::from_static("x-request-id"),
];

/// Headers that describe the client's own connection or body, or that the router itself owns; forwarding them
/// would corrupt the subgraph request or let a client speak for the router.
const RESERVED: [&str; 13] = [
    "host",
    "content-length",
    "content-type",
    "content-encoding",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "accept-encoding",
    "x-forwarded-for",
];

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// A `[headers]` rule that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderRulesError {
    /// A name is not a valid HTTP header name.
    #[error("headers.{rule}: `{name}` is not a valid header name")]
    InvalidName {
        /// `propagate`, `rename`, `insert` or `forward_claims`.
        rule: &'static str,
        /// The name as configured.
        name: String,
    },
    /// A value is not a valid HTTP header value.
    #[error("headers.insert.{name}: the value is not a valid header value")]
    InvalidValue {
        /// The header whose value is wrong.
        name: String,
    },
    /// A name the router owns or that describes the client's connection.
    #[error("headers.{rule}: `{name}` is reserved and cannot be forwarded or set")]
    Reserved {
        /// `propagate`, `rename` or `insert`.
        rule: &'static str,
        /// The reserved name.
        name: String,
    },
}

/// The compiled `[headers]` rules.
#[derive(Debug, Clone, Default)]
pub struct HeaderRules {
    /// Client name → forwarded name (the same name for `propagate`).
    forward: Vec<(HeaderName, HeaderName)>,
    insert: Vec<(HeaderName, HeaderValue)>,
}

impl HeaderRules {
    /// Checks and compiles `config`; a bad or reserved name is refused at start-up.
    pub fn from_config(config: &HeadersConfig) -> Result<Self, HeaderRulesError> {
        let mut forward = Vec::new();
        for name in &config.propagate {
            let name = allowed_name("propagate", name)?;
            forward.push((name.clone(), name));
        }
        for (from, to) in &config.rename {
            forward.push((allowed_name("rename", from)?, allowed_name("rename", to)?));
        }
        let mut insert = Vec::new();
        for (name, value) in &config.insert {
            let header = allowed_name("insert", name)?;
            let value =
                HeaderValue::from_str(value).map_err(|_| HeaderRulesError::InvalidValue { name: name.clone() })?;
            insert.push((header, value));
        }
        Ok(Self { forward, insert })
    }

    /// The same rules, also forwarding `names`: the headers the authenticator fills from verified claims (and
    /// clears of anything a client sent).
    pub fn with_claim_headers<'a>(
        mut self,
        names: impl IntoIterator<Item = &'a String>,
    ) -> Result<Self, HeaderRulesError> {
        for name in names {
            let header = allowed_name("forward_claims", name)?;
            self.forward.push((header.clone(), header));
        }
        Ok(self)
    }

    /// The headers one request's subgraph fetches carry.
    pub fn apply(&self, client: &HeaderMap, peer: Option<SocketAddr>) -> HeaderMap {
        let mut forwarded = HeaderMap::new();
        for name in &ALWAYS_FORWARDED {
            for value in client.get_all(name) {
                forwarded.append(name.clone(), value.clone());
            }
        }
        for (from, to) in &self.forward {
            for value in client.get_all(from) {
                forwarded.append(to.clone(), value.clone());
            }
        }
        for (name, value) in &self.insert {
            forwarded.insert(name.clone(), value.clone());
        }
        if let Some(peer) = peer
            && let Ok(value) = HeaderValue::from_str(&peer.ip().to_string())
        {
            forwarded.insert(X_FORWARDED_FOR, value);
        }
        forwarded
    }
}

fn allowed_name(rule: &'static str, name: &str) -> Result<HeaderName, HeaderRulesError> {
    let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| HeaderRulesError::InvalidName {
        rule,
        name: name.to_owned(),
    })?;
    if RESERVED.contains(&header.as_str()) || header.as_str().starts_with("proxy-") {
        return Err(HeaderRulesError::Reserved {
            rule,
            name: name.to_owned(),
        });
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn client() -> HeaderMap {
        let mut client = HeaderMap::new();
        client.insert(AUTHORIZATION, HeaderValue::from_static("Bearer t"));
        client.insert(
            "traceparent",
            HeaderValue::from_static("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        );
        client.insert("x-request-id", HeaderValue::from_static("r-1"));
        client.insert(X_FORWARDED_FOR, HeaderValue::from_static("10.9.9.9"));
        client.insert("cookie", HeaderValue::from_static("session=secret"));
        client.insert("accept-language", HeaderValue::from_static("de"));
        client.insert("x-client-version", HeaderValue::from_static("7.1"));
        client.insert("x-gateway", HeaderValue::from_static("spoofed"));
        client
    }

    #[test]
    fn without_rules_only_credentials_trace_context_and_id_pass_and_the_address_is_the_peers() {
        let peer = SocketAddr::from(([203, 0, 113, 7], 55_000));
        let forwarded = HeaderRules::default().apply(&client(), Some(peer));
        assert_eq!(forwarded[AUTHORIZATION], "Bearer t");
        assert!(forwarded.contains_key("traceparent"));
        assert_eq!(forwarded["x-request-id"], "r-1");
        assert_eq!(forwarded[X_FORWARDED_FOR], "203.0.113.7", "a client's claim is dropped");
        for dropped in ["cookie", "accept-language", "x-client-version", "x-gateway"] {
            assert!(!forwarded.contains_key(dropped), "{dropped}");
        }
        assert!(
            !HeaderRules::default()
                .apply(&client(), None)
                .contains_key(X_FORWARDED_FOR)
        );
    }

    #[test]
    fn rules_propagate_rename_and_insert_and_inserted_values_win() {
        let config = HeadersConfig {
            propagate: vec!["accept-language".to_owned()],
            rename: BTreeMap::from([("x-client-version".to_owned(), "x-app-version".to_owned())]),
            insert: BTreeMap::from([("x-gateway".to_owned(), "platform-router".to_owned())]),
        };
        let forwarded = HeaderRules::from_config(&config).unwrap().apply(&client(), None);
        assert_eq!(forwarded["accept-language"], "de");
        assert_eq!(forwarded["x-app-version"], "7.1");
        assert!(!forwarded.contains_key("x-client-version"));
        assert_eq!(forwarded["x-gateway"], "platform-router");
        assert!(!forwarded.contains_key("cookie"));
    }

    #[test]
    fn reserved_and_malformed_names_are_refused_at_start_up() {
        let reserved = HeadersConfig {
            propagate: vec!["Host".to_owned()],
            ..HeadersConfig::default()
        };
        assert!(matches!(
            HeaderRules::from_config(&reserved),
            Err(HeaderRulesError::Reserved { rule: "propagate", .. })
        ));
        let spoofing = HeadersConfig {
            rename: BTreeMap::from([("x-real-ip".to_owned(), "x-forwarded-for".to_owned())]),
            ..HeadersConfig::default()
        };
        assert!(matches!(
            HeaderRules::from_config(&spoofing),
            Err(HeaderRulesError::Reserved { rule: "rename", .. })
        ));
        let malformed = HeadersConfig {
            insert: BTreeMap::from([("bad name".to_owned(), "v".to_owned())]),
            ..HeadersConfig::default()
        };
        assert!(matches!(
            HeaderRules::from_config(&malformed),
            Err(HeaderRulesError::InvalidName { rule: "insert", .. })
        ));
        let bad_value = HeadersConfig {
            insert: BTreeMap::from([("x-a".to_owned(), "line\nbreak".to_owned())]),
            ..HeadersConfig::default()
        };
        assert!(matches!(
            HeaderRules::from_config(&bad_value),
            Err(HeaderRulesError::InvalidValue { .. })
        ));
    }
}
