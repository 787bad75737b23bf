//! Creates `roles`, `role_permissions` and `role_bindings`.
//!
//! A global binding stores an empty `resource` rather than NULL, so the unique `(subject, role, resource)` index
//! also refuses a second global binding of the same role (NULLs never collide in a unique index).

use sea_orm_migration::prelude::{ColumnDef, DbErr, DeriveIden, ForeignKey, ForeignKeyAction, Index, Table};
// `DeriveIden` expands to paths under `sea_orm`, which this crate reaches through sea_orm_migration.
use sea_orm_migration::sea_orm;
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager};

/// The migration; see the module docs.
pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260101_000001_authz_create_roles_and_bindings"
    }
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    Name,
    Description,
    BuiltIn,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RolePermissions {
    Table,
    Role,
    Permission,
}

#[derive(DeriveIden)]
enum RoleBindings {
    Table,
    Id,
    Subject,
    Role,
    Resource,
    CreatedBy,
    CreatedAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Roles::Table)
                    .col(ColumnDef::new(Roles::Name).string_len(64).not_null().primary_key())
                    .col(ColumnDef::new(Roles::Description).text().not_null())
                    .col(ColumnDef::new(Roles::BuiltIn).boolean().not_null())
                    .col(ColumnDef::new(Roles::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Roles::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RolePermissions::Table)
                    .col(ColumnDef::new(RolePermissions::Role).string_len(64).not_null())
                    .col(ColumnDef::new(RolePermissions::Permission).string_len(129).not_null())
                    .primary_key(
                        Index::create()
                            .col(RolePermissions::Role)
                            .col(RolePermissions::Permission),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_permissions_role")
                            .from(RolePermissions::Table, RolePermissions::Role)
                            .to(Roles::Table, Roles::Name)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoleBindings::Table)
                    .col(ColumnDef::new(RoleBindings::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(RoleBindings::Subject).string_len(200).not_null())
                    .col(ColumnDef::new(RoleBindings::Role).string_len(64).not_null())
                    .col(ColumnDef::new(RoleBindings::Resource).string_len(200).not_null())
                    .col(ColumnDef::new(RoleBindings::CreatedBy).string_len(200).not_null())
                    .col(
                        ColumnDef::new(RoleBindings::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_bindings_role")
                            .from(RoleBindings::Table, RoleBindings::Role)
                            .to(Roles::Table, Roles::Name)
                            // A bound role cannot be deleted: the service refuses it first, the database too.
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_role_bindings_subject_role_resource")
                    .table(RoleBindings::Table)
                    .col(RoleBindings::Subject)
                    .col(RoleBindings::Role)
                    .col(RoleBindings::Resource)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RoleBindings::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(RolePermissions::Table).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(Roles::Table).to_owned()).await?;
        Ok(())
    }
}
