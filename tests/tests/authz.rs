//! The authz service end to end: its gRPC Check API, its GraphQL subgraph, its cache invalidation and its events,
//! each served by a real `AuthzApp` on loopback ports. SQLite and in-process adapters always; PostgreSQL and
//! Redis when `PLATFORM_TEST_POSTGRES_URL` / `PLATFORM_TEST_REDIS_URL` are set.

// Each test binary is handed every dev-dependency of the crate, and this one needs only some of them.
#![allow(unused_crate_dependencies)]

#[path = "authz/harness.rs"]
mod harness;

#[path = "authz/checks.rs"]
mod checks;

#[path = "authz/invalidation.rs"]
mod invalidation;

#[path = "authz/management.rs"]
mod management;

#[path = "authz/bad_input.rs"]
mod bad_input;

#[path = "authz/events.rs"]
mod events;

#[path = "authz/entities.rs"]
mod entities;

#[path = "authz/real_backends.rs"]
mod real_backends;

#[path = "authz/disabled.rs"]
mod disabled;
