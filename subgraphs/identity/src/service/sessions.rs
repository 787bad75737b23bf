//! Sessions: sign-in, refresh with rotation and replay detection, sign-out.

use std::net::IpAddr;

use kernel::auth::IssuedToken;
use sea_orm::TransactionTrait;

use super::{Attempt, IdentityService, now};
use crate::domain::{Email, Password, RefreshToken, UserId, UserStatus};
use crate::error::IdentityError;
use crate::events::{self, RevokeReason};
use crate::store::{self, UserRecord};

/// A signed-in session: a short-lived access token and the refresh token that renews it.
#[derive(Debug, Clone)]
pub struct Session {
    /// The signed access token and its claims.
    pub access: IssuedToken,
    /// The single-use refresh token (shown to the client once).
    pub refresh: RefreshToken,
    /// The user.
    pub user: UserRecord,
}

impl IdentityService {
    /// Checks the password and opens a session. Wrong e-mail and wrong password fail alike (same error, same
    /// hashing work), and attempts are rate-limited per account and per `client_address`.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client_address: Option<IpAddr>,
    ) -> Result<Session, IdentityError> {
        self.count_sign_in_attempt(email, client_address).await?;
        let password = Password::attempt(password);
        let login = match Email::parse(email) {
            Ok(email) => store::find_login(&self.conn, &email.key()).await?,
            Err(_) => None,
        };
        let hasher = self.hasher.clone();
        let user = tokio::task::spawn_blocking(move || match login {
            Some((user, hash)) => hasher.verify(&password, &hash).then_some(user),
            None => {
                hasher.verify_dummy(&password);
                None
            }
        })
        .await
        .map_err(|e| IdentityError::Internal(format!("hashing task: {e}")))?;
        let user = user.ok_or(IdentityError::InvalidCredentials)?;
        if user.status != UserStatus::Active {
            // The right password for a disabled account: refused like a wrong one, but recorded for audit.
            let attempt = Attempt::on_user(&user.id.to_string(), "session:create", user.id, client_address);
            self.record_refusal(&attempt, &IdentityError::AccountDisabled.to_string())
                .await;
            return Err(IdentityError::InvalidCredentials);
        }
        let roles = self.roles.roles(user.id).await?;
        let refresh = RefreshToken::generate().map_err(|e| IdentityError::Internal(e.to_string()))?;
        let at = now();
        store::insert_refresh_token(
            &self.conn,
            user.id,
            uuid::Uuid::now_v7(),
            &refresh.hash(),
            at,
            at + self.refresh_ttl,
        )
        .await?;
        let access = self.issuer.issue(&user.id.to_string(), roles, "")?;
        tracing::info!(user_id = %user.id, "signed in");
        Ok(Session { access, refresh, user })
    }

    /// Exchanges a refresh token (presented from `client_address`) for a new session. Each token works once:
    /// presenting a spent token again revokes every token of its family (the session is presumed stolen) and fails
    /// with [`IdentityError::RefreshTokenReplayed`]. Every refusal of a token identity knows, other than for
    /// expiry, is recorded for audit: a replay, a revoked token, a disabled account's token.
    pub async fn refresh(&self, token: &str, client_address: Option<IpAddr>) -> Result<Session, IdentityError> {
        let presented = RefreshToken::from_client(token);
        let record = store::find_refresh_token(&self.conn, &presented.hash())
            .await?
            .ok_or(IdentityError::InvalidRefreshToken)?;
        let attempt = Attempt::on_user(
            &record.user_id.to_string(),
            "session:refresh",
            record.user_id,
            client_address,
        );
        let user = store::find_user(&self.conn, record.user_id)
            .await?
            .ok_or(IdentityError::InvalidRefreshToken)?;
        if user.status != UserStatus::Active {
            self.record_refusal(&attempt, &IdentityError::AccountDisabled.to_string())
                .await;
            return Err(IdentityError::InvalidRefreshToken);
        }
        if record.used_at.is_some() {
            return Err(self.revoke_replayed(record.user_id, record.family_id, &attempt).await);
        }
        let at = now();
        if record.revoked_at.is_some() {
            self.record_refusal(&attempt, "the refresh token was revoked").await;
            return Err(IdentityError::InvalidRefreshToken);
        }
        if record.expires_at <= at {
            return Err(IdentityError::InvalidRefreshToken);
        }
        // Roles are read before the token is spent, so an unreachable authz leaves the session usable.
        let roles = self.roles.roles(user.id).await?;
        let next = RefreshToken::generate().map_err(|e| IdentityError::Internal(e.to_string()))?;
        let txn = self.conn.begin().await?;
        if !store::consume_refresh_token(&txn, record.id, at).await? {
            // Another request spent it between the read and now: that is a replay too.
            txn.rollback().await?;
            return Err(self.revoke_replayed(record.user_id, record.family_id, &attempt).await);
        }
        store::insert_refresh_token(&txn, user.id, record.family_id, &next.hash(), at, at + self.refresh_ttl).await?;
        txn.commit().await?;
        let access = self.issuer.issue(&user.id.to_string(), roles, "")?;
        Ok(Session {
            access,
            refresh: next,
            user,
        })
    }

    /// Ends the session `token` belongs to: every token of its family is revoked. Publishes `session.revoked`.
    pub async fn sign_out(&self, token: &str) -> Result<(), IdentityError> {
        let presented = RefreshToken::from_client(token);
        let record = store::find_refresh_token(&self.conn, &presented.hash())
            .await?
            .ok_or(IdentityError::InvalidRefreshToken)?;
        let txn = self.conn.begin().await?;
        let revoked = store::revoke_family(&txn, record.family_id, now()).await?;
        if revoked > 0 {
            let actor = record.user_id.to_string();
            let event = events::session_revoked(record.user_id, RevokeReason::SignOut, revoked, &actor);
            events::enqueue(&txn, record.user_id, &event).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Revokes a replayed token's family, records the refused `attempt`, and returns the error the replaying client
    /// gets.
    async fn revoke_replayed(&self, user_id: UserId, family_id: uuid::Uuid, attempt: &Attempt) -> IdentityError {
        let outcome = async {
            let txn = self.conn.begin().await?;
            let revoked = store::revoke_family(&txn, family_id, now()).await?;
            if revoked > 0 {
                let event = events::session_revoked(user_id, RevokeReason::Replay, revoked, events::SOURCE);
                events::enqueue(&txn, user_id, &event).await?;
            }
            txn.commit().await?;
            Ok::<u64, IdentityError>(revoked)
        }
        .await;
        match outcome {
            Ok(revoked) => {
                tracing::warn!(%user_id, %family_id, revoked, "refresh token replayed; revoked its family");
                let replayed = IdentityError::RefreshTokenReplayed;
                self.record_refusal(attempt, &replayed.to_string()).await;
                replayed
            }
            Err(error) => error,
        }
    }
}
