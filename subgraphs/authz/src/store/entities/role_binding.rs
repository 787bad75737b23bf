//! `role_bindings`: a subject holding a role, globally (`resource` empty) or on one resource (`post:123`).
//! `(subject, role, resource)` is unique.

use sea_orm::entity::prelude::{
    ActiveModelBehavior, DateTimeUtc, DeriveEntityModel, DerivePrimaryKey, DeriveRelation, EntityTrait, EnumIter,
    PrimaryKeyTrait, Uuid,
};

/// A role-binding row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_bindings")]
pub struct Model {
    /// The binding's id (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The subject holding the role.
    pub subject: String,
    /// The role held.
    pub role: String,
    /// `kind:id` of the one resource the binding applies to; empty for a global binding.
    pub resource: String,
    /// Who created the binding.
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

/// No navigable relations: queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
