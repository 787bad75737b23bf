//! Keeps one registration's lease alive, and re-creates it if etcd let it expire (e.g. after a partition).

use std::time::Duration;

use etcd_client::{Client, LeaseKeepAliveStream, LeaseKeeper};
use tokio_util::sync::CancellationToken;

use super::put_with_lease;
use crate::registry::backoff::Backoff;
use crate::registry::error::RegistryError;

/// A lease with the instance's key attached, and the open keep-alive stream renewing it.
pub(super) struct Lease {
    client: Client,
    key: Vec<u8>,
    value: Vec<u8>,
    ttl_secs: i64,
    id: i64,
    keeper: LeaseKeeper,
    responses: LeaseKeepAliveStream,
}

impl Lease {
    /// Grants a lease, writes the key under it and opens the keep-alive stream.
    pub(super) async fn establish(
        mut client: Client,
        key: Vec<u8>,
        value: Vec<u8>,
        ttl_secs: i64,
    ) -> Result<Self, RegistryError> {
        let id = put_with_lease(&mut client, &key, &value, ttl_secs).await?;
        match client.lease_keep_alive(id).await {
            Ok((keeper, responses)) => Ok(Self {
                client,
                key,
                value,
                ttl_secs,
                id,
                keeper,
                responses,
            }),
            Err(error) => {
                let _ = client.lease_revoke(id).await;
                Err(error.into())
            }
        }
    }

    /// Renews the lease every third of its TTL until `cancel` fires, then returns the id of the lease in use.
    pub(super) async fn keep_alive(mut self, cancel: CancellationToken) -> i64 {
        let ttl = Duration::from_secs(self.ttl_secs.unsigned_abs());
        let period = (ttl / 3).max(Duration::from_millis(500));
        let mut backoff = Backoff::new();
        let mut delay = period;
        loop {
            tokio::select! {
                () = cancel.cancelled() => return self.id,
                () = tokio::time::sleep(delay) => {}
            }
            // Not raced against `cancel`: an interrupted re-creation could leave a key on a lease nobody knows.
            let outcome = match tokio::time::timeout(ttl, self.renew_or_recreate()).await {
                Ok(outcome) => outcome,
                Err(_) => Err(RegistryError::Task(format!(
                    "renewing the lease took longer than {ttl:?}"
                ))),
            };
            match outcome {
                Ok(()) => {
                    backoff.reset();
                    delay = period;
                }
                Err(error) => {
                    tracing::warn!(key = %String::from_utf8_lossy(&self.key), %error, "registry lease renewal failed");
                    delay = backoff.advance();
                }
            }
        }
    }

    async fn renew_or_recreate(&mut self) -> Result<(), RegistryError> {
        match self.renew().await {
            Ok(true) => Ok(()),
            Ok(false) => {
                tracing::warn!(key = %String::from_utf8_lossy(&self.key), "registry lease expired; registering again");
                self.recreate().await
            }
            // The stream may be broken while the lease is fine; a fresh lease and stream cover both cases.
            Err(_) => self.recreate().await,
        }
    }

    /// Sends one keep-alive; `Ok(false)` when etcd answers that the lease no longer exists.
    async fn renew(&mut self) -> Result<bool, RegistryError> {
        self.keeper.keep_alive().await?;
        match self.responses.message().await? {
            Some(response) => Ok(response.ttl() > 0),
            None => Err(RegistryError::Task("the lease keep-alive stream ended".to_owned())),
        }
    }

    async fn recreate(&mut self) -> Result<(), RegistryError> {
        let fresh = Self::establish(self.client.clone(), self.key.clone(), self.value.clone(), self.ttl_secs).await?;
        let stale = std::mem::replace(self, fresh).id;
        // The key now hangs on the fresh lease; the stale one would only expire, so free it now if it still exists.
        let _ = self.client.lease_revoke(stale).await;
        Ok(())
    }
}
