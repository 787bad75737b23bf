//! Composition proper: subgraph SDLs in, Apollo-format supergraph SDL (and its API schema) out.
//!
//! The Federation v2 rules (`@key` resolvability, `@shareable`, `@external`/`@requires`/`@provides`,
//! `@override`, `@inaccessible`, `@interfaceObject`, enum and input merging, field type compatibility) are
//! checked by `graphql-composition`; this module feeds it, and turns its diagnostics into [`Problem`]s.

use super::apollo::to_apollo_shape;
use super::diagnostic::{CompositionError, Problem};

/// One subgraph to compose: its name, the URL the router routes to, and its SDL.
#[derive(Debug, Clone)]
pub struct SubgraphSdl {
    /// The subgraph's name, as `join__Graph` and error messages show it.
    pub name: String,
    /// The routing URL written into `@join__graph(url:)`.
    pub url: String,
    /// Where the SDL came from (a file name or URL), for the supergraph header.
    pub source: String,
    /// The subgraph's federation SDL.
    pub sdl: String,
}

/// A successful composition.
#[derive(Debug, Clone)]
pub struct Composed {
    /// The supergraph SDL (`@link` join v0.3, `join__Graph`, `@join__type`, `@join__field`, …).
    pub supergraph_sdl: String,
    /// The API schema clients see: no join machinery, no `@inaccessible` elements.
    pub api_sdl: String,
    /// Non-fatal composition warnings, as problems.
    pub warnings: Vec<Problem>,
}

/// Composes `subgraphs` into a supergraph, or returns every composition problem found.
pub fn compose(subgraphs: &[SubgraphSdl]) -> Result<Composed, CompositionError> {
    let mut ingested = graphql_composition::Subgraphs::default();
    let mut problems = Vec::new();
    for subgraph in subgraphs {
        if let Err(error) = ingested.ingest_str(&subgraph.sdl, &subgraph.name, Some(&subgraph.url)) {
            problems.push(Problem::invalid_sdl(&subgraph.name, &error.to_string()));
        }
    }
    if !problems.is_empty() {
        return Err(CompositionError { problems });
    }
    let result = graphql_composition::compose(&mut ingested);
    let names: Vec<&str> = subgraphs.iter().map(|s| s.name.as_str()).collect();
    let warnings = result
        .diagnostics()
        .iter()
        .filter(|d| d.severity().is_warning())
        .map(|d| Problem::from_diagnostic(d, &names))
        .collect();
    let graph = match result.into_result() {
        Ok(graph) => graph,
        Err(diagnostics) => {
            let problems = diagnostics
                .iter()
                .filter(|d| d.severity().is_error())
                .map(|d| Problem::from_diagnostic(d, &names))
                .collect();
            return Err(CompositionError { problems });
        }
    };
    let rendered = graphql_composition::render_federated_sdl(&graph)
        .map_err(|error| CompositionError::single(Problem::internal(&error.to_string())))?;
    let supergraph_sdl = to_apollo_shape(&rendered).map_err(CompositionError::single)?;
    let api_sdl = graphql_composition::render_api_sdl(&graph);
    Ok(Composed {
        supergraph_sdl,
        api_sdl,
        warnings,
    })
}
