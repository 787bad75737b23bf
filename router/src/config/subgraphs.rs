//! The subgraphs section: per-subgraph URL overrides and request timeouts.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// Settings for the requests the router sends to subgraphs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubgraphsConfig {
    /// Timeout of one subgraph request, unless the subgraph's override says otherwise.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Settings for individual subgraphs, by the name the supergraph gives them.
    #[serde(default = "default_overrides")]
    pub overrides: BTreeMap<String, SubgraphOverride>,
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
}

fn default_timeout_ms() -> u64 {
    30_000
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
            overrides: default_overrides(),
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
