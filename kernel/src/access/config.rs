//! The `[authz]` and `[audit]` sections every feature service reads: where the two gRPC APIs the access guard
//! calls are, and how calls to them connect and time out.

use serde::Deserialize;

use crate::grpc::GrpcClientConfig;

/// The `[authz]` section: where authz's gRPC `Check` API is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthzSection {
    /// Authz's gRPC address, `host:port` or a URI.
    #[serde(default = "default_authz_address")]
    pub address: String,
    /// Connect and call timeouts.
    #[serde(default)]
    pub grpc: GrpcClientConfig,
}

impl Default for AuthzSection {
    fn default() -> Self {
        Self {
            address: default_authz_address(),
            grpc: GrpcClientConfig::default(),
        }
    }
}

/// The `[audit]` section: where audit's gRPC `Record` API is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSection {
    /// Audit's gRPC address, `host:port` or a URI.
    #[serde(default = "default_audit_address")]
    pub address: String,
    /// Connect and call timeouts.
    #[serde(default)]
    pub grpc: GrpcClientConfig,
}

impl Default for AuditSection {
    fn default() -> Self {
        Self {
            address: default_audit_address(),
            grpc: GrpcClientConfig::default(),
        }
    }
}

fn default_authz_address() -> String {
    "http://127.0.0.1:5002".to_owned()
}

fn default_audit_address() -> String {
    "http://127.0.0.1:5003".to_owned()
}
