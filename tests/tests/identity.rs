//! The identity service end to end, over HTTP and gRPC on loopback: sign-up and sessions, tokens and JWKS,
//! brute-force limits, bad input, batched entities, events through the outbox, and the committed SDL. Runs on
//! SQLite with the in-process cache and bus always, and on PostgreSQL + Redis when they are configured.

// Each test binary is handed every dev-dependency of the crate, and this one needs only some of them.
#![allow(unused_crate_dependencies)]

#[path = "identity/harness.rs"]
mod harness;

#[path = "identity/entities.rs"]
mod entities;
#[path = "identity/events.rs"]
mod events;
#[path = "identity/grpc.rs"]
mod grpc;
#[path = "identity/input.rs"]
mod input;
#[path = "identity/limits.rs"]
mod limits;
#[path = "identity/real_backends.rs"]
mod real_backends;

#[path = "identity/refusals.rs"]
mod refusals;
#[path = "identity/roles.rs"]
mod roles;
#[path = "identity/schema.rs"]
mod schema;
#[path = "identity/sessions.rs"]
mod sessions;
#[path = "identity/tokens.rs"]
mod tokens;
