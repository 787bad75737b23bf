//! The identity service's operations, shared by the GraphQL and gRPC fronts: accounts (sign-up, profile,
//! disabling), sessions (sign-in, refresh with rotation, sign-out) and the refusals identity records for audit.

mod access;
mod accounts;
mod limits;
mod sessions;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use kernel::access::OutboxDenials;
use kernel::auth::TokenIssuer;
use kernel::cache::Cache;
use sea_orm::DatabaseConnection;

pub use access::Attempt;
pub use sessions::Session;

use crate::config::SignInLimits;
use crate::domain::{PasswordHasher, UserId};
use crate::error::IdentityError;
use crate::roles::RoleSource;
use crate::store::{self, UserRecord};

/// Everything identity does, over its store, cache, role source and token issuer.
pub struct IdentityService {
    conn: DatabaseConnection,
    cache: Arc<dyn Cache>,
    roles: Arc<dyn RoleSource>,
    issuer: Arc<TokenIssuer>,
    hasher: PasswordHasher,
    limits: SignInLimits,
    refresh_ttl: chrono::Duration,
    denials: OutboxDenials,
}

impl std::fmt::Debug for IdentityService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityService")
            .field("limits", &self.limits)
            .field("refresh_ttl", &self.refresh_ttl)
            .finish_non_exhaustive()
    }
}

/// The parts an [`IdentityService`] is built from.
pub struct ServiceParts {
    /// The database (already migrated).
    pub conn: DatabaseConnection,
    /// The cache holding rate-limit counters.
    pub cache: Arc<dyn Cache>,
    /// Where roles come from.
    pub roles: Arc<dyn RoleSource>,
    /// Signs access tokens.
    pub issuer: Arc<TokenIssuer>,
    /// Hashes passwords.
    pub hasher: PasswordHasher,
    /// Sign-in limits.
    pub limits: SignInLimits,
    /// Refresh token lifetime, in seconds.
    pub refresh_ttl_secs: u64,
}

impl IdentityService {
    /// Assembles the service.
    pub fn new(parts: ServiceParts) -> Self {
        let refresh_ttl = i64::try_from(parts.refresh_ttl_secs)
            .ok()
            .and_then(chrono::Duration::try_seconds)
            .unwrap_or(chrono::Duration::MAX);
        Self {
            denials: OutboxDenials::new(parts.conn.clone(), crate::events::TOPIC),
            conn: parts.conn,
            cache: parts.cache,
            roles: parts.roles,
            issuer: parts.issuer,
            hasher: parts.hasher,
            limits: parts.limits,
            refresh_ttl,
        }
    }

    /// The issuer that signs this service's access tokens.
    pub fn issuer(&self) -> &Arc<TokenIssuer> {
        &self.issuer
    }

    /// The database connection, for read paths (the GraphQL data loader).
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// One user by id.
    pub async fn user(&self, id: UserId) -> Result<Option<UserRecord>, IdentityError> {
        Ok(store::find_user(&self.conn, id).await?)
    }

    /// The users among `ids`, in the order asked, unknown ids left out.
    pub async fn users(&self, ids: &[UserId]) -> Result<Vec<UserRecord>, IdentityError> {
        let found = store::find_users(&self.conn, ids).await?;
        Ok(ids
            .iter()
            .filter_map(|id| found.iter().find(|user| user.id == *id).cloned())
            .collect())
    }
}

/// The current time, truncated to microseconds so what is stored reads back equal on every backend.
fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}
