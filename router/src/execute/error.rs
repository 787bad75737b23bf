//! Errors setting up the executor's subgraph clients. Failures while executing a plan never surface as Rust
//! errors: they become GraphQL errors in the response.

/// Why the subgraph clients could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    /// A subgraph's URL does not parse.
    #[error("subgraph `{name}` has an invalid URL `{url}`")]
    InvalidUrl {
        /// The subgraph.
        name: String,
        /// The URL as given.
        url: String,
    },
    /// The HTTP client for a subgraph could not be built (e.g. the TLS backend failed to initialise).
    #[error("the HTTP client for subgraph `{name}` could not be built")]
    Client {
        /// The subgraph.
        name: String,
        /// What the HTTP library reported.
        #[source]
        source: reqwest::Error,
    },
    /// The same subgraph name was given twice.
    #[error("subgraph `{name}` is listed twice")]
    DuplicateSubgraph {
        /// The subgraph.
        name: String,
    },
}
