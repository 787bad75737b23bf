//! Billing's operations: each reads what it decides on, makes its change and writes the events describing it
//! in one transaction. Who may do what is decided before these are called (see `graphql`); every operation
//! takes the time it happens at as `now`, so the renewal and its tests run on an explicit clock.

mod invoicing;
mod payments;
mod plans;
mod renewal;
mod subscriptions;

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

pub use renewal::{RenewalReport, spawn_renewal};
pub use subscriptions::Subscribed;

/// The billing rules that are configuration rather than code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    /// How long after its period starts an invoice is due.
    pub payment_due_after: Duration,
}

/// Billing's operations over its database.
#[derive(Debug, Clone)]
pub struct Billing {
    conn: DatabaseConnection,
    terms: Terms,
}

impl Billing {
    /// Operations over `conn` (migrated with `migrations::billing::Migrator`) under `terms`.
    pub fn new(conn: DatabaseConnection, terms: Terms) -> Self {
        Self { conn, terms }
    }

    /// The connection reads go through.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }
}

/// `time` cut to whole microseconds, the precision PostgreSQL keeps, so a value written and read back compares
/// equal to the one in memory.
pub(crate) fn to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(time.timestamp_micros()).unwrap_or(time)
}

#[cfg(test)]
mod tests;
