//! Billing's tables through SeaORM: plans, subscriptions, invoices with their lines, and payments.
//!
//! Reads and writes are functions taking any connection, so the service runs a change, the reads it decides on
//! and its outbox event in one transaction. [`is_unique_violation`] tells a lost race (a constraint the database
//! keeps) from a failure.

mod convert;
pub mod entities;
pub mod reads;
pub mod writes;

use sea_orm::{DbErr, SqlErr};

/// Whether `error` is a unique-constraint violation: a duplicate the database refused.
pub fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
