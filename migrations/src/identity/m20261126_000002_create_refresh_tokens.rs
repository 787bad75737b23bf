//! Refresh tokens, stored as their SHA-256 and grouped into families (one per sign-in) for replay detection.

use sea_orm_migration::sea_query::{Alias, ColumnDef, ForeignKey, ForeignKeyAction, Index, Table};
use sea_orm_migration::{DbErr, MigrationName, MigrationTrait, SchemaManager};

pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000002_create_refresh_tokens"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Alias::new("refresh_tokens");
        manager
            .create_table(
                Table::create()
                    .table(table.clone())
                    .col(ColumnDef::new(Alias::new("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Alias::new("user_id")).uuid().not_null())
                    .col(ColumnDef::new(Alias::new("family_id")).uuid().not_null())
                    .col(ColumnDef::new(Alias::new("token_hash")).string().not_null())
                    .col(
                        ColumnDef::new(Alias::new("created_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Alias::new("expires_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Alias::new("used_at")).timestamp_with_time_zone().null())
                    .col(
                        ColumnDef::new(Alias::new("revoked_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("refresh_tokens_user_fk")
                            .from(table.clone(), Alias::new("user_id"))
                            .to(Alias::new("users"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column, unique) in [
            ("refresh_tokens_hash_unique", "token_hash", true),
            ("refresh_tokens_family", "family_id", false),
            ("refresh_tokens_user", "user_id", false),
        ] {
            let mut index = Index::create();
            index.name(name).table(table.clone()).col(Alias::new(column));
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("refresh_tokens")).to_owned())
            .await
    }
}
