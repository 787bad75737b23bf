//! The embedded registry: addresses from config plus in-process registrations, all in memory.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use tokio::sync::watch;

use super::ServiceRegistry;
use super::config::StaticRegistryConfig;
use super::error::RegistryError;
use super::instance::{ServiceInstance, validate_service_name};
use super::registration::{Deregister, Registration};
use super::watch::ServiceWatch;

/// A registry that needs no server: services listed in config, plus whatever registers in this process.
///
/// It runs no health checks; every listed instance counts as healthy. Registrations live only in this process's
/// memory, so other processes see just the configured addresses; clones share one view.
#[derive(Clone, Default)]
pub struct StaticRegistry {
    state: Arc<State>,
}

#[derive(Default)]
struct State {
    services: Mutex<BTreeMap<String, ServiceEntry>>,
    next_generation: AtomicU64,
}

struct ServiceEntry {
    /// Instance id → (generation of the registration that wrote it, instance).
    instances: BTreeMap<String, (u64, ServiceInstance)>,
    sender: watch::Sender<Vec<ServiceInstance>>,
}

impl ServiceEntry {
    fn new() -> Self {
        Self {
            instances: BTreeMap::new(),
            sender: watch::Sender::new(Vec::new()),
        }
    }

    fn list(&self) -> Vec<ServiceInstance> {
        self.instances.values().map(|(_, instance)| instance.clone()).collect()
    }

    fn publish(&self) {
        self.sender.send_replace(self.list());
    }
}

impl StaticRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry holding the configured addresses; instance ids are `{service}-{index}`.
    pub fn from_config(config: &StaticRegistryConfig) -> Result<Self, RegistryError> {
        let registry = Self::new();
        {
            let mut services = registry.state.services.lock();
            for (service, addresses) in &config.services {
                let mut entry = ServiceEntry::new();
                for (index, address) in addresses.iter().enumerate() {
                    let (host, port) = parse_address(address).ok_or_else(|| {
                        RegistryError::Config(format!(
                            "registry.static.services.{service}[{index}]: `{address}` is not `host:port`"
                        ))
                    })?;
                    let instance = ServiceInstance::new(format!("{service}-{index}"), service.clone(), host, port);
                    instance
                        .validate()
                        .map_err(|e| RegistryError::Config(format!("registry.static.services.{service}: {e}")))?;
                    entry.instances.insert(instance.id.clone(), (0, instance));
                }
                entry.publish();
                services.insert(service.clone(), entry);
            }
        }
        Ok(registry)
    }

    fn with_entry<T>(&self, service: &str, f: impl FnOnce(&mut ServiceEntry) -> T) -> T {
        let mut services = self.state.services.lock();
        f(services.entry(service.to_owned()).or_insert_with(ServiceEntry::new))
    }
}

#[async_trait::async_trait]
impl ServiceRegistry for StaticRegistry {
    async fn register(&self, instance: ServiceInstance) -> Result<Registration, RegistryError> {
        instance.validate()?;
        // Generation 0 marks configured instances, which no registration owns.
        let generation = self.state.next_generation.fetch_add(1, Ordering::Relaxed) + 1;
        self.with_entry(&instance.service, |entry| {
            entry
                .instances
                .insert(instance.id.clone(), (generation, instance.clone()));
            entry.publish();
        });
        let handle = StaticRegistration {
            state: Arc::downgrade(&self.state),
            service: instance.service.clone(),
            id: instance.id.clone(),
            generation,
        };
        Ok(Registration::new(instance, Box::new(handle)))
    }

    async fn resolve(&self, service: &str) -> Result<Vec<ServiceInstance>, RegistryError> {
        validate_service_name(service)?;
        let services = self.state.services.lock();
        Ok(services.get(service).map(ServiceEntry::list).unwrap_or_default())
    }

    async fn watch(&self, service: &str) -> Result<ServiceWatch, RegistryError> {
        validate_service_name(service)?;
        let receiver = self.with_entry(service, |entry| entry.sender.subscribe());
        Ok(ServiceWatch::new(service.to_owned(), receiver, None))
    }
}

/// Removes its instance on deregister and on drop, since an in-process registration cannot outlive its owner.
struct StaticRegistration {
    state: Weak<State>,
    service: String,
    id: String,
    generation: u64,
}

impl StaticRegistration {
    fn remove(&self) {
        let Some(state) = self.state.upgrade() else { return };
        let mut services = state.services.lock();
        let Some(entry) = services.get_mut(&self.service) else {
            return;
        };
        // A later registration with the same id replaced this one; that one is not ours to remove.
        if entry
            .instances
            .get(&self.id)
            .is_some_and(|(generation, _)| *generation == self.generation)
        {
            entry.instances.remove(&self.id);
            entry.publish();
        }
    }
}

#[async_trait::async_trait]
impl Deregister for StaticRegistration {
    async fn deregister(self: Box<Self>) -> Result<(), RegistryError> {
        // Drop does the removal, so dropping without deregistering behaves the same.
        drop(self);
        Ok(())
    }
}

impl Drop for StaticRegistration {
    fn drop(&mut self) {
        self.remove();
    }
}

fn parse_address(address: &str) -> Option<(String, u16)> {
    if let Ok(socket) = address.parse::<SocketAddr>() {
        return Some((socket.ip().to_string(), socket.port()));
    }
    let (host, port) = address.rsplit_once(':')?;
    Some((host.to_owned(), port.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(service: &str, addresses: &[&str]) -> StaticRegistryConfig {
        let mut config = StaticRegistryConfig::default();
        config
            .services
            .insert(service.to_owned(), addresses.iter().map(|a| (*a).to_owned()).collect());
        config
    }

    #[tokio::test]
    async fn configured_addresses_are_resolved() {
        let registry = StaticRegistry::from_config(&config("blog", &["127.0.0.1:4004", "blog.internal:4005"])).unwrap();
        let instances = registry.resolve("blog").await.unwrap();
        let addresses: Vec<_> = instances
            .iter()
            .map(|i| (i.id.as_str(), i.host.as_str(), i.port))
            .collect();
        assert_eq!(
            addresses,
            vec![("blog-0", "127.0.0.1", 4004), ("blog-1", "blog.internal", 4005)]
        );
    }

    #[test]
    fn an_address_without_port_is_a_config_error_naming_the_key() {
        let error = StaticRegistry::from_config(&config("blog", &["127.0.0.1"]))
            .err()
            .unwrap();
        assert!(
            error.to_string().contains("registry.static.services.blog[0]"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn dropping_a_replaced_registration_keeps_its_replacement() {
        let registry = StaticRegistry::new();
        let first = registry
            .register(ServiceInstance::new("a", "svc", "127.0.0.1", 1))
            .await
            .unwrap();
        let _second = registry
            .register(ServiceInstance::new("a", "svc", "127.0.0.1", 2))
            .await
            .unwrap();
        drop(first);
        let ports: Vec<_> = registry.resolve("svc").await.unwrap().iter().map(|i| i.port).collect();
        assert_eq!(ports, vec![2]);
    }

    #[tokio::test]
    async fn dropping_a_registration_removes_its_instance() {
        let registry = StaticRegistry::new();
        let registration = registry
            .register(ServiceInstance::new("a", "svc", "127.0.0.1", 1))
            .await
            .unwrap();
        drop(registration);
        assert!(registry.resolve("svc").await.unwrap().is_empty());
    }
}
