//! The billing service's schema: plans, subscriptions, invoices with their lines, and payments, with the unique
//! indexes that keep one current subscription per user, one invoice per period and one payment per idempotency
//! key even under concurrent requests.

mod m20261126_000001_create_billing_tables;

use sea_orm_migration::{MigrationTrait, MigratorTrait};

/// Applies billing's migrations in order, starting with the kernel's `outbox` table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(kernel::outbox::CreateOutboxTable),
            Box::new(m20261126_000001_create_billing_tables::Migration),
        ]
    }
}
