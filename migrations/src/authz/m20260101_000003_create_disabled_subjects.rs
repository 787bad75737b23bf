//! Creates `disabled_subjects`: subjects identity has disabled, whom every check denies whatever they hold or own.
//! One row per subject (the key), so a redelivered `user.disabled` event finds its row and changes nothing.

use sea_orm_migration::prelude::{ColumnDef, DbErr, DeriveIden, Table};
// `DeriveIden` expands to paths under `sea_orm`, which this crate reaches through sea_orm_migration.
use sea_orm_migration::sea_orm;
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager};

/// The migration; see the module docs.
pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260101_000003_authz_create_disabled_subjects"
    }
}

#[derive(DeriveIden)]
enum DisabledSubjects {
    Table,
    Subject,
    DisabledBy,
    DisabledAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DisabledSubjects::Table)
                    .col(
                        ColumnDef::new(DisabledSubjects::Subject)
                            .string_len(200)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(DisabledSubjects::DisabledBy).string_len(200).not_null())
                    .col(
                        ColumnDef::new(DisabledSubjects::DisabledAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DisabledSubjects::Table).to_owned())
            .await
    }
}
