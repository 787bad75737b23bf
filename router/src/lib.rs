//! The Federation v2 router: the single entry point for client traffic.
//!
//! Its modules are the stages a request meets, in order: [`http`] (GraphQL over HTTP, GraphiQL, CORS, CSRF),
//! [`auth`] (the client's token verified at the edge), [`operation`] (parse, validate, limits, introspection), [`plan`] (query planning, wrapped around
//! `hive-router-query-planner`), [`execute`] (our executor) and [`response`] (our response shaping). The
//! [`supergraph`] module loads the supergraph and derives the API schema; [`cache`] keeps warm operations.
//! [`compose`] and [`check`] are the schema tooling behind `router compose` and `router check`.

pub mod auth;
pub mod cache;
pub mod check;
pub mod compose;
pub mod config;
pub mod execute;
pub mod gateway;
pub mod http;
pub mod operation;
pub mod plan;
pub mod rate_limit;
pub mod response;
pub mod supergraph;
pub mod telemetry;

// The binary's allocator; the library leaves the choice to whoever links it.
use mimalloc as _;

// A dev-dependency of the benches only; named here so the unit-test build does not flag it as unused.
#[cfg(test)]
use criterion as _;
