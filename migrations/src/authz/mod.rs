//! The authz service's schema: roles, the permissions each role grants, role bindings (a subject holding a role
//! globally or on one resource) and disabled subjects. The built-in roles are seeded here, so a fresh database can
//! already decide.

mod m20260101_000001_create_roles_and_bindings;
mod m20260101_000002_seed_built_in_roles;
mod m20260101_000003_create_disabled_subjects;

use sea_orm_migration::{MigrationTrait, MigratorTrait};

/// Applies authz's migrations in order, starting with the kernel's `outbox` table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(kernel::outbox::CreateOutboxTable),
            Box::new(m20260101_000001_create_roles_and_bindings::Migration),
            Box::new(m20260101_000002_seed_built_in_roles::Migration),
            Box::new(m20260101_000003_create_disabled_subjects::Migration),
        ]
    }
}
