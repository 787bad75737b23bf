//! The supergraph: read once per deploy, checked for Federation 2, and turned into what the request pipeline
//! needs — the subgraphs and their URLs, the API schema clients see, and the query planner built for it.

mod api_schema;
mod error;
mod federation;
mod subgraphs;
#[cfg(test)]
pub(crate) mod test_fixture;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

use graphql_tools::static_graphql::schema::Document;
use hive_router_query_planner::planner::{Planner, QueryPlannerOptions};
use hive_router_query_planner::utils::parsing::safe_parse_schema;

use crate::auth::requirements::AccessRequirements;

pub use api_schema::ApiSchema;
pub use error::{SdlPosition, SupergraphError};
pub use subgraphs::SubgraphInfo;

/// A parsed, checked supergraph with its API schema and query planner. Immutable: a new supergraph is a new
/// value, swapped in whole.
pub struct Supergraph {
    subgraphs: Vec<SubgraphInfo>,
    api_schema: ApiSchema,
    planner: Planner,
    access: Arc<AccessRequirements>,
    fingerprint: u64,
}

impl std::fmt::Debug for Supergraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supergraph")
            .field("subgraphs", &self.subgraphs)
            .finish_non_exhaustive()
    }
}

impl Supergraph {
    /// Parses a supergraph SDL with the subgraph URLs it declares. CPU-heavy (it builds the query planner's
    /// graph): call it off the async runtime's workers for large supergraphs.
    pub fn parse(sdl: &str) -> Result<Self, SupergraphError> {
        Self::parse_with_url_overrides(sdl, &HashMap::new())
    }

    /// Parses a supergraph SDL, replacing the URLs of the subgraphs named in `url_overrides` (subgraph name →
    /// URL). An override for a subgraph the supergraph does not declare is an error.
    pub fn parse_with_url_overrides(
        sdl: &str,
        url_overrides: &HashMap<String, String>,
    ) -> Result<Self, SupergraphError> {
        let document = safe_parse_schema(sdl).map_err(|error| malformed(&error.to_string()))?;
        federation::check_federation_version(&document)?;
        let mut subgraphs = subgraphs::extract_subgraphs(&document)?;
        subgraphs::apply_url_overrides(&mut subgraphs, url_overrides)?;
        let planner = build_planner(&document)?;
        let api_schema = ApiSchema::new(planner.consumer_schema.document.clone());
        let access = Arc::new(AccessRequirements::from_schema(&document));
        Ok(Self {
            subgraphs,
            api_schema,
            planner,
            access,
            fingerprint: xxhash_rust::xxh3::xxh3_64(sdl.as_bytes()),
        })
    }

    /// Reads and parses the supergraph file at `path`; see [`Supergraph::parse_with_url_overrides`].
    pub fn load(path: &Path, url_overrides: &HashMap<String, String>) -> Result<Self, SupergraphError> {
        let sdl = std::fs::read_to_string(path).map_err(|source| SupergraphError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse_with_url_overrides(&sdl, url_overrides)
    }

    /// The subgraphs, in the order `enum join__Graph` declares them, with their effective URLs.
    pub fn subgraphs(&self) -> &[SubgraphInfo] {
        &self.subgraphs
    }

    /// The subgraph with this name (as query plans name it), if the supergraph declares it.
    pub fn subgraph(&self, name: &str) -> Option<&SubgraphInfo> {
        self.subgraphs.iter().find(|subgraph| &*subgraph.name == name)
    }

    /// The API schema: the supergraph minus `@inaccessible` elements and federation machinery.
    pub fn api_schema(&self) -> &ApiSchema {
        &self.api_schema
    }

    /// A fingerprint of the supergraph's SDL, so what is derived from one supergraph is never used with another.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The fields guarded by `@authenticated`, `@requiresScopes` and `@policy`.
    pub fn access_requirements(&self) -> &Arc<AccessRequirements> {
        &self.access
    }

    /// The query planner built for this supergraph. Its `supergraph` field holds the planner's typed view of
    /// the schema (possible types, fields per subgraph), which response shaping may read.
    pub fn planner(&self) -> &Planner {
        &self.planner
    }
}

/// Builds the planner, turning a panic inside the library (it unwraps on input it does not expect) into an error
/// so that a bad supergraph is refused rather than crashing the router.
fn build_planner(document: &Document) -> Result<Planner, SupergraphError> {
    let built = catch_unwind(AssertUnwindSafe(|| {
        Planner::new_from_supergraph(document, QueryPlannerOptions::default())
    }));
    match built {
        Ok(Ok(planner)) => Ok(planner),
        Ok(Err(error)) => Err(SupergraphError::Planner(error.to_string())),
        Err(payload) => Err(SupergraphError::PlannerPanicked(
            panic_message(payload.as_ref()).to_owned(),
        )),
    }
}

/// The text of a panic payload, which is a `&str` or a `String` for every `panic!` with a message.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

/// The parser reports positions as "Parse error at LINE:COLUMN" in its message; lift them into the error.
fn malformed(message: &str) -> SupergraphError {
    let message = message.strip_prefix("schema parse error: ").unwrap_or(message).trim();
    let position = message.strip_prefix("Parse error at ").and_then(|rest| {
        let location = rest.split_whitespace().next()?;
        let (line, column) = location.split_once(':')?;
        Some(SdlPosition {
            line: line.parse().ok()?,
            column: column.parse().ok()?,
        })
    });
    let detail = match position {
        Some(_) => message.split_once('\n').map_or("", |(_, rest)| rest).trim(),
        None => message,
    };
    SupergraphError::Malformed {
        position,
        message: detail.replace('\n', "; "),
    }
}

#[cfg(test)]
mod tests;
