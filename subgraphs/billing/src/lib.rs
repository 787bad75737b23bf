//! The billing service: plans, subscriptions, invoices and payments, with money as integer minor units of an
//! ISO 4217 currency. It bills each subscription period, records payments once per idempotency key, closes ended
//! periods on a schedule, asks authz before every write and every read of someone's billing data, and publishes
//! its changes to `billing.events` through its outbox.
//!
//! Read it in this order: [`domain`] (the rules, no I/O), [`store`] (the tables), [`service`] (the operations,
//! each one transaction with its events), [`events`], [`graphql`] and [`grpc`], then [`app`], which wires them on
//! the kernel.

pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod graphql;
pub mod grpc;
pub mod service;
pub mod store;

pub use app::{AppError, BillingApp, BillingDeps, RunningBilling};
pub use config::BillingConfig;
