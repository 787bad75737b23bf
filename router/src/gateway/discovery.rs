//! Subgraph instances from the service registry: each subgraph's [`Targets`] is filled from the registry before
//! the router serves, then kept current by a watch until the router stops.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use kernel::registry::{RegistryError, ServiceInstance, ServiceRegistry};
use tokio_util::sync::CancellationToken;

use crate::config::DiscoveryConfig;
use crate::execute::Targets;
use crate::supergraph::Supergraph;

/// How long a failed watch waits before it is opened again.
const REWATCH_DELAY: Duration = Duration::from_secs(1);

/// The registry-backed instances of the supergraph's subgraphs.
#[derive(Clone)]
pub struct Discovery {
    targets: Arc<HashMap<String, Arc<Targets>>>,
}

impl std::fmt::Debug for Discovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Discovery")
            .field("subgraphs", &self.targets.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Discovery {
    /// Resolves every subgraph of `supergraph` in `registry` now, and watches each until `cancel` fires.
    pub async fn start(
        config: &DiscoveryConfig,
        registry: Arc<dyn ServiceRegistry>,
        supergraph: &Supergraph,
        cancel: &CancellationToken,
    ) -> Result<Self, RegistryError> {
        let mut targets = HashMap::new();
        for subgraph in supergraph.subgraphs() {
            let name = subgraph.name.to_string();
            let service = config.services.get(&name).cloned().unwrap_or_else(|| name.clone());
            let path = reqwest::Url::parse(&subgraph.url)
                .map(|url| url.path().to_owned())
                .unwrap_or_else(|_| "/graphql".to_owned());
            let instances = registry.resolve(&service).await?;
            if instances.is_empty() {
                tracing::warn!(subgraph = %name, %service, "the registry has no instance of this subgraph yet");
            }
            let found = Arc::new(Targets::new(urls(&instances, &path)));
            tokio::spawn(follow(
                Arc::clone(&registry),
                service,
                path,
                Arc::clone(&found),
                cancel.clone(),
            ));
            targets.insert(name, found);
        }
        Ok(Self {
            targets: Arc::new(targets),
        })
    }

    /// The instances of subgraph `name`, if it is discovered.
    pub fn targets(&self, name: &str) -> Option<Arc<Targets>> {
        self.targets.get(name).cloned()
    }
}

/// Keeps `targets` equal to the registry's healthy instances of `service`.
async fn follow(
    registry: Arc<dyn ServiceRegistry>,
    service: String,
    path: String,
    targets: Arc<Targets>,
    cancel: CancellationToken,
) {
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            Err(error) = watch_once(registry.as_ref(), &service, &path, &targets) => {
                tracing::warn!(%error, %service, "watching subgraph instances failed; watching again");
            }
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(REWATCH_DELAY) => {}
        }
    }
}

/// Follows one watch until it fails.
async fn watch_once(
    registry: &dyn ServiceRegistry,
    service: &str,
    path: &str,
    targets: &Targets,
) -> Result<Infallible, RegistryError> {
    let mut watch = registry.watch(service).await?;
    targets.replace(urls(&watch.current(), path));
    loop {
        let instances = watch.changed().await?;
        tracing::info!(%service, instances = instances.len(), "subgraph instances changed");
        targets.replace(urls(&instances, path));
    }
}

/// The metadata key an instance may name its GraphQL path with.
pub const GRAPHQL_PATH_METADATA: &str = "graphql_path";

/// The GraphQL URL of each instance: its `http` endpoint (or its port), and its `graphql_path` metadata or else
/// the path of the subgraph's URL in the supergraph.
fn urls(instances: &[ServiceInstance], path: &str) -> Vec<reqwest::Url> {
    instances
        .iter()
        .filter_map(|instance| {
            let port = instance.endpoints.get("http").copied().unwrap_or(instance.port);
            let path = instance
                .metadata
                .get(GRAPHQL_PATH_METADATA)
                .map_or(path, String::as_str);
            reqwest::Url::parse(&format!("http://{}:{port}{path}", instance.host)).ok()
        })
        .collect()
}
