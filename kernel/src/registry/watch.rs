//! The receiving end of a watch on one service's instances.

use futures::stream::BoxStream;
use tokio::sync::watch;

use super::error::RegistryError;
use super::instance::ServiceInstance;

/// The healthy instances of one service, updated as they change.
///
/// Each update is the full current list, sorted by instance id. Intermediate lists may be skipped when they
/// change faster than they are read; the latest one is never skipped.
pub struct ServiceWatch {
    service: String,
    receiver: watch::Receiver<Vec<ServiceInstance>>,
    _task: Option<AbortOnDrop>,
}

impl ServiceWatch {
    /// Wraps a receiver; `task` (the one feeding the sender, if any) is aborted when the watch is dropped.
    pub(crate) fn new(
        service: String,
        receiver: watch::Receiver<Vec<ServiceInstance>>,
        task: Option<tokio::task::JoinHandle<()>>,
    ) -> Self {
        Self {
            service,
            receiver,
            _task: task.map(AbortOnDrop),
        }
    }

    /// The service being watched.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The latest known list.
    pub fn current(&mut self) -> Vec<ServiceInstance> {
        self.receiver.borrow_and_update().clone()
    }

    /// Waits for the list to change and returns the new one.
    pub async fn changed(&mut self) -> Result<Vec<ServiceInstance>, RegistryError> {
        self.receiver
            .changed()
            .await
            .map_err(|_| RegistryError::WatchClosed(self.service.clone()))?;
        Ok(self.current())
    }

    /// Returns the first list (the current one included) for which `predicate` holds.
    pub async fn wait_for(
        &mut self,
        mut predicate: impl FnMut(&[ServiceInstance]) -> bool,
    ) -> Result<Vec<ServiceInstance>, RegistryError> {
        let list = self
            .receiver
            .wait_for(|list| predicate(list))
            .await
            .map_err(|_| RegistryError::WatchClosed(self.service.clone()))?;
        Ok(list.clone())
    }

    /// A stream that yields the current list first, then every change, and ends when the watch ends.
    pub fn into_stream(self) -> BoxStream<'static, Vec<ServiceInstance>> {
        Box::pin(futures::stream::unfold((self, true), |(mut watch, first)| async move {
            let next = if first {
                Some(watch.current())
            } else {
                watch.changed().await.ok()
            };
            next.map(|list| (list, (watch, false)))
        }))
    }
}

impl std::fmt::Debug for ServiceWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceWatch")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

/// Stops the background task feeding a watch once nobody reads it.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;

    #[tokio::test]
    async fn the_stream_yields_the_current_list_then_changes() {
        let (sender, receiver) = watch::channel(vec![ServiceInstance::new("a", "svc", "127.0.0.1", 1)]);
        let mut stream = ServiceWatch::new("svc".to_owned(), receiver, None).into_stream();
        assert_eq!(stream.next().await.map(|list| list.len()), Some(1));
        sender.send_replace(Vec::new());
        assert_eq!(stream.next().await.map(|list| list.len()), Some(0));
        drop(sender);
        assert!(stream.next().await.is_none());
    }

    #[tokio::test]
    async fn a_closed_watch_reports_watch_closed() {
        let (sender, receiver) = watch::channel(Vec::new());
        let mut watch = ServiceWatch::new("svc".to_owned(), receiver, None);
        drop(sender);
        assert!(matches!(watch.changed().await, Err(RegistryError::WatchClosed(name)) if name == "svc"));
    }
}
