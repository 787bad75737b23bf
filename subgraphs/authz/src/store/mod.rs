//! Authz's tables through SeaORM: roles with their permissions, role bindings, and disabled subjects.
//!
//! Reads go through [`AuthzStore`]; writes are functions taking any connection, so the management service runs
//! them in one transaction together with the outbox row that describes the change.

pub mod entities;
mod metrics;
mod reads;
mod writes;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use metrics::StoreMetrics;
pub use reads::AuthzStore;
pub use writes::{
    count_bindings_of_role, delete_binding, delete_role, insert_binding, insert_disabled_subject, insert_role,
    lock_role, replace_permissions,
};

/// A role as stored, with the permissions it grants (sorted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRecord {
    /// The role's name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Seeded by the migration; cannot be deleted.
    pub built_in: bool,
    /// The permissions it grants, `resource:action`, sorted.
    pub permissions: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A role binding as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingRecord {
    /// The binding's id.
    pub id: Uuid,
    /// The subject holding the role.
    pub subject: String,
    /// The role held.
    pub role: String,
    /// `kind:id` of the resource it is scoped to; empty for a global binding.
    pub resource: String,
    /// Who created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<entities::role_binding::Model> for BindingRecord {
    fn from(row: entities::role_binding::Model) -> Self {
        Self {
            id: row.id,
            subject: row.subject,
            role: row.role,
            resource: row.resource,
            created_by: row.created_by,
            created_at: row.created_at,
        }
    }
}

/// A subject identity has disabled, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisabledRecord {
    /// The disabled subject.
    pub subject: String,
    /// Who disabled it.
    pub disabled_by: String,
    /// When authz learned of it.
    pub disabled_at: DateTime<Utc>,
}

impl From<entities::disabled_subject::Model> for DisabledRecord {
    fn from(row: entities::disabled_subject::Model) -> Self {
        Self {
            subject: row.subject,
            disabled_by: row.disabled_by,
            disabled_at: row.disabled_at,
        }
    }
}
