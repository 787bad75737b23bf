//! Identity's schema: users, their password credentials and their refresh tokens, after the kernel's outbox.

mod m20261126_000001_create_users;
mod m20261126_000002_create_refresh_tokens;

use sea_orm_migration::{MigrationTrait, MigratorTrait};

/// Applies identity's migrations in order; the outbox comes first so the first user change can publish.
#[derive(Debug)]
pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(kernel::outbox::CreateOutboxTable),
            Box::new(m20261126_000001_create_users::Migration),
            Box::new(m20261126_000002_create_refresh_tokens::Migration),
        ]
    }
}
