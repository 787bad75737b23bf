//! Creates `posts` (slug unique), `post_tags` (one row per tag, for filtering by tag) and `comments`, with the
//! indexes the service's reads use. Ids are UUIDv7, ordered as they were made, so lists page by id.

use sea_orm_migration::prelude::{ColumnDef, DbErr, DeriveIden, ForeignKey, ForeignKeyAction, Index, Table};
// `DeriveIden` expands to paths under `sea_orm`, which this crate reaches through sea_orm_migration.
use sea_orm_migration::sea_orm;
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager};

/// The migration; see the module docs.
pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000001_blog_create_posts_and_comments"
    }
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    AuthorId,
    Slug,
    Title,
    Body,
    Status,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
}

#[derive(DeriveIden)]
enum PostTags {
    Table,
    PostId,
    Tag,
}

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
    PostId,
    AuthorId,
    Body,
    CreatedAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Posts::Table)
                    .col(ColumnDef::new(Posts::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Posts::AuthorId).string_len(128).not_null())
                    .col(ColumnDef::new(Posts::Slug).string_len(100).not_null().unique_key())
                    .col(ColumnDef::new(Posts::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Posts::Body).text().not_null())
                    .col(ColumnDef::new(Posts::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Posts::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Posts::UpdatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Posts::PublishedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        // Lists filter by author or status and read newest first by id.
        for (name, column) in [
            ("idx_posts_author", Posts::AuthorId),
            ("idx_posts_status", Posts::Status),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Posts::Table)
                        .col(column)
                        .col(Posts::Id)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(PostTags::Table)
                    .col(ColumnDef::new(PostTags::PostId).uuid().not_null())
                    .col(ColumnDef::new(PostTags::Tag).string_len(32).not_null())
                    .primary_key(Index::create().col(PostTags::PostId).col(PostTags::Tag))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_post_tags_post")
                            .from(PostTags::Table, PostTags::PostId)
                            .to(Posts::Table, Posts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_post_tags_tag")
                    .table(PostTags::Table)
                    .col(PostTags::Tag)
                    .col(PostTags::PostId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Comments::Table)
                    .col(ColumnDef::new(Comments::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Comments::PostId).uuid().not_null())
                    .col(ColumnDef::new(Comments::AuthorId).string_len(128).not_null())
                    .col(ColumnDef::new(Comments::Body).text().not_null())
                    .col(
                        ColumnDef::new(Comments::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_comments_post")
                            .from(Comments::Table, Comments::PostId)
                            .to(Posts::Table, Posts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_comments_post")
                    .table(Comments::Table)
                    .col(Comments::PostId)
                    .col(Comments::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Comments::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PostTags::Table).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(Posts::Table).to_owned()).await
    }
}
