//! The blog service end to end: its GraphQL subgraph (posts, comments, visibility, pagination, `User.posts`,
//! `_entities`), its access checks against a real authz with denials recorded in its outbox, its events, its gRPC
//! `GetPost`, and the number of statements a page costs. SQLite and the in-process bus always; PostgreSQL when
//! `PLATFORM_TEST_POSTGRES_URL` is set.

// Each test binary is handed every dev-dependency of the crate, and this one needs only some of them.
#![allow(unused_crate_dependencies)]

#[path = "blog/harness.rs"]
mod harness;

#[path = "blog/posts.rs"]
mod posts;

#[path = "blog/access.rs"]
mod access;

#[path = "blog/input.rs"]
mod input;

#[path = "blog/events.rs"]
mod events;

#[path = "blog/grpc.rs"]
mod grpc;

#[path = "blog/statements.rs"]
mod statements;

#[path = "blog/schema.rs"]
mod schema;

#[path = "blog/real_backends.rs"]
mod real_backends;
