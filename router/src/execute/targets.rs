//! Where a subgraph's requests go: one fixed URL, or the healthy instances a service registry reports, taken in
//! turn. An instance that refuses a connection is set aside for a while, so the retry that follows (safe: nothing
//! was sent) goes to another one and a lost replica costs clients nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use parking_lot::Mutex;

/// How long an instance that refused a connection is skipped (unless every instance is).
const EJECTION: Duration = Duration::from_secs(10);

#[derive(Debug)]
struct Target {
    url: reqwest::Url,
    ejected_until: Mutex<Option<Instant>>,
}

/// The instances of one subgraph. Cheap to share; the registry watcher replaces the list as it changes.
#[derive(Debug)]
pub struct Targets {
    list: ArcSwap<Vec<Arc<Target>>>,
    next: AtomicUsize,
}

impl Targets {
    /// A single fixed URL (no registry).
    pub fn fixed(url: reqwest::Url) -> Self {
        Self::new(vec![url])
    }

    /// These URLs, taken in turn.
    pub fn new(urls: Vec<reqwest::Url>) -> Self {
        Self {
            list: ArcSwap::from_pointee(urls.into_iter().map(target).collect()),
            next: AtomicUsize::new(0),
        }
    }

    /// Replaces the instances (after a registry change); instances still present keep their ejection.
    pub fn replace(&self, urls: Vec<reqwest::Url>) {
        let current = self.list.load();
        let list = urls
            .into_iter()
            .map(|url| {
                current
                    .iter()
                    .find(|known| known.url == url)
                    .cloned()
                    .unwrap_or_else(|| target(url))
            })
            .collect();
        self.list.store(Arc::new(list));
    }

    /// How many instances there are.
    pub fn len(&self) -> usize {
        self.list.load().len()
    }

    /// Whether there is no instance to send to.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The next instance to send to: round robin over those not set aside, or over all when every one is.
    pub fn pick(&self) -> Option<reqwest::Url> {
        let list = self.list.load();
        if list.is_empty() {
            return None;
        }
        let now = Instant::now();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let available = (0..list.len())
            .map(|offset| &list[(start + offset) % list.len()])
            .find(|target| target.ejected_until.lock().is_none_or(|until| until <= now));
        Some(available.unwrap_or(&list[start % list.len()]).url.clone())
    }

    /// Sets `url` aside after it refused a connection.
    pub fn eject(&self, url: &reqwest::Url) {
        if let Some(target) = self.list.load().iter().find(|target| &target.url == url) {
            *target.ejected_until.lock() = Some(Instant::now() + EJECTION);
        }
    }
}

fn target(url: reqwest::Url) -> Arc<Target> {
    Arc::new(Target {
        url,
        ejected_until: Mutex::new(None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(port: u16) -> reqwest::Url {
        reqwest::Url::parse(&format!("http://127.0.0.1:{port}/graphql")).unwrap()
    }

    #[test]
    fn instances_are_taken_in_turn_and_an_ejected_one_is_skipped() {
        let targets = Targets::new(vec![url(1), url(2), url(3)]);
        let picked: Vec<_> = (0..6).map(|_| targets.pick().unwrap().port().unwrap()).collect();
        assert_eq!(picked, [1, 2, 3, 1, 2, 3]);
        targets.eject(&url(2));
        let picked: Vec<_> = (0..4).map(|_| targets.pick().unwrap().port().unwrap()).collect();
        assert!(!picked.contains(&2), "{picked:?}");
    }

    #[test]
    fn when_every_instance_is_ejected_they_are_still_tried() {
        let targets = Targets::new(vec![url(1)]);
        targets.eject(&url(1));
        assert_eq!(targets.pick(), Some(url(1)));
    }

    #[test]
    fn a_new_list_keeps_the_ejection_of_known_instances() {
        let targets = Targets::new(vec![url(1), url(2)]);
        targets.eject(&url(1));
        targets.replace(vec![url(1), url(2), url(3)]);
        let picked: Vec<_> = (0..6).map(|_| targets.pick().unwrap().port().unwrap()).collect();
        assert!(!picked.contains(&1), "{picked:?}");
        targets.replace(Vec::new());
        assert!(targets.pick().is_none());
    }
}
