//! The subgraph's output types.

use async_graphql::{ID, SimpleObject};

use crate::store::{BindingRecord, RoleRecord};

/// A role and what it grants.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Role")]
pub struct RoleObject {
    /// The role's name, e.g. `editor`.
    pub name: String,
    /// What the role is for.
    pub description: String,
    /// The permissions it grants, `resource:action` (`*` for any), sorted.
    pub permissions: Vec<String>,
    /// Seeded with the service; cannot be deleted.
    pub built_in: bool,
    /// When the role was created (RFC 3339).
    pub created_at: String,
    /// When the role last changed (RFC 3339).
    pub updated_at: String,
}

impl From<RoleRecord> for RoleObject {
    fn from(role: RoleRecord) -> Self {
        Self {
            name: role.name,
            description: role.description,
            permissions: role.permissions,
            built_in: role.built_in,
            created_at: role.created_at.to_rfc3339(),
            updated_at: role.updated_at.to_rfc3339(),
        }
    }
}

/// A subject holding a role, globally or on one resource.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "RoleBinding")]
pub struct RoleBindingObject {
    /// The binding's id, for `unbindRole`.
    pub id: ID,
    /// The user holding the role.
    pub subject: ID,
    /// The role held.
    pub role: String,
    /// The resource (`kind:id`) the binding is limited to; null for a global binding.
    pub resource: Option<String>,
    /// Who created the binding.
    pub created_by: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

impl From<BindingRecord> for RoleBindingObject {
    fn from(binding: BindingRecord) -> Self {
        Self {
            id: ID(binding.id.to_string()),
            subject: ID(binding.subject),
            role: binding.role,
            resource: (!binding.resource.is_empty()).then_some(binding.resource),
            created_by: binding.created_by,
            created_at: binding.created_at.to_rfc3339(),
        }
    }
}

/// One permission held through one binding.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Grant")]
pub struct GrantObject {
    /// The permission, `resource:action`.
    pub permission: String,
    /// The role granting it.
    pub role: String,
    /// The resource the binding is limited to; null for a global binding.
    pub scope: Option<String>,
}

/// Everything a subject may do.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Permissions")]
pub struct PermissionsObject {
    /// The roles bound globally.
    pub roles: Vec<String>,
    /// Every permission held, with the role and scope it comes from.
    pub grants: Vec<GrantObject>,
}
