//! The executor's configuration section: subgraph timeouts and connection pooling, with per-subgraph overrides.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::client::{SubgraphEndpoint, TransportOptions};
use super::error::ExecuteError;

/// How the router talks to subgraphs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecuteConfig {
    /// The whole-request deadline for one subgraph request (connect, send, read the body).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// The deadline for opening a connection (capped by `timeout_ms`).
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// How long an idle pooled connection is kept open.
    #[serde(default = "default_pool_idle_timeout_ms")]
    pub pool_idle_timeout_ms: u64,
    /// How many idle connections per subgraph host the pool keeps.
    #[serde(default = "default_pool_max_idle_per_host")]
    pub pool_max_idle_per_host: usize,
    /// Speak HTTP/2 over cleartext (`h2c`) to every subgraph without negotiating; TLS subgraphs negotiate it by ALPN.
    #[serde(default = "default_http2_prior_knowledge")]
    pub http2_prior_knowledge: bool,
    /// Overrides per subgraph name.
    #[serde(default = "default_subgraphs")]
    pub subgraphs: HashMap<String, SubgraphTransportConfig>,
}

/// Overrides for one subgraph; unset fields take the section's values.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubgraphTransportConfig {
    /// This subgraph's request deadline.
    #[serde(default = "default_none")]
    pub timeout_ms: Option<u64>,
    /// Whether to speak `h2c` to this subgraph.
    #[serde(default = "default_none")]
    pub http2_prior_knowledge: Option<bool>,
}

fn default_timeout_ms() -> u64 {
    30_000
}

fn default_connect_timeout_ms() -> u64 {
    5_000
}

fn default_pool_idle_timeout_ms() -> u64 {
    90_000
}

fn default_pool_max_idle_per_host() -> usize {
    256
}

fn default_http2_prior_knowledge() -> bool {
    false
}

fn default_subgraphs() -> HashMap<String, SubgraphTransportConfig> {
    HashMap::new()
}

fn default_none<T>() -> Option<T> {
    None
}

impl Default for ExecuteConfig {
    fn default() -> Self {
        Self {
            timeout_ms: default_timeout_ms(),
            connect_timeout_ms: default_connect_timeout_ms(),
            pool_idle_timeout_ms: default_pool_idle_timeout_ms(),
            pool_max_idle_per_host: default_pool_max_idle_per_host(),
            http2_prior_knowledge: default_http2_prior_knowledge(),
            subgraphs: default_subgraphs(),
        }
    }
}

impl ExecuteConfig {
    /// The endpoints for `subgraphs` (name, URL) with this section's settings applied. Overrides naming a
    /// subgraph not in the list are refused: they are almost always typos.
    pub fn endpoints(
        &self,
        subgraphs: impl IntoIterator<Item = (Arc<str>, String)>,
    ) -> Result<Vec<SubgraphEndpoint>, ExecuteError> {
        let endpoints: Vec<SubgraphEndpoint> = subgraphs
            .into_iter()
            .map(|(name, url)| {
                let overrides = self.subgraphs.get(&*name).cloned().unwrap_or_default();
                let timeout_ms = overrides.timeout_ms.unwrap_or(self.timeout_ms);
                SubgraphEndpoint {
                    name,
                    url,
                    timeout: Duration::from_millis(timeout_ms),
                    transport: TransportOptions {
                        http2_prior_knowledge: overrides.http2_prior_knowledge.unwrap_or(self.http2_prior_knowledge),
                        connect_timeout: Duration::from_millis(self.connect_timeout_ms),
                        pool_idle_timeout: Duration::from_millis(self.pool_idle_timeout_ms),
                        pool_max_idle_per_host: self.pool_max_idle_per_host,
                    },
                }
            })
            .collect();
        let mut unknown: Vec<&str> = self
            .subgraphs
            .keys()
            .filter(|name| !endpoints.iter().any(|endpoint| *endpoint.name == ***name))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            unknown.sort_unstable();
            let known: Vec<&str> = endpoints.iter().map(|endpoint| &*endpoint.name).collect();
            return Err(ExecuteError::UnknownSubgraph {
                names: unknown.join(", "),
                known: known.join(", "),
            });
        }
        Ok(endpoints)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_per_subgraph_and_defaults_elsewhere() {
        let config: ExecuteConfig = serde_json::from_value(serde_json::json!({
            "timeout_ms": 1000,
            "subgraphs": {"b": {"timeout_ms": 50, "http2_prior_knowledge": true}}
        }))
        .expect("the section deserializes");
        let endpoints = config
            .endpoints([("a".into(), "http://a".to_owned()), ("b".into(), "http://b".to_owned())])
            .expect("known names");
        assert_eq!(endpoints[0].timeout, Duration::from_millis(1000));
        assert!(!endpoints[0].transport.http2_prior_knowledge);
        assert_eq!(endpoints[1].timeout, Duration::from_millis(50));
        assert!(endpoints[1].transport.http2_prior_knowledge);
    }

    #[test]
    fn an_override_for_an_unknown_subgraph_is_refused() {
        let mut config = ExecuteConfig::default();
        config
            .subgraphs
            .insert("typo".into(), SubgraphTransportConfig::default());
        let error = config
            .endpoints([("a".into(), "http://a".to_owned())])
            .expect_err("unknown name");
        assert!(matches!(error, ExecuteError::UnknownSubgraph { ref names, .. } if names == "typo"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let result = serde_json::from_value::<ExecuteConfig>(serde_json::json!({"timeout": 1}));
        assert!(result.is_err());
    }
}
