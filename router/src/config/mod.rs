//! The router's configuration: one typed struct, layered from defaults, a TOML file and `PLATFORM__…` variables.
//!
//! ```toml
//! [listen]
//! http_addr = "0.0.0.0:4000"
//!
//! [supergraph]
//! path = "schema/supergraph.graphql"
//!
//! [subgraphs]
//! timeout_ms = 30000
//! http2_prior_knowledge = false   # h2c to plain-HTTP subgraphs; TLS subgraphs negotiate HTTP/2 by ALPN
//! [subgraphs.overrides.blog]
//! url = "http://127.0.0.1:4102/graphql"
//!
//! [limits]
//! max_depth = 32
//!
//! [cors]
//! allowed_origins = ["https://app.example.com"]
//!
//! [headers]
//! propagate = ["accept-language"]
//! ```

mod auth;
pub mod cli;
mod discovery;
mod edge;
mod headers;
mod limits;
mod persisted;
mod rate_limit;
mod subgraphs;
mod supergraph;

use std::path::Path;

use kernel::config::ConfigError;
use kernel::server::ServerConfig;
use kernel::telemetry::TelemetryConfig;
use serde::Deserialize;

use crate::plan::PlanConfig;

pub use auth::AuthConfig;
pub use discovery::DiscoveryConfig;
pub use edge::{CorsConfig, CsrfConfig};
pub use headers::HeadersConfig;
pub use limits::LimitsConfig;
pub use persisted::{PersistedQueriesConfig, PersistedQueryMode};
pub use rate_limit::{BucketConfig, RateLimitConfig};
pub use subgraphs::{SubgraphOverride, SubgraphsConfig};
pub use supergraph::SupergraphConfig;

/// Everything the router reads at start-up.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterConfig {
    /// Where the HTTP listener binds and how it shuts down.
    #[serde(default = "ServerConfig::default")]
    pub listen: ServerConfig,
    /// Where the supergraph SDL is read from.
    #[serde(default = "SupergraphConfig::default")]
    pub supergraph: SupergraphConfig,
    /// Subgraph URL overrides and request timeouts.
    #[serde(default = "SubgraphsConfig::default")]
    pub subgraphs: SubgraphsConfig,
    /// Subgraph instances from a service registry.
    #[serde(default)]
    pub discovery: DiscoveryConfig,
    /// Operation and request size limits.
    #[serde(default = "LimitsConfig::default")]
    pub limits: LimitsConfig,
    /// Verifying clients' access tokens.
    #[serde(default = "AuthConfig::default")]
    pub auth: AuthConfig,
    /// Which browser origins may call the router.
    #[serde(default = "CorsConfig::default")]
    pub cors: CorsConfig,
    /// Cross-site request forgery prevention for GET operations.
    #[serde(default = "CsrfConfig::default")]
    pub csrf: CsrfConfig,
    /// Which client headers subgraphs receive.
    #[serde(default = "HeadersConfig::default")]
    pub headers: HeadersConfig,
    /// Automatic persisted queries and trusted documents.
    #[serde(default = "PersistedQueriesConfig::default")]
    pub persisted_queries: PersistedQueriesConfig,
    /// Per-client and global request rate limits.
    #[serde(default = "RateLimitConfig::default")]
    pub rate_limit: RateLimitConfig,
    /// Whether clients may introspect the API schema.
    #[serde(default = "IntrospectionConfig::default")]
    pub introspection: IntrospectionConfig,
    /// Query planning bounds (the plan stage's own section type).
    #[serde(default = "PlanConfig::default")]
    pub planner: PlanConfig,
    /// Logs, traces and their export.
    #[serde(default = "TelemetryConfig::default")]
    pub telemetry: TelemetryConfig,
}

impl RouterConfig {
    /// Loads the configuration from its defaults, the TOML file at `file` (which must exist when given) and the
    /// process's `PLATFORM__…` variables, later layers winning.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        kernel::config::load(file)
    }

    /// Like [`RouterConfig::load`], with the environment passed in.
    pub fn load_with_env(
        file: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        kernel::config::load_with_env(file, vars)
    }
}

/// Introspection of the API schema (`__schema`, `__type`); `__typename` is always allowed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntrospectionConfig {
    /// When `false`, operations selecting `__schema` or `__type` are refused.
    #[serde(default = "default_introspection_enabled")]
    pub enabled: bool,
}

fn default_introspection_enabled() -> bool {
    true
}

impl Default for IntrospectionConfig {
    fn default() -> Self {
        Self {
            enabled: default_introspection_enabled(),
        }
    }
}

#[cfg(test)]
mod tests;
