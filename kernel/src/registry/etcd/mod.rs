//! The etcd adapter: each instance is a JSON value under `{prefix}/{service}/{instance_id}`, attached to a lease.
//!
//! Health here is liveness of the registering process: a background task renews the lease every third of its
//! TTL; when the process dies (or is partitioned from etcd) the renewals stop and etcd deletes the key once the
//! TTL has run out. The instance's `health_check` is stored with it but not polled, since etcd runs no checks.

mod keep_alive;
mod watch;

use std::collections::BTreeMap;
use std::time::Duration;

use etcd_client::{Client, ConnectOptions, GetOptions, KeyValue, PutOptions};
use secrecy::ExposeSecret;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::ServiceRegistry;
use super::config::EtcdConfig;
use super::error::RegistryError;
use super::instance::{ServiceInstance, validate_service_name};
use super::registration::{Deregister, Registration};
use super::watch::ServiceWatch;
use keep_alive::Lease;

/// A registry backed by etcd, with instances kept listed by lease keep-alives.
#[derive(Clone)]
pub struct EtcdRegistry {
    client: Client,
    prefix: String,
    lease_ttl_secs: i64,
}

impl EtcdRegistry {
    /// Connects to the configured members and checks that one answers within the connect timeout.
    pub async fn connect(config: &EtcdConfig) -> Result<Self, RegistryError> {
        if config.endpoints.is_empty() {
            return Err(RegistryError::Config("registry.etcd.endpoints is empty".to_owned()));
        }
        // etcd raises a TTL below its minimum (about 2 s with default election settings) to that minimum.
        let lease_ttl_secs = i64::try_from(config.lease_ttl_secs)
            .ok()
            .filter(|ttl| *ttl >= 1)
            .ok_or_else(|| RegistryError::Config("registry.etcd.lease_ttl_secs must be at least 1".to_owned()))?;
        let connect_timeout = Duration::from_millis(config.connect_timeout_ms);
        let mut options = ConnectOptions::new()
            .with_connect_timeout(connect_timeout)
            .with_keep_alive(Duration::from_secs(10), Duration::from_secs(5))
            .with_keep_alive_while_idle(true);
        if let Some(user) = &config.username {
            let password = config
                .password
                .as_ref()
                .map(|p| p.expose_secret().to_owned())
                .unwrap_or_default();
            options = options.with_user(user.clone(), password);
        }
        let connected = tokio::time::timeout(connect_timeout, async {
            let mut client = Client::connect(&config.endpoints, Some(options)).await?;
            client
                .get(
                    config.prefix.clone(),
                    Some(GetOptions::new().with_prefix().with_count_only()),
                )
                .await?;
            Ok::<_, etcd_client::Error>(client)
        })
        .await;
        let client = match connected {
            Ok(result) => result?,
            Err(_) => {
                return Err(RegistryError::Config(format!(
                    "registry.etcd.endpoints: no member of {:?} answered within {} ms",
                    config.endpoints, config.connect_timeout_ms
                )));
            }
        };
        Ok(Self {
            client,
            prefix: config.prefix.trim_end_matches('/').to_owned(),
            lease_ttl_secs,
        })
    }

    /// The key prefix of one service, ending in `/` so that `blog` never matches `blog-admin`.
    fn service_prefix(&self, service: &str) -> String {
        format!("{}/{service}/", self.prefix)
    }

    /// The instances under `prefix`, by key, and the store revision they were read at.
    async fn list(&self, prefix: &str) -> Result<(BTreeMap<Vec<u8>, ServiceInstance>, i64), RegistryError> {
        let response = self
            .client
            .clone()
            .get(prefix, Some(GetOptions::new().with_prefix()))
            .await?;
        let revision = response.header().map(|header| header.revision()).unwrap_or_default();
        let instances = response
            .kvs()
            .iter()
            .filter_map(|kv| decode(kv).map(|i| (kv.key().to_vec(), i)))
            .collect();
        Ok((instances, revision))
    }
}

#[async_trait::async_trait]
impl ServiceRegistry for EtcdRegistry {
    async fn register(&self, instance: ServiceInstance) -> Result<Registration, RegistryError> {
        instance.validate()?;
        let key = format!("{}{}", self.service_prefix(&instance.service), instance.id);
        let value = serde_json::to_vec(&instance).map_err(|e| RegistryError::Decode(e.to_string()))?;
        let lease = Lease::establish(self.client.clone(), key.into_bytes(), value, self.lease_ttl_secs).await?;
        let cancel = CancellationToken::new();
        let task = tokio::spawn(lease.keep_alive(cancel.clone()));
        let handle = EtcdRegistration {
            client: self.client.clone(),
            cancel: cancel.drop_guard(),
            task,
        };
        Ok(Registration::new(instance, Box::new(handle)))
    }

    async fn resolve(&self, service: &str) -> Result<Vec<ServiceInstance>, RegistryError> {
        validate_service_name(service)?;
        let (instances, _) = self.list(&self.service_prefix(service)).await?;
        Ok(sorted(&instances))
    }

    async fn watch(&self, service: &str) -> Result<ServiceWatch, RegistryError> {
        validate_service_name(service)?;
        let prefix = self.service_prefix(service);
        let (instances, revision) = self.list(&prefix).await?;
        let (sender, receiver) = tokio::sync::watch::channel(sorted(&instances));
        let follower = watch::Follower {
            registry: self.clone(),
            prefix,
            instances,
            revision,
            sender,
        };
        let task = tokio::spawn(follower.run());
        Ok(ServiceWatch::new(service.to_owned(), receiver, Some(task)))
    }
}

/// One live registration: the keep-alive task, stopped when this is dropped or deregistered.
struct EtcdRegistration {
    client: Client,
    cancel: DropGuard,
    /// Ends when cancelled, returning the lease it was keeping alive last (it changes if a lease had to be renewed
    /// from scratch after expiring).
    task: tokio::task::JoinHandle<i64>,
}

#[async_trait::async_trait]
impl Deregister for EtcdRegistration {
    async fn deregister(self: Box<Self>) -> Result<(), RegistryError> {
        let Self {
            mut client,
            cancel,
            task,
        } = *self;
        cancel.disarm().cancel();
        let lease_id = task.await.map_err(|e| RegistryError::Task(e.to_string()))?;
        // Revoking the lease deletes the key with it.
        match client.lease_revoke(lease_id).await {
            Ok(_) => Ok(()),
            Err(etcd_client::Error::GRpcStatus(status)) if status.code() == tonic::Code::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// Decodes one stored instance; a malformed entry (written by something else) is skipped, not fatal, so it cannot
/// hide the healthy instances next to it.
fn decode(kv: &KeyValue) -> Option<ServiceInstance> {
    match serde_json::from_slice::<ServiceInstance>(kv.value()) {
        Ok(instance) => Some(instance),
        Err(error) => {
            tracing::warn!(key = %String::from_utf8_lossy(kv.key()), %error, "skipping a malformed registry entry");
            None
        }
    }
}

fn sorted(instances: &BTreeMap<Vec<u8>, ServiceInstance>) -> Vec<ServiceInstance> {
    let mut list: Vec<_> = instances.values().cloned().collect();
    list.sort_by(|a, b| a.id.cmp(&b.id));
    list
}

/// Grants a lease and writes the key attached to it; revokes the lease again if the write fails.
async fn put_with_lease(client: &mut Client, key: &[u8], value: &[u8], ttl_secs: i64) -> Result<i64, RegistryError> {
    let lease_id = client.lease_grant(ttl_secs, None).await?.id();
    if let Err(error) = client
        .put(key, value, Some(PutOptions::new().with_lease(lease_id)))
        .await
    {
        let _ = client.lease_revoke(lease_id).await;
        return Err(error.into());
    }
    Ok(lease_id)
}
