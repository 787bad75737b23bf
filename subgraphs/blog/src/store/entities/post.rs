//! The `posts` table.

use sea_orm::entity::prelude::*;

/// One stored post.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    /// UUIDv7, so ids order posts by creation.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The author's user id.
    pub author_id: String,
    /// Unique address of the post.
    #[sea_orm(unique)]
    pub slug: String,
    /// The title.
    pub title: String,
    /// The Markdown body.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// `draft`, `published` or `archived`.
    pub status: String,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
    /// When it was first published.
    pub published_at: Option<DateTimeUtc>,
}

/// Relations are not navigated through SeaORM; reads batch by id instead.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
