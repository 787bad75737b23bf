//! The audit service end to end: its event consumer, its gRPC `Record`, its GraphQL `auditLog` guarded by a real
//! authz, and the append-only table, each served by a real `AuditApp` on loopback ports. SQLite and the
//! in-process bus always; PostgreSQL and Kafka (and a throwaway tansu broker that is killed and restarted) when
//! `PLATFORM_TEST_POSTGRES_URL`, `PLATFORM_TEST_KAFKA_BROKERS` and `PLATFORM_TEST_TANSU_BIN` are set.

// Each test binary is handed every dev-dependency of the crate, and this one needs only some of them.
#![allow(unused_crate_dependencies)]

#[path = "audit/harness.rs"]
mod harness;

#[path = "audit/events.rs"]
mod events;

#[path = "audit/record.rs"]
mod record;

#[path = "audit/log.rs"]
mod log;

#[path = "audit/append_only.rs"]
mod append_only;

#[path = "audit/schema.rs"]
mod schema;

#[path = "audit/real_backends.rs"]
mod real_backends;
