//! `roles`: one row per role, named; built-in roles are seeded by the migration and cannot be deleted.

use sea_orm::entity::prelude::{
    ActiveModelBehavior, DateTimeUtc, DeriveEntityModel, DerivePrimaryKey, DeriveRelation, EntityTrait, EnumIter,
    PrimaryKeyTrait,
};

/// A role row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roles")]
pub struct Model {
    /// The role's name, its key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// What the role is for, for people.
    pub description: String,
    /// Seeded by the migration; cannot be deleted.
    pub built_in: bool,
    /// When the role was created.
    pub created_at: DateTimeUtc,
    /// When its permissions or description last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations: queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
