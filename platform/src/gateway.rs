//! The router in front of the local stack: the platform's composed supergraph (built into the binary, so the
//! command works from any folder), each subgraph pointed at its running service, and tokens verified at the
//! edge against identity's JWKS.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use kernel::auth::VerifierConfig;
use kernel::cache::{CacheBackend, CacheConfig};
use router::config::{RouterConfig, SubgraphOverride};

use crate::error::DevError;
use crate::options::{Backends, DevConfig};

/// The composed supergraph committed as `schema/supergraph.graphql`.
pub const SUPERGRAPH: &str = include_str!("../../schema/supergraph.graphql");

/// How long the stopping router lets requests in flight finish.
const SHUTDOWN_GRACE_MS: u64 = 2_000;

/// Writes the supergraph into the data folder, where the router reads it, and returns its path.
pub fn write_supergraph(data_dir: &Path) -> Result<PathBuf, DevError> {
    let path = data_dir.join("supergraph.graphql");
    std::fs::write(&path, SUPERGRAPH).map_err(|source| DevError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// The router's config: listening on loopback `config.router_port()`, the supergraph at `supergraph`, every
/// subgraph at the GraphQL address in `subgraphs` (`(name, http address)`), `[auth]` enabled with `verifier`.
pub fn router_config(
    config: &DevConfig,
    supergraph: PathBuf,
    subgraphs: &[(&str, SocketAddr)],
    verifier: VerifierConfig,
) -> RouterConfig {
    let mut router = RouterConfig::default();
    router.listen.http_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, config.router_port()));
    router.listen.shutdown_grace_ms = SHUTDOWN_GRACE_MS;
    router.supergraph.path = Some(supergraph);
    // The file is rewritten from the binary at every start; there is nothing to watch for.
    router.supergraph.watch_interval_ms = 0;
    router.auth.enabled = true;
    router.auth.issuers = vec![verifier];
    // GraphiQL is served by the router itself, so browsers call it same-origin: no CORS origins are needed.
    router.cors.allowed_origins = Vec::new();
    if config.backends == Backends::Real {
        router.persisted_queries.cache = CacheConfig {
            backend: CacheBackend::Redis,
            url: config.redis_url.clone(),
            ..CacheConfig::for_service(&config.namespaced("router:apq"))
        };
    }
    for (name, addr) in subgraphs {
        let subgraph = SubgraphOverride {
            url: Some(format!("http://{addr}{}", kernel::graphql::GRAPHQL_PATH)),
            ..SubgraphOverride::default()
        };
        router.subgraphs.overrides.insert((*name).to_owned(), subgraph);
    }
    router
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subgraph_of_the_supergraph_is_pointed_at_its_service() {
        let subgraphs: Vec<(&str, SocketAddr)> = crate::services::SERVICES
            .iter()
            .zip(4001..)
            .map(|(name, port)| (*name, SocketAddr::from((Ipv4Addr::LOCALHOST, port))))
            .collect();
        let config = router_config(
            &DevConfig::default(),
            PathBuf::from("s.graphql"),
            &subgraphs,
            VerifierConfig::default(),
        );
        assert_eq!(config.listen.http_addr.port(), 4000);
        assert!(config.auth.enabled);
        for name in crate::services::SERVICES {
            assert!(
                SUPERGRAPH.contains(&format!("name: \"{name}\"")),
                "{name} is not in the supergraph"
            );
            let url = config.subgraphs.overrides[name].url.clone().unwrap();
            assert!(url.starts_with("http://127.0.0.1:400"), "{url}");
        }
    }
}
