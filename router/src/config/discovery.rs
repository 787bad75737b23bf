//! The `[discovery]` section: subgraph instances found through the service registry.

use std::collections::BTreeMap;

use kernel::registry::RegistryConfig;
use serde::Deserialize;

/// Finding subgraph instances in a service registry (Consul, etcd, or static addresses) instead of the
/// supergraph's URLs. A subgraph then runs as several replicas: requests go to its healthy instances in turn, and
/// one that stops is skipped.
///
/// ```toml
/// [discovery]
/// enabled = true
/// services = { blog = "blog-v2" }   # subgraph → registry service; unlisted subgraphs use their own name
/// [discovery.registry]
/// backend = "consul"
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryConfig {
    /// Whether subgraph URLs come from the registry: host and port from the instance (its `http` endpoint, or
    /// its port), the path from its `graphql_path` metadata or else from the subgraph's URL in the supergraph.
    #[serde(default)]
    pub enabled: bool,
    /// The registry service of a subgraph, when it is not named like the subgraph.
    #[serde(default)]
    pub services: BTreeMap<String, String>,
    /// Which registry, and how to reach it.
    #[serde(default)]
    pub registry: RegistryConfig,
}
