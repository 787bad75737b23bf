//! What a registry stores about one running copy of a service.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::RegistryError;

/// One running copy of a service, as registered and as resolved by its callers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInstance {
    /// Unique among the instances of every service in one registry, e.g. `blog-7f3a`.
    pub id: String,
    /// The service name callers resolve, e.g. `blog`.
    pub service: String,
    /// Host name or IP address the instance is reachable at.
    pub host: String,
    /// The primary port (the one a plain load balancer would use).
    pub port: u16,
    /// Further named ports on the same host, e.g. `grpc` → 50051.
    #[serde(default)]
    pub endpoints: BTreeMap<String, u16>,
    /// Free-form labels, e.g. version or zone.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// How the backend checks the instance, for backends that run checks themselves (Consul). Resolved instances
    /// carry it where the backend stores the whole instance (static, etcd); Consul does not return it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheckSpec>,
}

/// An HTTP health check the registry backend runs against an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckSpec {
    /// The URL polled; any 2xx answer counts as healthy.
    pub http_url: String,
    /// Time between two checks, in milliseconds.
    pub interval_ms: u64,
    /// How long one check may take, in milliseconds.
    pub timeout_ms: u64,
    /// How long an instance may stay unhealthy before the backend removes it, in milliseconds.
    pub deregister_after_ms: u64,
}

impl ServiceInstance {
    /// An instance with no extra endpoints, metadata or health check.
    pub fn new(id: impl Into<String>, service: impl Into<String>, host: impl Into<String>, port: u16) -> Self {
        Self {
            id: id.into(),
            service: service.into(),
            host: host.into(),
            port,
            endpoints: BTreeMap::new(),
            metadata: BTreeMap::new(),
            health_check: None,
        }
    }

    /// Adds a named port.
    pub fn with_endpoint(mut self, name: impl Into<String>, port: u16) -> Self {
        self.endpoints.insert(name.into(), port);
        self
    }

    /// Adds a metadata label.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Sets the health check the backend runs.
    pub fn with_health_check(mut self, check: HealthCheckSpec) -> Self {
        self.health_check = Some(check);
        self
    }

    /// The named port, or the primary port when no endpoint has that name.
    pub fn port_for(&self, endpoint: &str) -> u16 {
        self.endpoints.get(endpoint).copied().unwrap_or(self.port)
    }

    /// Checks that the names are usable as etcd key segments, URL path segments and Consul identifiers.
    pub fn validate(&self) -> Result<(), RegistryError> {
        validate_service_name(&self.service)?;
        validate_token("instance id", &self.id)?;
        if self.host.is_empty() || self.host.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(RegistryError::InvalidInstance(format!(
                "instance `{}` has an invalid host `{}`",
                self.id, self.host
            )));
        }
        for name in self.endpoints.keys() {
            validate_token("endpoint name", name)?;
        }
        if let Some(check) = &self.health_check
            && (check.interval_ms == 0 || check.timeout_ms == 0)
        {
            return Err(RegistryError::InvalidInstance(format!(
                "instance `{}` has a health check with a zero interval or timeout",
                self.id
            )));
        }
        Ok(())
    }
}

/// Checks a service name before it becomes part of a key or URL.
pub fn validate_service_name(service: &str) -> Result<(), RegistryError> {
    validate_token("service name", service)
}

/// Names are limited to ASCII letters, digits and `.`, `_`, `-`, `:`, so they never need escaping and can never
/// walk out of their key prefix or URL path.
fn validate_token(what: &str, value: &str) -> Result<(), RegistryError> {
    const MAX_LEN: usize = 128;
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':');
    if value.is_empty() || value.len() > MAX_LEN || !value.chars().all(allowed) || value == "." || value == ".." {
        return Err(RegistryError::InvalidInstance(format!(
            "{what} `{value}` must be 1 to {MAX_LEN} ASCII letters, digits, `.`, `_`, `-` or `:`"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_instance_is_valid() {
        let instance = ServiceInstance::new("blog-1", "blog", "10.0.0.7", 8080).with_endpoint("grpc", 50051);
        assert!(instance.validate().is_ok());
        assert_eq!(instance.port_for("grpc"), 50051);
        assert_eq!(instance.port_for("http"), 8080);
    }

    #[test]
    fn a_service_name_with_a_slash_is_rejected() {
        let instance = ServiceInstance::new("blog-1", "blog/../authz", "10.0.0.7", 8080);
        assert!(matches!(instance.validate(), Err(RegistryError::InvalidInstance(_))));
    }

    #[test]
    fn an_empty_id_is_rejected() {
        let instance = ServiceInstance::new("", "blog", "10.0.0.7", 8080);
        assert!(matches!(instance.validate(), Err(RegistryError::InvalidInstance(_))));
    }

    #[test]
    fn a_health_check_without_interval_is_rejected() {
        let instance = ServiceInstance::new("blog-1", "blog", "10.0.0.7", 8080).with_health_check(HealthCheckSpec {
            http_url: "http://10.0.0.7:8080/health".to_owned(),
            interval_ms: 0,
            timeout_ms: 1_000,
            deregister_after_ms: 60_000,
        });
        assert!(matches!(instance.validate(), Err(RegistryError::InvalidInstance(_))));
    }

    #[test]
    fn an_instance_round_trips_through_json() {
        let instance = ServiceInstance::new("blog-1", "blog", "10.0.0.7", 8080).with_metadata("version", "1.2.0");
        let json = serde_json::to_string(&instance).unwrap();
        assert_eq!(serde_json::from_str::<ServiceInstance>(&json).unwrap(), instance);
    }
}
