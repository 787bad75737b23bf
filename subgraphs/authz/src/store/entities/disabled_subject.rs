//! `disabled_subjects`: a subject identity has disabled; every check about it is denied.

use sea_orm::entity::prelude::{
    ActiveModelBehavior, DateTimeUtc, DeriveEntityModel, DerivePrimaryKey, DeriveRelation, EntityTrait, EnumIter,
    PrimaryKeyTrait,
};

/// A disabled-subject row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disabled_subjects")]
pub struct Model {
    /// The subject, its key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject: String,
    /// Who disabled it (the administrator named by identity's event).
    pub disabled_by: String,
    /// When authz learned of it.
    pub disabled_at: DateTimeUtc,
}

/// No navigable relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
