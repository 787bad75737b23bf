//! Queries on refresh tokens.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::StoreError;
use super::entities::refresh_tokens;
use crate::domain::{RefreshTokenHash, UserId};

/// A stored refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    /// Row id.
    pub id: uuid::Uuid,
    /// The session's user.
    pub user_id: UserId,
    /// The family (one per sign-in).
    pub family_id: uuid::Uuid,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// When it was exchanged; a second use is a replay.
    pub used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<refresh_tokens::Model> for RefreshTokenRecord {
    fn from(row: refresh_tokens::Model) -> Self {
        Self {
            id: row.id,
            user_id: UserId::from(row.user_id),
            family_id: row.family_id,
            expires_at: row.expires_at,
            used_at: row.used_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// Stores a new token of `family_id` for `user_id` by its hash.
pub async fn insert_refresh_token(
    conn: &impl ConnectionTrait,
    user_id: UserId,
    family_id: uuid::Uuid,
    hash: &RefreshTokenHash,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    refresh_tokens::Entity::insert(refresh_tokens::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        user_id: Set(user_id.as_uuid()),
        family_id: Set(family_id),
        token_hash: Set(hash.as_str().to_owned()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The token stored under `hash`.
pub async fn find_refresh_token(
    conn: &impl ConnectionTrait,
    hash: &RefreshTokenHash,
) -> Result<Option<RefreshTokenRecord>, StoreError> {
    Ok(refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(hash.as_str()))
        .one(conn)
        .await?
        .map(RefreshTokenRecord::from))
}

/// Marks token `id` used, only if it is still unused and unrevoked; `false` means another request won the race
/// (or it was revoked meanwhile), so the caller must treat this use as a replay.
pub async fn consume_refresh_token(
    conn: &impl ConnectionTrait,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::UsedAt, Expr::value(now))
        .filter(refresh_tokens::Column::Id.eq(id))
        .filter(refresh_tokens::Column::UsedAt.is_null())
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Revokes every live token of `family_id`; returns how many were revoked.
pub async fn revoke_family(
    conn: &impl ConnectionTrait,
    family_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}

/// Revokes every live token of `user_id`; returns how many were revoked.
pub async fn revoke_user_tokens(
    conn: &impl ConnectionTrait,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::UserId.eq(user_id.as_uuid()))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}
