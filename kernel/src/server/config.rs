//! The server section of a service's configuration.

use std::net::{Ipv4Addr, SocketAddr};

use serde::Deserialize;

/// Where a service listens and how it shuts down.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address of the HTTP listener (GraphQL, health, metrics); port 0 picks a free port.
    #[serde(default = "default_http_addr")]
    pub http_addr: SocketAddr,
    /// Address of the gRPC listener; required when the service serves gRPC, port 0 picks a free port.
    #[serde(default = "default_grpc_addr")]
    pub grpc_addr: Option<SocketAddr>,
    /// How long in-flight requests may run after shutdown begins before their connections are cut.
    #[serde(default = "default_shutdown_grace_ms")]
    pub shutdown_grace_ms: u64,
    /// Largest request body the HTTP extractors accept; larger bodies get 413.
    #[serde(default = "default_request_body_limit_bytes")]
    pub request_body_limit_bytes: usize,
}

fn default_http_addr() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 8080))
}

fn default_grpc_addr() -> Option<SocketAddr> {
    None
}

fn default_shutdown_grace_ms() -> u64 {
    10_000
}

fn default_request_body_limit_bytes() -> usize {
    2 * 1024 * 1024
}

impl ServerConfig {
    /// A service's defaults: HTTP on loopback `http_port`, gRPC on loopback `grpc_port`.
    pub fn on_loopback(http_port: u16, grpc_port: u16) -> Self {
        Self {
            http_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, http_port)),
            grpc_addr: Some(SocketAddr::from((Ipv4Addr::LOCALHOST, grpc_port))),
            ..Self::default()
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            http_addr: default_http_addr(),
            grpc_addr: default_grpc_addr(),
            shutdown_grace_ms: default_shutdown_grace_ms(),
            request_body_limit_bytes: default_request_body_limit_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_section_gives_the_defaults() {
        let config: ServerConfig = serde_json::from_str("{}").unwrap();
        let defaults = ServerConfig::default();
        assert_eq!(config.http_addr, defaults.http_addr);
        assert_eq!(config.grpc_addr, None);
        assert_eq!(config.shutdown_grace_ms, defaults.shutdown_grace_ms);
        assert_eq!(config.request_body_limit_bytes, defaults.request_body_limit_bytes);
    }

    #[test]
    fn addresses_are_parsed() {
        let config: ServerConfig =
            serde_json::from_str(r#"{"http_addr": "0.0.0.0:4000", "grpc_addr": "[::1]:0"}"#).unwrap();
        assert_eq!(config.http_addr.port(), 4000);
        assert_eq!(config.grpc_addr.map(|addr| addr.is_ipv6()), Some(true));
    }

    #[test]
    fn malformed_address_and_unknown_field_are_rejected() {
        assert!(serde_json::from_str::<ServerConfig>(r#"{"http_addr": "localhost"}"#).is_err());
        let error = serde_json::from_str::<ServerConfig>(r#"{"port": 80}"#).unwrap_err();
        assert!(error.to_string().contains("port"), "{error}");
    }
}
