//! The `registry` config section: which backend holds the service instances, and how to reach it.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde::Deserialize;

/// Where services register themselves and find each other.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    /// The backend in use.
    #[serde(default = "default_backend")]
    pub backend: RegistryBackend,
    /// Addresses for the embedded static registry.
    #[serde(default = "StaticRegistryConfig::default", rename = "static")]
    pub static_registry: StaticRegistryConfig,
    /// How to reach etcd.
    #[serde(default = "EtcdConfig::default")]
    pub etcd: EtcdConfig,
    /// How to reach the local Consul agent.
    #[serde(default = "ConsulConfig::default")]
    pub consul: ConsulConfig,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            backend: default_backend(),
            static_registry: StaticRegistryConfig::default(),
            etcd: EtcdConfig::default(),
            consul: ConsulConfig::default(),
        }
    }
}

/// The registry backends a service can be configured with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistryBackend {
    /// Fixed addresses from config, kept in memory ([`super::StaticRegistry`]).
    Static,
    /// etcd, with instances held alive by leases (needs the kernel's `etcd` feature).
    Etcd,
    /// A Consul agent's HTTP API, with instances held alive by health checks.
    Consul,
}

/// Fixed addresses of the services, for running on one machine without a registry server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticRegistryConfig {
    /// Service name → `host:port` of each of its instances.
    #[serde(default = "default_static_services")]
    pub services: BTreeMap<String, Vec<String>>,
}

impl Default for StaticRegistryConfig {
    fn default() -> Self {
        Self {
            services: default_static_services(),
        }
    }
}

/// How to reach etcd and how long an instance outlives its last keep-alive.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EtcdConfig {
    /// Client URLs of the etcd members, e.g. `http://127.0.0.1:2379`.
    #[serde(default = "default_etcd_endpoints")]
    pub endpoints: Vec<String>,
    /// Key prefix under which instances are stored as `{prefix}/{service}/{instance_id}`.
    #[serde(default = "default_etcd_prefix")]
    pub prefix: String,
    /// Lease TTL: how long an instance stays listed after its process stops renewing it, in seconds.
    #[serde(default = "default_lease_ttl_secs")]
    pub lease_ttl_secs: u64,
    /// Timeout for establishing a connection, in milliseconds.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// User name, when etcd authentication is enabled.
    #[serde(default = "default_none")]
    pub username: Option<String>,
    /// Password of `username`.
    #[serde(default = "default_none")]
    pub password: Option<SecretString>,
}

impl Default for EtcdConfig {
    fn default() -> Self {
        Self {
            endpoints: default_etcd_endpoints(),
            prefix: default_etcd_prefix(),
            lease_ttl_secs: default_lease_ttl_secs(),
            connect_timeout_ms: default_connect_timeout_ms(),
            username: default_none(),
            password: default_none(),
        }
    }
}

/// How to reach the Consul agent that services register with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsulConfig {
    /// Base URL of the agent's HTTP API.
    #[serde(default = "default_consul_address")]
    pub address: String,
    /// ACL token, sent as `X-Consul-Token`.
    #[serde(default = "default_none")]
    pub token: Option<SecretString>,
    /// Timeout of one ordinary request, in milliseconds.
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// How long a watch's blocking query waits for a change before asking again, in seconds.
    #[serde(default = "default_watch_wait_secs")]
    pub watch_wait_secs: u64,
}

impl Default for ConsulConfig {
    fn default() -> Self {
        Self {
            address: default_consul_address(),
            token: default_none(),
            request_timeout_ms: default_request_timeout_ms(),
            watch_wait_secs: default_watch_wait_secs(),
        }
    }
}

fn default_backend() -> RegistryBackend {
    RegistryBackend::Static
}

fn default_static_services() -> BTreeMap<String, Vec<String>> {
    BTreeMap::new()
}

fn default_etcd_endpoints() -> Vec<String> {
    vec!["http://127.0.0.1:2379".to_owned()]
}

fn default_etcd_prefix() -> String {
    "/platform/services".to_owned()
}

fn default_lease_ttl_secs() -> u64 {
    10
}

fn default_connect_timeout_ms() -> u64 {
    5_000
}

fn default_consul_address() -> String {
    "http://127.0.0.1:8500".to_owned()
}

fn default_request_timeout_ms() -> u64 {
    5_000
}

fn default_watch_wait_secs() -> u64 {
    30
}

fn default_none<T>() -> Option<T> {
    None
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn an_empty_section_gives_the_static_backend() {
        let config: RegistryConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config.backend, RegistryBackend::Static);
        assert!(config.static_registry.services.is_empty());
        assert_eq!(
            config.etcd.lease_ttl_secs,
            RegistryConfig::default().etcd.lease_ttl_secs
        );
    }

    #[test]
    fn static_services_and_backends_are_read() {
        let config: RegistryConfig = serde_json::from_str(
            r#"{"backend": "consul", "static": {"services": {"blog": ["127.0.0.1:4004"]}},
                "consul": {"token": "s3cr3t"}}"#,
        )
        .unwrap();
        assert_eq!(config.backend, RegistryBackend::Consul);
        assert_eq!(
            config.static_registry.services["blog"],
            vec!["127.0.0.1:4004".to_owned()]
        );
        assert_eq!(config.consul.token.as_ref().map(|t| t.expose_secret()), Some("s3cr3t"));
    }

    #[test]
    fn the_consul_token_is_redacted_in_debug_output() {
        let config: ConsulConfig = serde_json::from_str(r#"{"token": "s3cr3t"}"#).unwrap();
        assert!(!format!("{config:?}").contains("s3cr3t"));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(serde_json::from_str::<RegistryConfig>(r#"{"etcd": {"ttl": 3}}"#).is_err());
        assert!(serde_json::from_str::<RegistryConfig>(r#"{"backend": "zookeeper"}"#).is_err());
    }
}
