//! Service registry: instances register themselves, callers resolve and watch the healthy instances by name.
//!
//! Three adapters sit behind [`ServiceRegistry`]:
//! - [`StaticRegistry`], the embedded one: addresses from config, in-process registrations in memory;
//! - `EtcdRegistry` (kernel feature `etcd`): instances as JSON keys attached to a lease that a background task
//!   keeps alive; a process that dies stops renewing, so its instance vanishes when the lease TTL runs out;
//! - [`ConsulRegistry`]: a Consul agent's HTTP API, with Consul running each instance's HTTP health check.
//!
//! [`connect`] builds the one the config names.

mod backoff;
mod config;
mod consul;
mod error;
#[cfg(feature = "etcd")]
mod etcd;
mod instance;
mod registration;
mod static_registry;
mod watch;

use std::sync::Arc;

pub use config::{ConsulConfig, EtcdConfig, RegistryBackend, RegistryConfig, StaticRegistryConfig};
pub use consul::ConsulRegistry;
pub use error::RegistryError;
#[cfg(feature = "etcd")]
pub use etcd::EtcdRegistry;
pub use instance::{HealthCheckSpec, ServiceInstance, validate_service_name};
pub use registration::{Deregister, Registration};
pub use static_registry::StaticRegistry;
pub use watch::ServiceWatch;

/// Where services announce themselves and find each other.
#[async_trait::async_trait]
pub trait ServiceRegistry: Send + Sync {
    /// Registers `instance` until the returned [`Registration`] is deregistered (or, after a crash, until the
    /// backend's health mechanism notices).
    async fn register(&self, instance: ServiceInstance) -> Result<Registration, RegistryError>;

    /// The healthy instances of `service`, sorted by instance id; empty when none is registered.
    async fn resolve(&self, service: &str) -> Result<Vec<ServiceInstance>, RegistryError>;

    /// Follows the healthy instances of `service`: the current list at once, then the full list after each change.
    async fn watch(&self, service: &str) -> Result<ServiceWatch, RegistryError>;
}

/// Builds the registry the config names, connecting to its server if it has one.
pub async fn connect(config: &RegistryConfig) -> Result<Arc<dyn ServiceRegistry>, RegistryError> {
    match config.backend {
        RegistryBackend::Static => Ok(Arc::new(StaticRegistry::from_config(&config.static_registry)?)),
        RegistryBackend::Consul => Ok(Arc::new(ConsulRegistry::connect(&config.consul).await?)),
        #[cfg(feature = "etcd")]
        RegistryBackend::Etcd => Ok(Arc::new(EtcdRegistry::connect(&config.etcd).await?)),
        #[cfg(not(feature = "etcd"))]
        RegistryBackend::Etcd => Err(RegistryError::BackendNotCompiled {
            backend: "etcd",
            feature: "etcd",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connect_builds_the_static_registry_by_default() {
        let registry = connect(&RegistryConfig::default()).await.unwrap();
        assert!(registry.resolve("blog").await.unwrap().is_empty());
    }

    #[cfg(not(feature = "etcd"))]
    #[tokio::test]
    async fn choosing_etcd_without_the_feature_is_a_clear_error() {
        let config = RegistryConfig {
            backend: RegistryBackend::Etcd,
            ..RegistryConfig::default()
        };
        let error = connect(&config).await.err().unwrap();
        assert!(error.to_string().contains("`etcd` feature"), "{error}");
    }
}
