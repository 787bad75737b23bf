//! `router compose`: Federation v2 composition of subgraph SDLs into the supergraph SDL `router serve` reads.
//!
//! [`config`] reads `supergraph.toml` (subgraph names, routing URLs, where each SDL comes from), [`fetch`] gets an
//! SDL live from a subgraph's `_service { sdl }`, [`compose`](composition::compose) runs the composition rules and
//! prints the Apollo-format supergraph (`@link`, `join__*`), and [`diagnostic`] turns composition problems into
//! one-line, coded, located errors.

mod apollo;
mod composition;
pub mod config;
pub mod diagnostic;
pub mod fetch;
mod header;

pub use composition::{Composed, SubgraphSdl, compose};
pub use config::{ComposeConfig, ComposeConfigError, SchemaSource, SubgraphConfig};
pub use diagnostic::{CompositionError, Problem};
pub use fetch::{FetchError, fetch_sdl};
pub use header::{fnv1a64, supergraph_file};

/// Why `router compose` could not produce a supergraph.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// `supergraph.toml` could not be read.
    #[error(transparent)]
    Config(#[from] ComposeConfigError),
    /// A subgraph's SDL could not be fetched from the subgraph.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The subgraphs do not compose.
    #[error(transparent)]
    Composition(#[from] CompositionError),
}

/// Loads every subgraph's SDL named by `config` (files relative to the config's folder, or fetched live), in
/// the config's order.
pub async fn load_subgraphs(config: &ComposeConfig) -> Result<Vec<SubgraphSdl>, ComposeError> {
    let mut subgraphs = Vec::with_capacity(config.subgraphs.len());
    for (name, subgraph) in &config.subgraphs {
        let sdl = match &subgraph.schema {
            SchemaSource::File(path) => config.read_schema_file(name, path)?,
            SchemaSource::SubgraphUrl(url) => fetch_sdl(name, url).await?,
        };
        subgraphs.push(SubgraphSdl {
            name: name.clone(),
            url: subgraph.routing_url.clone(),
            source: subgraph.schema.describe(),
            sdl,
        });
    }
    Ok(subgraphs)
}

/// `router compose`: reads `supergraph.toml` at `config`, composes, and returns the supergraph file's text (the
/// header naming each source and its hash, then the SDL) with any composition warnings.
pub async fn compose_file(config: &std::path::Path) -> Result<(String, Vec<Problem>), ComposeError> {
    let loaded = ComposeConfig::load(config)?;
    let subgraphs = load_subgraphs(&loaded).await?;
    let composed = compose(&subgraphs)?;
    let config_name = config
        .file_name()
        .map_or_else(|| config.display().to_string(), |n| n.to_string_lossy().into_owned());
    let file = supergraph_file(&config_name, &subgraphs, &composed.supergraph_sdl);
    Ok((file, composed.warnings))
}
