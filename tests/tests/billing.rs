//! The billing service end to end: plans, subscriptions, invoices and idempotent payments through its GraphQL
//! subgraph, guarded by a real authz (in-process, on SQLite) that decides every write and every read of someone's
//! billing data; its gRPC `GetSubscription`; and the committed SDL. SQLite always; PostgreSQL (concurrent
//! duplicate payments among others) when `PLATFORM_TEST_POSTGRES_URL` is set.

// Each test binary is handed every dev-dependency of the crate, and this one needs only some of them.
#![allow(unused_crate_dependencies)]

#[path = "billing/harness.rs"]
mod harness;

#[path = "billing/plans.rs"]
mod plans;

#[path = "billing/subscriptions.rs"]
mod subscriptions;

#[path = "billing/payments.rs"]
mod payments;

#[path = "billing/access.rs"]
mod access;

#[path = "billing/grpc.rs"]
mod grpc;

#[path = "billing/schema.rs"]
mod schema;

#[path = "billing/app.rs"]
mod app;

#[path = "billing/real_backends.rs"]
mod real_backends;
