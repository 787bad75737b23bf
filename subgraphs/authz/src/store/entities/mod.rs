//! SeaORM entities of authz's three tables.

pub mod role;
pub mod role_binding;
pub mod role_permission;
