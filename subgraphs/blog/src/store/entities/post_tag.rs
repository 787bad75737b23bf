//! The `post_tags` table: one row per tag of a post.

use sea_orm::entity::prelude::*;

/// One tag of one post.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post_tags")]
pub struct Model {
    /// The tagged post.
    #[sea_orm(primary_key, auto_increment = false)]
    pub post_id: Uuid,
    /// The tag.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tag: String,
}

/// Relations are not navigated through SeaORM; reads batch by id instead.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
