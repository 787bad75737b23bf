//! The identity service: users, password credentials, sessions (refresh tokens with rotation), access tokens
//! signed with rotating Ed25519 keys and published as a JWKS, a federation subgraph and a gRPC look-up API.
//!
//! Modules follow the platform's service layout: [`domain`] (rules, no I/O), [`store`] (SeaORM), [`service`]
//! (the operations), [`graphql`], [`grpc`], [`events`], and [`app`] which wires them with the kernel.

pub mod app;
pub mod bootstrap;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod graphql;
pub mod grpc;
pub mod keys;
pub mod roles;
pub mod service;
pub mod store;

// The binary's own dependencies; named here so the library target's unused-crate lint does not flag them.
use anyhow as _;
use clap as _;
