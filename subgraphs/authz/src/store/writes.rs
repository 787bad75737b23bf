//! Changing roles and bindings. Each function takes the connection to run on, so callers put the change and its
//! outbox event in one transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::entities::{disabled_subject, role, role_binding, role_permission};
use super::{BindingRecord, DisabledRecord, RoleRecord};

/// Reads the role named `name` inside the caller's transaction, so a change decides on what it then writes.
pub async fn lock_role(conn: &impl ConnectionTrait, name: &str) -> Result<Option<RoleRecord>, DbErr> {
    super::reads::role_by_name(conn, name).await
}

/// Inserts a role (not built-in) and its permissions.
pub async fn insert_role(
    conn: &impl ConnectionTrait,
    name: &str,
    description: &str,
    permissions: &[String],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    role::Entity::insert(role::ActiveModel {
        name: ActiveValue::Set(name.to_owned()),
        description: ActiveValue::Set(description.to_owned()),
        built_in: ActiveValue::Set(false),
        created_at: ActiveValue::Set(now),
        updated_at: ActiveValue::Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    insert_permissions(conn, name, permissions).await
}

/// Replaces the permissions of role `name` and stamps its `updated_at`.
pub async fn replace_permissions(
    conn: &impl ConnectionTrait,
    name: &str,
    permissions: &[String],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    role_permission::Entity::delete_many()
        .filter(role_permission::Column::Role.eq(name))
        .exec(conn)
        .await?;
    insert_permissions(conn, name, permissions).await?;
    role::Entity::update_many()
        .col_expr(role::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(role::Column::Name.eq(name))
        .exec(conn)
        .await?;
    Ok(())
}

async fn insert_permissions(conn: &impl ConnectionTrait, name: &str, permissions: &[String]) -> Result<(), DbErr> {
    if permissions.is_empty() {
        return Ok(());
    }
    let rows = permissions.iter().map(|permission| role_permission::ActiveModel {
        role: ActiveValue::Set(name.to_owned()),
        permission: ActiveValue::Set(permission.clone()),
    });
    role_permission::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Deletes role `name` and its permissions; `true` when it existed.
pub async fn delete_role(conn: &impl ConnectionTrait, name: &str) -> Result<bool, DbErr> {
    role_permission::Entity::delete_many()
        .filter(role_permission::Column::Role.eq(name))
        .exec(conn)
        .await?;
    let deleted = role::Entity::delete_by_id(name.to_owned()).exec(conn).await?;
    Ok(deleted.rows_affected > 0)
}

/// How many bindings hold role `name`.
pub async fn count_bindings_of_role(conn: &impl ConnectionTrait, name: &str) -> Result<u64, DbErr> {
    role_binding::Entity::find()
        .filter(role_binding::Column::Role.eq(name))
        .count(conn)
        .await
}

/// Inserts `binding`; a duplicate `(subject, role, resource)` fails with the database's unique violation.
pub async fn insert_binding(conn: &impl ConnectionTrait, binding: &BindingRecord) -> Result<(), DbErr> {
    role_binding::Entity::insert(role_binding::ActiveModel {
        id: ActiveValue::Set(binding.id),
        subject: ActiveValue::Set(binding.subject.clone()),
        role: ActiveValue::Set(binding.role.clone()),
        resource: ActiveValue::Set(binding.resource.clone()),
        created_by: ActiveValue::Set(binding.created_by.clone()),
        created_at: ActiveValue::Set(binding.created_at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Deletes the binding `id` and returns it, if it existed.
pub async fn delete_binding(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<BindingRecord>, DbErr> {
    let Some(row) = role_binding::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    role_binding::Entity::delete_by_id(id).exec(conn).await?;
    Ok(Some(row.into()))
}

/// Records `record`'s subject as disabled; `false` when it already was (the first record is kept).
pub async fn insert_disabled_subject(conn: &impl ConnectionTrait, record: &DisabledRecord) -> Result<bool, DbErr> {
    if disabled_subject::Entity::find_by_id(record.subject.clone())
        .one(conn)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    disabled_subject::Entity::insert(disabled_subject::ActiveModel {
        subject: ActiveValue::Set(record.subject.clone()),
        disabled_by: ActiveValue::Set(record.disabled_by.clone()),
        disabled_at: ActiveValue::Set(record.disabled_at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(true)
}
