//! The handle a registered instance keeps for as long as it wants to be found.

use super::error::RegistryError;
use super::instance::ServiceInstance;

/// Proof that an instance is registered; deregister it on shutdown.
///
/// Dropping it without calling [`Registration::deregister`] behaves like a crash of the process: the instance
/// disappears once the backend notices (at once for the static registry, when the lease TTL runs out for etcd,
/// when the health check has been critical for `deregister_after_ms` for Consul).
pub struct Registration {
    instance: ServiceInstance,
    handle: Box<dyn Deregister>,
}

/// Backend-specific state of one registration: whatever is needed to remove it (and to stop keeping it alive).
#[async_trait::async_trait]
pub trait Deregister: Send + Sync {
    /// Removes the instance from the backend.
    async fn deregister(self: Box<Self>) -> Result<(), RegistryError>;
}

impl Registration {
    /// Wraps a backend's registration state; called by registry implementations.
    pub fn new(instance: ServiceInstance, handle: Box<dyn Deregister>) -> Self {
        Self { instance, handle }
    }

    /// The instance as it was registered.
    pub fn instance(&self) -> &ServiceInstance {
        &self.instance
    }

    /// Removes the instance, so callers stop resolving it; call this on graceful shutdown.
    pub async fn deregister(self) -> Result<(), RegistryError> {
        self.handle.deregister().await
    }
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}
