//! `role_permissions`: the permissions a role grants, one row each.

use sea_orm::entity::prelude::{
    ActiveModelBehavior, DeriveEntityModel, DerivePrimaryKey, DeriveRelation, EntityTrait, EnumIter, PrimaryKeyTrait,
};

/// A role-permission row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_permissions")]
pub struct Model {
    /// The role granting it.
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: String,
    /// The permission, `resource:action`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub permission: String,
}

/// No navigable relations: queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
