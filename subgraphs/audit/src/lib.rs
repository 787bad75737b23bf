//! The audit service: the platform's append-only log of who did what to what, when, from where. It records
//! every event of the platform's topics (idempotent by event id) and synchronous gRPC `Record` calls, and serves
//! the log to administrators through GraphQL. Nothing in it updates or deletes a record, and the database
//! refuses both.
//!
//! Read it in this order: [`domain`] (the rules, no I/O), [`store`] (the table), [`events`] (the consumer and the
//! dead-letter topic), [`grpc`], [`access`] and [`graphql`], then [`app`], which wires them on the kernel.

pub mod access;
pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod graphql;
pub mod grpc;
pub mod store;

pub use app::{AppError, AuditApp, AuditDeps, RunningAudit};
pub use config::AuditConfig;
