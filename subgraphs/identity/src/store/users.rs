//! Queries on users and credentials.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entities::{credentials, users};
use super::{StoreError, UserRecord};
use crate::domain::{PasswordHash, UserId, UserStatus};

/// One user by id.
pub async fn find_user(conn: &impl ConnectionTrait, id: UserId) -> Result<Option<UserRecord>, StoreError> {
    Ok(users::Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
        .map(UserRecord::from))
}

/// The users among `ids`, in one statement; order is unspecified.
pub async fn find_users(conn: &impl ConnectionTrait, ids: &[UserId]) -> Result<Vec<UserRecord>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = users::Entity::find()
        .filter(users::Column::Id.is_in(ids.iter().map(UserId::as_uuid)))
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(UserRecord::from).collect())
}

/// The user registered under `email_key` and its password hash, for sign-in.
pub async fn find_login(
    conn: &impl ConnectionTrait,
    email_key: &str,
) -> Result<Option<(UserRecord, PasswordHash)>, StoreError> {
    let Some(user) = users::Entity::find()
        .filter(users::Column::EmailKey.eq(email_key))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let credential = credentials::Entity::find_by_id(user.id).one(conn).await?;
    Ok(credential.map(|c| (UserRecord::from(user), PasswordHash::from_stored(c.password_hash))))
}

/// Inserts `user` with `email_key` and its credential; a taken address is [`StoreError::Conflict`].
pub async fn create_user(
    conn: &impl ConnectionTrait,
    user: &UserRecord,
    email_key: &str,
    hash: &PasswordHash,
) -> Result<(), StoreError> {
    users::Entity::insert(users::ActiveModel {
        id: Set(user.id.as_uuid()),
        email: Set(user.email.clone()),
        email_key: Set(email_key.to_owned()),
        display_name: Set(user.display_name.clone()),
        status: Set(user.status.as_str().to_owned()),
        created_at: Set(user.created_at),
        updated_at: Set(user.updated_at),
    })
    .exec_without_returning(conn)
    .await?;
    credentials::Entity::insert(credentials::ActiveModel {
        user_id: Set(user.id.as_uuid()),
        password_hash: Set(hash.as_str().to_owned()),
        updated_at: Set(user.created_at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Sets an active user's display name; `false` when no active user has this id.
pub async fn update_display_name(
    conn: &impl ConnectionTrait,
    id: UserId,
    display_name: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = users::Entity::update_many()
        .col_expr(users::Column::DisplayName, Expr::value(display_name.to_owned()))
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(id.as_uuid()))
        .filter(users::Column::Status.eq(UserStatus::Active.as_str()))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Sets a user's status; `false` when no such user exists.
pub async fn set_status(
    conn: &impl ConnectionTrait,
    id: UserId,
    status: UserStatus,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = users::Entity::update_many()
        .col_expr(users::Column::Status, Expr::value(status.as_str()))
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}
