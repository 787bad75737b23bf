//! The `platform` command: `platform dev` runs the router and the five subgraph services on one machine, each a
//! task with its own listeners, over embedded backends (or real PostgreSQL, Redis and Kafka), with demo data.
//!
//! Read it in this order: [`options`] (what it runs on), [`backends`] and [`services`] (each service's config),
//! [`gateway`] (the router's), [`stack`] (starting and stopping it all), [`seed`] (the demo data), [`banner`].

pub mod backends;
pub mod banner;
pub mod cli;
pub mod client;
pub mod error;
pub mod gateway;
pub mod keys;
pub mod options;
pub mod seed;
pub mod services;
pub mod stack;

pub use error::DevError;
pub use options::{Backends, DevConfig, Ports};
pub use stack::DevStack;

// The binary's own dependency; named here so the library target's unused-crate lint does not flag it.
use anyhow as _;
#[cfg(test)]
use tempfile as _;
