//! The authz service: roles, permissions and role bindings; the Check API other services ask before they act;
//! decisions cached and retired by events; every change published for audit.
//!
//! Read it in this order: [`domain`] (the rules, no I/O), [`store`] (the tables), [`decisions`] (the cached
//! engine), [`management`] (changes, each with its event), [`events`], [`grpc`], [`graphql`], then [`app`],
//! which wires them on the kernel.

pub mod app;
pub mod cli;
pub mod config;
pub mod decisions;
pub mod domain;
pub mod error;
pub mod events;
pub mod graphql;
pub mod grpc;
pub mod management;
pub mod onboarding;
pub mod store;

pub use app::{AppError, AuthzApp, AuthzDeps, RunningAuthz};
pub use config::AuthzConfig;
