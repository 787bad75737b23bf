//! The `execute` stage: runs a [`QueryPlan`](crate::plan::QueryPlan) against the subgraphs.
//!
//! [`SubgraphClients`] holds one pooled HTTP client per subgraph; [`Executor`] runs plans with them: parallel
//! blocks concurrently, sequences in order, conditions by their variable, root fetches with only the variables
//! they use, and entity fetches with deduplicated representations merged back into every place they came from.
//! Subgraph errors are re-pathed into the client's response; a failed fetch leaves its fields out (they read as
//! null) with one error naming the subgraph, and the rest of the plan still runs.

mod body;
mod client;
mod error;
mod executor;
mod fetch;
mod merge;
mod reply;
mod representations;
pub mod resilience;
mod rewrite;
pub mod targets;

#[cfg(test)]
mod failure_tests;
#[cfg(test)]
mod planned_tests;
#[cfg(test)]
mod resilience_tests;
#[cfg(test)]
mod test_server;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use client::{
    SubgraphClient, SubgraphClients, SubgraphEndpoint, SubgraphReply, TransportFailure, TransportOptions,
};
pub use error::ExecuteError;
pub use executor::{ExecutionOutput, ExecutionRequest, Executor};
pub use resilience::ResilienceOptions;
pub use targets::Targets;
