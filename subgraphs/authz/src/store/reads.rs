//! Reading roles, bindings, a subject's grants and whether it is disabled.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef,
};
use uuid::Uuid;

use super::entities::{disabled_subject, role, role_binding, role_permission};
use super::{BindingRecord, DisabledRecord, RoleRecord, StoreMetrics};
use crate::domain::{EffectiveBinding, Permission, RoleName, Scope};

/// Read access to authz's tables, counting the reads that matter (see [`StoreMetrics`]).
#[derive(Debug, Clone)]
pub struct AuthzStore {
    conn: DatabaseConnection,
    metrics: StoreMetrics,
}

impl AuthzStore {
    /// A store over `conn`, counting into `metrics`.
    pub fn new(conn: DatabaseConnection, metrics: StoreMetrics) -> Self {
        Self { conn, metrics }
    }

    /// The connection, for transactions.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// The read counters.
    pub fn metrics(&self) -> &StoreMetrics {
        &self.metrics
    }

    /// Every role, by name.
    pub async fn roles(&self) -> Result<Vec<RoleRecord>, DbErr> {
        let roles = role::Entity::find()
            .order_by_asc(role::Column::Name)
            .all(&self.conn)
            .await?;
        let mut permissions: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in role_permission::Entity::find()
            .order_by_asc(role_permission::Column::Permission)
            .all(&self.conn)
            .await?
        {
            permissions.entry(row.role).or_default().push(row.permission);
        }
        Ok(roles
            .into_iter()
            .map(|row| {
                let granted = permissions.remove(&row.name).unwrap_or_default();
                record(row, granted)
            })
            .collect())
    }

    /// The role named `name`, if it exists.
    pub async fn role(&self, name: &str) -> Result<Option<RoleRecord>, DbErr> {
        role_by_name(&self.conn, name).await
    }

    /// The bindings of `subject`, oldest first.
    pub async fn bindings(&self, subject: &str) -> Result<Vec<BindingRecord>, DbErr> {
        Ok(role_binding::Entity::find()
            .filter(role_binding::Column::Subject.eq(subject))
            .order_by_asc(role_binding::Column::CreatedAt)
            .order_by_asc(role_binding::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(BindingRecord::from)
            .collect())
    }

    /// The bindings of every subject in `subjects`, in one query, oldest first.
    pub async fn bindings_of_subjects(&self, subjects: &[String]) -> Result<Vec<BindingRecord>, DbErr> {
        self.metrics.binding_batch_reads.inc();
        Ok(role_binding::Entity::find()
            .filter(role_binding::Column::Subject.is_in(subjects.iter().cloned()))
            .order_by_asc(role_binding::Column::CreatedAt)
            .order_by_asc(role_binding::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(BindingRecord::from)
            .collect())
    }

    /// The binding with `id`, if it exists.
    pub async fn binding(&self, id: Uuid) -> Result<Option<BindingRecord>, DbErr> {
        Ok(role_binding::Entity::find_by_id(id)
            .one(&self.conn)
            .await?
            .map(BindingRecord::from))
    }

    /// The record of `subject` being disabled, if it is.
    pub async fn disabled(&self, subject: &str) -> Result<Option<DisabledRecord>, DbErr> {
        Ok(disabled_subject::Entity::find_by_id(subject.to_owned())
            .one(&self.conn)
            .await?
            .map(DisabledRecord::from))
    }

    /// Everything `subject` holds: each binding with the permissions its role grants now, in one query.
    pub async fn grants(&self, subject: &str) -> Result<Vec<EffectiveBinding>, DbErr> {
        self.metrics.grant_reads.inc();
        let rows: Vec<(String, String, Option<String>)> = role_binding::Entity::find()
            .select_only()
            .column(role_binding::Column::Role)
            .column(role_binding::Column::Resource)
            .column_as(role_permission::Column::Permission, "permission")
            .join(JoinType::LeftJoin, binding_permissions())
            .filter(role_binding::Column::Subject.eq(subject))
            .order_by_asc(role_binding::Column::CreatedAt)
            .order_by_asc(role_binding::Column::Id)
            .order_by_asc(role_permission::Column::Permission)
            .into_tuple()
            .all(&self.conn)
            .await?;
        let mut grouped: Vec<EffectiveBinding> = Vec::new();
        for (role, resource, permission) in rows {
            // Rows were validated when written; one that no longer parses is skipped, never trusted.
            let (Ok(role), Ok(scope)) = (RoleName::parse(&role), Scope::parse(&resource)) else {
                tracing::warn!(%subject, %role, %resource, "skipping a role binding that does not parse");
                continue;
            };
            let index = match grouped.iter().position(|b| b.role == role && b.scope == scope) {
                Some(index) => index,
                None => {
                    grouped.push(EffectiveBinding {
                        role,
                        scope,
                        permissions: Vec::new(),
                    });
                    grouped.len() - 1
                }
            };
            if let Some(permission) = permission {
                match Permission::parse(&permission) {
                    Ok(permission) => grouped[index].permissions.push(permission),
                    Err(_) => tracing::warn!(%permission, "skipping a stored permission that does not parse"),
                }
            }
        }
        Ok(grouped)
    }
}

/// The join from a binding to the permissions of its role.
fn binding_permissions() -> RelationDef {
    role_binding::Entity::belongs_to(role_permission::Entity)
        .from(role_binding::Column::Role)
        .to(role_permission::Column::Role)
        .into()
}

/// The role named `name` with its permissions, read through `conn` (a transaction or the pool).
pub(super) async fn role_by_name(conn: &impl ConnectionTrait, name: &str) -> Result<Option<RoleRecord>, DbErr> {
    let Some(row) = role::Entity::find_by_id(name.to_owned()).one(conn).await? else {
        return Ok(None);
    };
    let permissions = role_permission::Entity::find()
        .filter(role_permission::Column::Role.eq(name))
        .order_by_asc(role_permission::Column::Permission)
        .all(conn)
        .await?
        .into_iter()
        .map(|p| p.permission)
        .collect();
    Ok(Some(record(row, permissions)))
}

fn record(row: role::Model, permissions: Vec<String>) -> RoleRecord {
    RoleRecord {
        name: row.name,
        description: row.description,
        built_in: row.built_in,
        permissions,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}
