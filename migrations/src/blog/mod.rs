//! The blog service's schema: posts with their tags, and comments.

mod m20261126_000001_create_posts_and_comments;

use sea_orm_migration::{MigrationTrait, MigratorTrait};

/// Applies blog's migrations in order, starting with the kernel's `outbox` table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(kernel::outbox::CreateOutboxTable),
            Box::new(m20261126_000001_create_posts_and_comments::Migration),
        ]
    }
}
