//! The `comments` table.

use sea_orm::entity::prelude::*;

/// One stored comment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comments")]
pub struct Model {
    /// UUIDv7, so ids order a post's comments by creation.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The post commented on.
    pub post_id: Uuid,
    /// The commenter's user id.
    pub author_id: String,
    /// The Markdown body.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// When it was written.
    pub created_at: DateTimeUtc,
}

/// Relations are not navigated through SeaORM; reads batch by id instead.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
