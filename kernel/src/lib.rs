//! The platform's kernel: infrastructure only, no business logic.
//!
//! Every service and the router are built from these modules. Each I/O concern sits behind a trait with a real
//! adapter (PostgreSQL, Redis, Kafka, etcd/Consul, OTLP) and an embedded one (SQLite, in-process cache and bus,
//! static registry), chosen by config and wired by explicit constructors.

#[cfg(feature = "access")]
pub mod access;
pub mod auth;
pub mod cache;
pub mod config;
pub mod db;
pub mod error_code;
pub mod events;
#[cfg(feature = "graphql")]
pub mod graphql;
pub mod grpc;
pub mod health;
pub mod outbox;
pub mod registry;
pub mod server;
pub mod telemetry;
