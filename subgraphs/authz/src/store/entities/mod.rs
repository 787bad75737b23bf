//! SeaORM entities of authz's tables.

pub mod disabled_subject;
pub mod role;
pub mod role_binding;
pub mod role_permission;
