//! `router check`: does a changed subgraph still compose with the committed others, and what does the change do
//! to the API schema clients see.
//!
//! [`model`] flattens an API schema, [`diff`] compares two, [`classify`] says which changes break, endanger or
//! are safe for clients, [`usage`] maps recorded operations to the coordinates they use, and [`report`]
//! prints the outcome.

pub mod classify;
pub mod diff;
pub mod model;
pub mod report;
pub mod usage;

use std::path::{Path, PathBuf};

pub use classify::{ChangeKind, Severity};
pub use diff::{Change, diff};
pub use model::{ModelError, SchemaModel};
pub use report::{BreakingUse, CheckReport};
pub use usage::{OperationsError, RecordedOperation, load_operations};

use crate::compose::{ComposeConfig, ComposeError, SubgraphSdl, compose, load_subgraphs};

/// What to check: a subgraph's new SDL against the committed `supergraph.toml`.
#[derive(Debug, Clone)]
pub struct CheckInput {
    /// The committed `supergraph.toml`.
    pub config: PathBuf,
    /// The changed subgraph's name.
    pub subgraph: String,
    /// The changed subgraph's SDL.
    pub schema: PathBuf,
    /// Recorded operations, if any.
    pub operations: Option<PathBuf>,
}

/// Why the check could not run at all (as opposed to finding problems, which the report holds).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The committed subgraphs could not be loaded or do not compose.
    #[error("the committed subgraphs: {0}")]
    Baseline(ComposeError),
    /// The changed schema file could not be read.
    #[error("cannot read {path}: {source}")]
    Schema {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An API schema could not be modelled.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The recorded operations could not be read.
    #[error(transparent)]
    Operations(#[from] OperationsError),
}

/// Runs the check and reports what it found.
pub async fn check(input: &CheckInput) -> Result<CheckReport, CheckError> {
    let config = ComposeConfig::load(&input.config).map_err(|e| CheckError::Baseline(e.into()))?;
    let committed = load_subgraphs(&config).await.map_err(CheckError::Baseline)?;
    let sdl = std::fs::read_to_string(&input.schema).map_err(|source| CheckError::Schema {
        path: input.schema.clone(),
        source,
    })?;
    check_sdl(&committed, &input.subgraph, &sdl, input.operations.as_deref())
}

/// The check over SDLs in memory: `committed` subgraphs, with `subgraph`'s SDL replaced by (or, for a new name,
/// extended with) `sdl`.
pub fn check_sdl(
    committed: &[SubgraphSdl],
    subgraph: &str,
    sdl: &str,
    operations: Option<&Path>,
) -> Result<CheckReport, CheckError> {
    let baseline = compose(committed).map_err(|e| CheckError::Baseline(e.into()))?;
    let mut changed: Vec<SubgraphSdl> = committed.to_vec();
    match changed.iter_mut().find(|s| s.name == subgraph) {
        Some(existing) => existing.sdl = sdl.to_owned(),
        None => changed.push(SubgraphSdl {
            name: subgraph.to_owned(),
            url: format!("http://{subgraph}.invalid/graphql"),
            source: subgraph.to_owned(),
            sdl: sdl.to_owned(),
        }),
    }
    let mut report = CheckReport {
        subgraph: subgraph.to_owned(),
        composition_errors: Vec::new(),
        composition_warnings: Vec::new(),
        changes: Vec::new(),
        operations_checked: None,
        breaking_uses: Vec::new(),
    };
    let composed = match compose(&changed) {
        Ok(composed) => composed,
        Err(error) => {
            report.composition_errors = error.problems;
            return Ok(report);
        }
    };
    report.composition_warnings = composed.warnings;
    let old = SchemaModel::parse(&baseline.api_sdl)?;
    let new = SchemaModel::parse(&composed.api_sdl)?;
    report.changes = diff(&old, &new);
    if let Some(path) = operations {
        let recorded = load_operations(path, &old)?;
        report.operations_checked = Some(recorded.len());
        report.breaking_uses = breaking_uses(&report.changes, &recorded);
    }
    Ok(report)
}

/// For every breaking change, the recorded operations using any coordinate it affects.
pub fn breaking_uses(changes: &[Change], operations: &[RecordedOperation]) -> Vec<BreakingUse> {
    changes
        .iter()
        .filter(|c| c.severity == Severity::Breaking)
        .map(|change| BreakingUse {
            coordinate: change.coordinate.clone(),
            operations: operations
                .iter()
                .filter(|op| change.affects.iter().any(|a| op.uses.contains(a)))
                .map(|op| op.name.clone())
                .collect(),
        })
        .collect()
}
