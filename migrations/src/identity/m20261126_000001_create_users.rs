//! Users and their password credentials, one row each.

use sea_orm_migration::sea_query::{Alias, ColumnDef, ForeignKey, ForeignKeyAction, Index, Table};
use sea_orm_migration::{DbErr, MigrationName, MigrationTrait, SchemaManager};

pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000001_create_users"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let users = Alias::new("users");
        manager
            .create_table(
                Table::create()
                    .table(users.clone())
                    .col(ColumnDef::new(Alias::new("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Alias::new("email")).string().not_null())
                    // The lower-cased address: uniqueness ignores letter case.
                    .col(ColumnDef::new(Alias::new("email_key")).string().not_null())
                    .col(ColumnDef::new(Alias::new("display_name")).string().not_null())
                    .col(ColumnDef::new(Alias::new("status")).string().not_null())
                    .col(
                        ColumnDef::new(Alias::new("created_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Alias::new("updated_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("users_email_key_unique")
                    .table(users.clone())
                    .col(Alias::new("email_key"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("credentials"))
                    .col(ColumnDef::new(Alias::new("user_id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Alias::new("password_hash")).string().not_null())
                    .col(
                        ColumnDef::new(Alias::new("updated_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("credentials_user_fk")
                            .from(Alias::new("credentials"), Alias::new("user_id"))
                            .to(users, Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("credentials")).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new("users")).to_owned())
            .await
    }
}
