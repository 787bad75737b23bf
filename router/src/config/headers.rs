//! The `[headers]` section: which client headers subgraphs receive, under which names, and what is added.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Header propagation rules, applied to every subgraph request. `authorization`, the trace context
/// (`traceparent`, `tracestate`, `baggage`) and `x-request-id` are always forwarded, and `x-forwarded-for` is
/// always the client's address; these rules add to that.
///
/// ```toml
/// [headers]
/// propagate = ["accept-language", "x-tenant"]
/// rename = { "x-client-version" = "x-app-version" }
/// insert = { "x-gateway" = "platform-router" }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadersConfig {
    /// Client headers forwarded under their own name (an allow-list; nothing else is forwarded).
    #[serde(default)]
    pub propagate: Vec<String>,
    /// Client headers forwarded under another name: client's name → name the subgraphs see.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// Headers set on every subgraph request with a fixed value; they win over a client header of the same name.
    #[serde(default)]
    pub insert: BTreeMap<String, String>,
}
