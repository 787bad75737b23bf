//! Follows one service's key prefix with an etcd watch and publishes the full list after each change.

use std::collections::BTreeMap;

use etcd_client::{EventType, WatchOptions};
use tokio::sync::watch;

use super::{EtcdRegistry, decode, sorted};
use crate::registry::backoff::Backoff;
use crate::registry::error::RegistryError;
use crate::registry::instance::ServiceInstance;

/// The state behind one `ServiceWatch`: the instances by key as of `revision`.
pub(super) struct Follower {
    pub(super) registry: EtcdRegistry,
    pub(super) prefix: String,
    pub(super) instances: BTreeMap<Vec<u8>, ServiceInstance>,
    pub(super) revision: i64,
    pub(super) sender: watch::Sender<Vec<ServiceInstance>>,
}

impl Follower {
    /// Runs until the `ServiceWatch` aborts it on drop; after any failure it lists the prefix again and resumes
    /// from there, so a broken stream or a compacted revision costs a re-read, never a missed change.
    pub(super) async fn run(mut self) {
        let mut backoff = Backoff::new();
        loop {
            if let Err(error) = self.follow(&mut backoff).await {
                tracing::warn!(prefix = %self.prefix, %error, "registry watch failed; listing again");
            }
            if self.sender.is_closed() {
                return;
            }
            tokio::time::sleep(backoff.advance()).await;
            match self.registry.list(&self.prefix).await {
                Ok((instances, revision)) => {
                    self.instances = instances;
                    self.revision = revision;
                    self.publish();
                }
                Err(error) => tracing::warn!(prefix = %self.prefix, %error, "listing registry entries failed"),
            }
        }
    }

    /// Applies watch events from `revision + 1` on; returns when the stream ends or etcd cancels the watch.
    async fn follow(&mut self, backoff: &mut Backoff) -> Result<(), RegistryError> {
        let options = WatchOptions::new().with_prefix().with_start_revision(self.revision + 1);
        let mut stream = self
            .registry
            .client
            .clone()
            .watch(self.prefix.clone(), Some(options))
            .await?;
        while let Some(response) = stream.message().await? {
            if response.canceled() {
                return Ok(());
            }
            backoff.reset();
            if response.events().is_empty() {
                continue;
            }
            for event in response.events() {
                let Some(kv) = event.kv() else { continue };
                self.revision = self.revision.max(kv.mod_revision());
                match event.event_type() {
                    EventType::Put => match decode(kv) {
                        Some(instance) => self.instances.insert(kv.key().to_vec(), instance),
                        None => self.instances.remove(kv.key()),
                    },
                    EventType::Delete => self.instances.remove(kv.key()),
                };
            }
            self.publish();
        }
        Ok(())
    }

    fn publish(&self) {
        let list = sorted(&self.instances);
        self.sender.send_if_modified(|current| {
            let changed = *current != list;
            if changed {
                *current = list;
            }
            changed
        });
    }
}
