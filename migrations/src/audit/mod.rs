//! The audit service's schema: the append-only `audit_records` table, guarded by triggers that refuse every
//! UPDATE, DELETE and TRUNCATE, so no code path (and no hand-written SQL) can rewrite history.

mod m20261126_000001_create_audit_records;

use sea_orm_migration::{MigrationTrait, MigratorTrait};

/// Applies audit's migrations in order, starting with the kernel's `outbox` table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(kernel::outbox::CreateOutboxTable),
            Box::new(m20261126_000001_create_audit_records::Migration),
        ]
    }
}
