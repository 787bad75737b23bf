//! The subgraphs section: per-subgraph URL overrides, request timeouts and connection settings.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::execute::{ResilienceOptions, SubgraphEndpoint, TransportOptions};

/// Settings for the requests the router sends to subgraphs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubgraphsConfig {
    /// Timeout of one subgraph request, unless the subgraph's override says otherwise.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// The deadline for opening a connection (capped by the request timeout).
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// How long an idle pooled connection is kept open.
    #[serde(default = "default_pool_idle_timeout_ms")]
    pub pool_idle_timeout_ms: u64,
    /// How many idle connections per subgraph host the pool keeps.
    #[serde(default = "default_pool_max_idle_per_host")]
    pub pool_max_idle_per_host: usize,
    /// Speak HTTP/2 over cleartext (`h2c`) without negotiating; TLS subgraphs negotiate HTTP/2 by ALPN anyway.
    #[serde(default = "default_http2_prior_knowledge")]
    pub http2_prior_knowledge: bool,
    /// Settings for individual subgraphs, by the name the supergraph gives them.
    #[serde(default = "default_overrides")]
    pub overrides: BTreeMap<String, SubgraphOverride>,
    /// Most requests in flight to one subgraph; more wait for a slot within their deadline.
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: usize,
    /// Extra attempts for failures safe to retry (connection refused; for queries also a broken exchange or a
    /// 502/503/504).
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// The first retry's wait, doubled for each further one (with jitter).
    #[serde(default = "default_retry_backoff_ms")]
    pub retry_backoff_ms: u64,
    /// Consecutive failures that open a subgraph's circuit (`0`: never).
    #[serde(default = "default_breaker_failures")]
    pub breaker_failures: u32,
    /// How long an open circuit refuses requests before one trial goes through.
    #[serde(default = "default_breaker_open_ms")]
    pub breaker_open_ms: u64,
    /// Whether identical query fetches in flight at once share one request.
    #[serde(default = "default_deduplicate")]
    pub deduplicate: bool,
}

fn default_max_in_flight() -> usize {
    ResilienceOptions::default().max_in_flight
}

fn default_retries() -> u32 {
    ResilienceOptions::default().retries
}

fn default_retry_backoff_ms() -> u64 {
    ResilienceOptions::default().retry_backoff.as_millis() as u64
}

fn default_breaker_failures() -> u32 {
    ResilienceOptions::default().breaker_failures
}

fn default_breaker_open_ms() -> u64 {
    ResilienceOptions::default().breaker_open_for.as_millis() as u64
}

fn default_deduplicate() -> bool {
    ResilienceOptions::default().deduplicate
}

/// Settings for one subgraph that replace what the supergraph or the section's defaults say.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubgraphOverride {
    /// The URL to send this subgraph's requests to instead of the one in the supergraph (`http` or `https`).
    #[serde(default = "default_url", deserialize_with = "http_url")]
    pub url: Option<String>,
    /// Timeout of one request to this subgraph.
    #[serde(default = "default_override_timeout_ms")]
    pub timeout_ms: Option<u64>,
    /// Whether to speak `h2c` to this subgraph.
    #[serde(default = "default_override_http2")]
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

fn default_override_http2() -> Option<bool> {
    None
}

fn default_overrides() -> BTreeMap<String, SubgraphOverride> {
    BTreeMap::new()
}

fn default_url() -> Option<String> {
    None
}

fn default_override_timeout_ms() -> Option<u64> {
    None
}

impl Default for SubgraphsConfig {
    fn default() -> Self {
        Self {
            timeout_ms: default_timeout_ms(),
            connect_timeout_ms: default_connect_timeout_ms(),
            pool_idle_timeout_ms: default_pool_idle_timeout_ms(),
            pool_max_idle_per_host: default_pool_max_idle_per_host(),
            http2_prior_knowledge: default_http2_prior_knowledge(),
            overrides: default_overrides(),
            max_in_flight: default_max_in_flight(),
            retries: default_retries(),
            retry_backoff_ms: default_retry_backoff_ms(),
            breaker_failures: default_breaker_failures(),
            breaker_open_ms: default_breaker_open_ms(),
            deduplicate: default_deduplicate(),
        }
    }
}

impl SubgraphsConfig {
    /// The timeout for requests to the subgraph `name`.
    pub fn timeout(&self, name: &str) -> Duration {
        let millis = self
            .overrides
            .get(name)
            .and_then(|o| o.timeout_ms)
            .unwrap_or(self.timeout_ms);
        Duration::from_millis(millis)
    }

    /// The client settings for the subgraph `name` at `url`: this section's values, with its override applied.
    pub fn endpoint(&self, name: Arc<str>, url: &str) -> SubgraphEndpoint {
        let http2_prior_knowledge = self
            .overrides
            .get(&*name)
            .and_then(|o| o.http2_prior_knowledge)
            .unwrap_or(self.http2_prior_knowledge);
        let timeout = self.timeout(&name);
        SubgraphEndpoint {
            name,
            url: url.to_owned(),
            timeout,
            transport: TransportOptions {
                http2_prior_knowledge,
                connect_timeout: Duration::from_millis(self.connect_timeout_ms),
                pool_idle_timeout: Duration::from_millis(self.pool_idle_timeout_ms),
                pool_max_idle_per_host: self.pool_max_idle_per_host,
            },
            resilience: ResilienceOptions {
                max_in_flight: self.max_in_flight,
                retries: self.retries,
                retry_backoff: Duration::from_millis(self.retry_backoff_ms),
                breaker_failures: self.breaker_failures,
                breaker_open_for: Duration::from_millis(self.breaker_open_ms),
                deduplicate: self.deduplicate,
            },
        }
    }

    /// The URL overrides, subgraph name → URL, in the shape the supergraph loader takes.
    pub fn url_overrides(&self) -> HashMap<String, String> {
        self.overrides
            .iter()
            .filter_map(|(name, o)| o.url.as_ref().map(|url| (name.clone(), url.clone())))
            .collect()
    }
}

/// Accepts only absolute `http`/`https` URLs, so a typo fails at start-up rather than on the first request.
fn http_url<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let Some(url) = Option::<String>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let uri: http::Uri = url
        .parse()
        .map_err(|error| serde::de::Error::custom(format!("`{url}` is not a URL: {error}")))?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    if !scheme_ok || uri.authority().is_none() {
        return Err(serde::de::Error::custom(format!(
            "`{url}` is not an absolute http(s) URL"
        )));
    }
    Ok(Some(url))
}
