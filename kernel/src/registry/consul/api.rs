//! Consul's HTTP API bodies, and how a [`ServiceInstance`] maps onto them.
//!
//! Consul has one address and port per service; the extra named ports travel in `Meta` as `endpoint-{name}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::registry::error::RegistryError;
use crate::registry::instance::{HealthCheckSpec, ServiceInstance};

const ENDPOINT_META_PREFIX: &str = "endpoint-";

/// Body of `PUT /v1/agent/service/register`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ServiceRegistration {
    #[serde(rename = "ID")]
    pub(super) id: String,
    pub(super) name: String,
    pub(super) address: String,
    pub(super) port: u16,
    pub(super) meta: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) check: Option<ServiceCheck>,
}

/// The HTTP check Consul runs against the instance.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ServiceCheck {
    #[serde(rename = "HTTP")]
    pub(super) http: String,
    pub(super) interval: String,
    pub(super) timeout: String,
    pub(super) deregister_critical_service_after: String,
}

/// One element of `GET /v1/health/service/{name}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct HealthEntry {
    pub(super) node: HealthNode,
    pub(super) service: HealthService,
}

/// The node an instance runs on; its address stands in when the service has none of its own.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct HealthNode {
    #[serde(default)]
    pub(super) address: String,
}

/// The service part of a health entry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct HealthService {
    #[serde(rename = "ID")]
    pub(super) id: String,
    pub(super) service: String,
    #[serde(default)]
    pub(super) address: String,
    #[serde(default)]
    pub(super) port: u16,
    /// Consul sends `null` for a service registered without metadata.
    #[serde(default)]
    pub(super) meta: Option<BTreeMap<String, String>>,
}

impl ServiceRegistration {
    /// Maps an instance onto Consul's shape, refusing names Consul would reject in `Meta`.
    pub(super) fn from_instance(instance: &ServiceInstance) -> Result<Self, RegistryError> {
        let mut meta = BTreeMap::new();
        for (key, value) in &instance.metadata {
            if key.starts_with(ENDPOINT_META_PREFIX) || !is_meta_key(key) {
                return Err(RegistryError::InvalidInstance(format!(
                    "metadata key `{key}` is not usable with Consul: use ASCII letters, digits, `_` or `-`, and do \
                     not start it with `{ENDPOINT_META_PREFIX}` or `consul-`"
                )));
            }
            meta.insert(key.clone(), value.clone());
        }
        for (name, port) in &instance.endpoints {
            let key = format!("{ENDPOINT_META_PREFIX}{name}");
            if !is_meta_key(&key) {
                return Err(RegistryError::InvalidInstance(format!(
                    "endpoint name `{name}` is not usable with Consul: use ASCII letters, digits, `_` or `-`"
                )));
            }
            meta.insert(key, port.to_string());
        }
        Ok(Self {
            id: instance.id.clone(),
            name: instance.service.clone(),
            address: instance.host.clone(),
            port: instance.port,
            meta,
            check: instance.health_check.as_ref().map(ServiceCheck::from_spec),
        })
    }
}

impl ServiceCheck {
    fn from_spec(spec: &HealthCheckSpec) -> Self {
        // Go duration strings; Consul raises DeregisterCriticalServiceAfter to its one-minute minimum by itself.
        Self {
            http: spec.http_url.clone(),
            interval: format!("{}ms", spec.interval_ms),
            timeout: format!("{}ms", spec.timeout_ms),
            deregister_critical_service_after: format!("{}ms", spec.deregister_after_ms),
        }
    }
}

impl HealthEntry {
    /// The instance as registered, minus the health check (Consul reports check state, not its definition).
    pub(super) fn into_instance(self) -> ServiceInstance {
        let HealthService {
            id,
            service,
            address,
            port,
            meta,
        } = self.service;
        let host = if address.is_empty() { self.node.address } else { address };
        let mut instance = ServiceInstance::new(id, service, host, port);
        for (key, value) in meta.unwrap_or_default() {
            let endpoint = key
                .strip_prefix(ENDPOINT_META_PREFIX)
                .and_then(|name| Some((name, value.parse().ok()?)));
            match endpoint {
                Some((name, port)) => {
                    instance.endpoints.insert(name.to_owned(), port);
                }
                None => {
                    instance.metadata.insert(key, value);
                }
            }
        }
        instance
    }
}

/// Consul's rule for `Meta` keys.
fn is_meta_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 128
        && !key.starts_with("consul-")
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance() -> ServiceInstance {
        ServiceInstance::new("blog-1", "blog", "10.0.0.7", 4004)
            .with_endpoint("grpc", 50051)
            .with_metadata("version", "1.2.0")
            .with_health_check(HealthCheckSpec {
                http_url: "http://10.0.0.7:4004/health".to_owned(),
                interval_ms: 10_000,
                timeout_ms: 2_000,
                deregister_after_ms: 60_000,
            })
    }

    #[test]
    fn a_registration_carries_the_http_check_and_endpoints_in_meta() {
        let body = serde_json::to_value(ServiceRegistration::from_instance(&instance()).unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "ID": "blog-1", "Name": "blog", "Address": "10.0.0.7", "Port": 4004,
                "Meta": {"endpoint-grpc": "50051", "version": "1.2.0"},
                "Check": {"HTTP": "http://10.0.0.7:4004/health", "Interval": "10000ms", "Timeout": "2000ms",
                          "DeregisterCriticalServiceAfter": "60000ms"}
            })
        );
    }

    #[test]
    fn a_metadata_key_that_looks_like_an_endpoint_is_refused() {
        let instance = instance().with_metadata("endpoint-http", "80");
        assert!(matches!(
            ServiceRegistration::from_instance(&instance),
            Err(RegistryError::InvalidInstance(_))
        ));
    }

    #[test]
    fn a_health_entry_maps_back_with_the_node_address_as_fallback() {
        let entry: HealthEntry = serde_json::from_value(serde_json::json!({
            "Node": {"Node": "n1", "Address": "10.0.0.9"},
            "Service": {"ID": "blog-1", "Service": "blog", "Address": "", "Port": 4004,
                        "Meta": {"endpoint-grpc": "50051", "version": "1.2.0"}},
            "Checks": []
        }))
        .unwrap();
        let expected = ServiceInstance::new("blog-1", "blog", "10.0.0.9", 4004)
            .with_endpoint("grpc", 50051)
            .with_metadata("version", "1.2.0");
        assert_eq!(entry.into_instance(), expected);
    }

    #[test]
    fn null_meta_is_accepted() {
        let entry: HealthEntry = serde_json::from_value(serde_json::json!({
            "Node": {"Address": "10.0.0.9"},
            "Service": {"ID": "a", "Service": "blog", "Address": "10.0.0.7", "Port": 1, "Meta": null}
        }))
        .unwrap();
        assert!(entry.into_instance().metadata.is_empty());
    }
}
