//! Why a supergraph was refused: each message says what is wrong and where, so a bad deploy fails at start-up
//! with something a person can act on.

use std::path::PathBuf;

/// A place in the supergraph SDL, one-based like an editor shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdlPosition {
    /// One-based line number.
    pub line: usize,
    /// One-based column number.
    pub column: usize,
}

impl std::fmt::Display for SdlPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

impl From<graphql_tools::parser::Pos> for SdlPosition {
    fn from(pos: graphql_tools::parser::Pos) -> Self {
        Self {
            line: pos.line,
            column: pos.column,
        }
    }
}

/// A supergraph that can't be served.
#[derive(Debug, thiserror::Error)]
pub enum SupergraphError {
    /// The file could not be read.
    #[error("cannot read the supergraph file {path}: {source}")]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The text is not GraphQL SDL.
    #[error("the supergraph is not valid GraphQL SDL{}: {message}", at_position(position))]
    Malformed {
        /// Where the parser stopped, when it said.
        position: Option<SdlPosition>,
        /// The parser's description of the problem.
        message: String,
    },
    /// A Federation 1 supergraph (`@core(feature: ".../join/v0.1")`), which this router does not plan.
    #[error(
        "this is a Federation 1 supergraph ({feature} at {position}); recompose the subgraphs with \
         Federation 2 so the schema links https://specs.apollo.dev/join/v0.2 or later"
    )]
    Federation1 {
        /// The `@core` feature URL found.
        feature: String,
        /// Where the `@core` directive is.
        position: SdlPosition,
    },
    /// No `@link` to the join specification: not a supergraph at all, or one composed by an unknown tool.
    #[error(
        "no @link(url: \"https://specs.apollo.dev/join/v0.2\" or later) on the schema definition{}; \
         this is not a Federation 2 supergraph",
        at_position(position)
    )]
    MissingJoinLink {
        /// Where the schema definition is, if there is one.
        position: Option<SdlPosition>,
    },
    /// A join specification version this router does not know.
    #[error("unsupported join specification {url} at {position}; expected join v0.2 or later")]
    UnsupportedJoinVersion {
        /// The linked URL.
        url: String,
        /// Where the `@link` directive is.
        position: SdlPosition,
    },
    /// The join specification is imported under another name, which the planner does not follow.
    #[error(
        "the join specification is linked with `as: \"{alias}\"` at {position}; only the default `join__` names \
         are supported"
    )]
    RenamedJoinSpec {
        /// The alias used.
        alias: String,
        /// Where the `@link` directive is.
        position: SdlPosition,
    },
    /// The supergraph lacks `enum join__Graph`, or it lists no subgraph.
    #[error("the supergraph declares no subgraphs: `enum join__Graph` is missing or empty")]
    NoSubgraphs,
    /// A `join__Graph` value lacks a usable `@join__graph(name:, url:)`.
    #[error("join__Graph.{enum_value} at {position}: {problem}")]
    InvalidJoinGraph {
        /// The enum value.
        enum_value: String,
        /// Where it is declared.
        position: SdlPosition,
        /// What is wrong with it.
        problem: String,
    },
    /// Two `join__Graph` values use the same subgraph name.
    #[error("the subgraph name \"{name}\" is declared twice in enum join__Graph (at {position})")]
    DuplicateSubgraph {
        /// The repeated name.
        name: String,
        /// Where the second declaration is.
        position: SdlPosition,
    },
    /// A URL override names a subgraph the supergraph does not have.
    #[error("a URL override names the subgraph \"{name}\", which the supergraph does not declare (known: {known})")]
    UnknownSubgraphOverride {
        /// The unknown name.
        name: String,
        /// The subgraph names the supergraph declares, comma-separated.
        known: String,
    },
    /// A subgraph URL is empty or not an absolute http(s) URL.
    #[error("subgraph \"{name}\" has an invalid URL {url:?}: {problem}")]
    InvalidSubgraphUrl {
        /// The subgraph's name.
        name: String,
        /// The URL that was given.
        url: String,
        /// Why it was refused.
        problem: &'static str,
    },
    /// The query planner refused the supergraph.
    #[error("the query planner cannot use this supergraph: {0}")]
    Planner(String),
    /// The query planner panicked while reading the supergraph.
    #[error("the query planner failed on this supergraph (it panicked: {0})")]
    PlannerPanicked(String),
}

fn at_position(position: &Option<SdlPosition>) -> String {
    position.map(|p| format!(" at {p}")).unwrap_or_default()
}
