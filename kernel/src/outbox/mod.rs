//! The transactional outbox: events are written in the same database transaction as the change they describe,
//! and a relay publishes them to the event bus afterwards, so an event is published if and only if its change
//! committed, even when the bus is down at the time.
//!
//! A service lists [`CreateOutboxTable`] first in its migrator, calls [`enqueue`] with the transaction that makes
//! the change, and runs one [`OutboxRelay`] per process ([`OutboxRelay::spawn`]).
//!
//! Delivery is at least once: a row is marked sent after the bus accepted it, so a crash (or a failed commit)
//! between the two publishes it again; consumers are idempotent by event id. Rows are published in the order of
//! their `sequence`, and a row is never published while an earlier row of its key is pending, so each key's
//! events keep their order across failures and relays.
//!
//! Concurrency:
//! - **PostgreSQL**: any number of replicas may relay one table. Each batch runs in a transaction that takes its
//!   rows with `SELECT … FOR UPDATE SKIP LOCKED` and keeps them locked while they are published and marked sent,
//!   so two relays never hold the same row; rows whose key has an earlier row held by another relay wait for it.
//! - **SQLite**: the database is embedded, one file owned by one process, so relays only compete within that
//!   process, and a process-wide async mutex serializes their batches (relays over different files share it; a
//!   batch is short, so that costs little). A batch holds no transaction across publishing: in WAL mode a read
//!   transaction that later writes fails with `SQLITE_BUSY_SNAPSHOT` if the service committed meanwhile, which
//!   would republish the whole batch. `BEGIN IMMEDIATE` would avoid that but would block every write of the
//!   service for as long as the bus takes to answer.
//!
//! Published rows are kept for [`RelayConfig::retention_secs`] and then deleted by the relay.

mod config;
mod enqueue;
mod entity;
mod error;
mod migration;
mod order;
mod relay;

pub use config::RelayConfig;
pub use enqueue::enqueue;
pub use error::OutboxError;
pub use migration::CreateOutboxTable;
pub use relay::OutboxRelay;
