//! The GraphQL output types: `User`, `UserStatus`, `Session`.
//!
//! A user's public profile (id, display name, status, dates) is readable by anyone, so a post's author shows
//! to anonymous readers; the e-mail address only to the user itself and to administrators, while their own
//! accounts are active (every other reader is refused, and the refusal recorded).

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, ID, Object};
use kernel::graphql::Caller;

use super::loader::UserLoader;
use super::mutation::ADMIN_ROLE;

use crate::domain::{UserId, UserStatus};
use crate::error::IdentityError;
use crate::service::{Attempt, IdentityService, Session};
use crate::store::UserRecord;

/// A user as the graph shows it; an entity other subgraphs extend by `id`. The flag is set when the answer is the
/// caller's own account by construction (sign-up, sign-in, profile change), before any token names it.
pub struct UserObject(pub UserRecord, pub bool);

/// Whether a user may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "UserStatus")]
pub enum UserStatusValue {
    /// The user may sign in.
    Active,
    /// The user was disabled by an administrator.
    Disabled,
}

impl From<UserStatus> for UserStatusValue {
    fn from(status: UserStatus) -> Self {
        match status {
            UserStatus::Active => Self::Active,
            UserStatus::Disabled => Self::Disabled,
        }
    }
}

/// A registered user.
#[Object(name = "User")]
impl UserObject {
    /// The user's id (a UUIDv7).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The e-mail address, as the user wrote it; readable by the user itself and administrators (others get
    /// FORBIDDEN).
    async fn email(&self, ctx: &Context<'_>) -> async_graphql::Result<&str> {
        if self.1 {
            return Ok(&self.0.email);
        }
        let caller = ctx.data::<Caller>()?;
        let claims = caller.require()?;
        let service = ctx.data::<Arc<IdentityService>>()?;
        let attempt = Attempt::on_user(&claims.sub, "user:read", self.0.id, caller.client_address());
        // Whoever reads must hold an active account: a disabled one's token is valid until it expires.
        let reader_status = if claims.sub == self.0.id.to_string() {
            Some(self.0.status)
        } else if claims.has_role(ADMIN_ROLE) {
            // An administrator identity does not know as a user (a setup token) is vouched for by its token alone.
            let known = match UserId::parse(&claims.sub) {
                Ok(admin) => ctx
                    .data::<DataLoader<UserLoader>>()?
                    .load_one(admin)
                    .await
                    .map_err(|e| IdentityError::Internal(e.to_string()).into_graphql())?,
                Err(_) => None,
            };
            Some(known.map_or(UserStatus::Active, |admin| admin.status))
        } else {
            None
        };
        let refused = match reader_status {
            Some(UserStatus::Active) => return Ok(&self.0.email),
            Some(UserStatus::Disabled) => IdentityError::AccountDisabled,
            None => IdentityError::Forbidden("only the user and administrators may read an e-mail address".to_owned()),
        };
        service.record_refusal(&attempt, &refused.to_string()).await;
        Err(refused.into_graphql())
    }

    /// The name shown to others.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// Whether the user may sign in.
    async fn status(&self) -> UserStatusValue {
        self.0.status.into()
    }

    /// When the account was created (RFC 3339).
    async fn created_at(&self) -> String {
        self.0.created_at.to_rfc3339()
    }

    /// When the account last changed (RFC 3339).
    async fn updated_at(&self) -> String {
        self.0.updated_at.to_rfc3339()
    }
}

/// A signed-in session.
pub struct SessionObject(pub Session);

/// The tokens of a signed-in session.
#[Object(name = "Session")]
impl SessionObject {
    /// The access token to send as `Authorization: Bearer …`.
    async fn access_token(&self) -> &str {
        &self.0.access.token
    }

    /// Always `Bearer`.
    async fn token_type(&self) -> &str {
        "Bearer"
    }

    /// Seconds until the access token expires.
    async fn expires_in(&self) -> i64 {
        let claims = &self.0.access.claims;
        i64::try_from(claims.exp.saturating_sub(claims.iat)).unwrap_or(i64::MAX)
    }

    /// The single-use refresh token; exchange it with `refresh` for a new session.
    async fn refresh_token(&self) -> &str {
        self.0.refresh.expose()
    }

    /// The signed-in user.
    async fn user(&self) -> UserObject {
        UserObject(self.0.user.clone(), true)
    }
}
