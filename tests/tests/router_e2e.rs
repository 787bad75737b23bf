//! End to end through the router: the supergraph fixture served over HTTP in front of the real test subgraphs,
//! with whole response bodies snapshotted.

// Each test binary is handed every dev-dependency of the crate, and this one needs only some of them.
#![allow(unused_crate_dependencies)]

#[path = "router_e2e/harness.rs"]
mod harness;

#[path = "router_e2e/entities.rs"]
mod entities;

#[path = "router_e2e/operations.rs"]
mod operations;

#[path = "router_e2e/errors.rs"]
mod errors;

#[path = "router_e2e/misbehaving.rs"]
mod misbehaving;

#[path = "router_e2e/authorization.rs"]
mod authorization;

#[path = "router_e2e/discovery.rs"]
mod discovery;

#[path = "router_e2e/hostile.rs"]
mod hostile;
