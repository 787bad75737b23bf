//! Identity's persistence: SeaORM entities and the queries the service runs, generic over a connection or a
//! transaction so a change and its outbox event commit together.

pub mod entities;
mod sessions;
mod users;

use chrono::{DateTime, Utc};
use sea_orm::{DbErr, SqlErr};

pub use sessions::{
    RefreshTokenRecord, consume_refresh_token, find_refresh_token, insert_refresh_token, revoke_family,
    revoke_user_tokens,
};
pub use users::{create_user, find_login, find_user, find_users, set_status, update_display_name};

use crate::domain::{DisplayName, Email, UserId, UserStatus};

/// A user as the service sees it; the password hash is never part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// The user's id.
    pub id: UserId,
    /// The address as the user wrote it.
    pub email: String,
    /// The name shown to others.
    pub display_name: String,
    /// Whether the user may sign in.
    pub status: UserStatus,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl UserRecord {
    /// A new active user created at `now`.
    pub fn new(email: &Email, display_name: &DisplayName, now: DateTime<Utc>) -> Self {
        Self {
            id: UserId::new(),
            email: email.as_str().to_owned(),
            display_name: display_name.as_str().to_owned(),
            status: UserStatus::Active,
            created_at: now,
            updated_at: now,
        }
    }
}

impl From<entities::users::Model> for UserRecord {
    fn from(row: entities::users::Model) -> Self {
        Self {
            id: UserId::from(row.id),
            email: row.email,
            display_name: row.display_name,
            status: UserStatus::from_stored(&row.status),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A store failure. Details are for the log; a client only ever sees the mapped code.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value (an e-mail address) is already taken.
    #[error("a unique value is already taken")]
    Conflict,
    /// The database failed.
    #[error("database error: {0}")]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(error: DbErr) -> Self {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Conflict,
            _ => Self::Db(error),
        }
    }
}
