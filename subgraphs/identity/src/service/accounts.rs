//! Accounts: sign-up, profile changes and disabling, each committed with its event; a disabled account may do
//! neither of the last two.

use std::net::IpAddr;

use sea_orm::TransactionTrait;

use super::{Attempt, IdentityService, now};
use crate::domain::{DisplayName, Email, Password, UserId, UserStatus};
use crate::error::IdentityError;
use crate::events::{self, RevokeReason};
use crate::store::{self, UserRecord};

impl IdentityService {
    /// Registers a user; the e-mail address must be free in any letter case. Publishes `user.created`.
    pub async fn sign_up(&self, email: &str, password: &str, display_name: &str) -> Result<UserRecord, IdentityError> {
        let email = Email::parse(email)?;
        let password = Password::parse(password)?;
        let display_name = DisplayName::parse(display_name)?;
        let hasher = self.hasher.clone();
        let hash = tokio::task::spawn_blocking(move || hasher.hash(&password))
            .await
            .map_err(|e| IdentityError::Internal(format!("hashing task: {e}")))??;
        let user = UserRecord::new(&email, &display_name, now());
        let txn = self.conn.begin().await?;
        // The unique index decides races; the store maps its violation to `EmailTaken`.
        store::create_user(&txn, &user, &email.key(), &hash).await?;
        let actor = user.id.to_string();
        events::enqueue(&txn, user.id, &events::user_event(events::USER_CREATED, &user, &actor)).await?;
        txn.commit().await?;
        tracing::info!(user_id = %user.id, "user signed up");
        Ok(user)
    }

    /// Changes the display name of `user_id` (the caller itself, calling from `client_address`). A disabled
    /// account is refused (and the attempt recorded). Publishes `user.updated`.
    pub async fn update_profile(
        &self,
        user_id: UserId,
        display_name: &str,
        client_address: Option<IpAddr>,
    ) -> Result<UserRecord, IdentityError> {
        let display_name = DisplayName::parse(display_name)?;
        let txn = self.conn.begin().await?;
        // Only an active account is changed, decided by the statement itself, so a concurrent disable cannot slip in.
        if !store::update_display_name(&txn, user_id, display_name.as_str(), now()).await? {
            txn.rollback().await?;
            store::find_user(&self.conn, user_id)
                .await?
                .ok_or(IdentityError::UserNotFound)?;
            let refused = IdentityError::AccountDisabled;
            let attempt = Attempt::on_user(&user_id.to_string(), "user:edit", user_id, client_address);
            self.record_refusal(&attempt, &refused.to_string()).await;
            return Err(refused);
        }
        let user = store::find_user(&txn, user_id)
            .await?
            .ok_or(IdentityError::UserNotFound)?;
        let actor = user_id.to_string();
        events::enqueue(&txn, user_id, &events::user_event(events::USER_UPDATED, &user, &actor)).await?;
        txn.commit().await?;
        Ok(user)
    }

    /// Disables `user_id` and revokes all its refresh tokens, on behalf of the administrator `actor` (calling from
    /// `client_address`). An administrator whose own account is disabled is refused (and the attempt recorded): its
    /// token still names the role until it expires. Publishes `user.disabled` and `session.revoked`.
    pub async fn disable_user(
        &self,
        user_id: UserId,
        actor: &str,
        client_address: Option<IpAddr>,
    ) -> Result<UserRecord, IdentityError> {
        // An actor identity does not know as a user (a setup or service subject) is vouched for by its token alone.
        if let Ok(actor_id) = UserId::parse(actor)
            && store::find_user(&self.conn, actor_id).await?.is_some()
        {
            let attempt = Attempt::on_user(actor, "user:disable", user_id, client_address);
            self.active_account(actor_id, &attempt).await?;
        }
        let at = now();
        let txn = self.conn.begin().await?;
        if !store::set_status(&txn, user_id, UserStatus::Disabled, at).await? {
            return Err(IdentityError::UserNotFound);
        }
        let user = store::find_user(&txn, user_id)
            .await?
            .ok_or(IdentityError::UserNotFound)?;
        let revoked = store::revoke_user_tokens(&txn, user_id, at).await?;
        events::enqueue(&txn, user_id, &events::user_event(events::USER_DISABLED, &user, actor)).await?;
        let revoked_event = events::session_revoked(user_id, RevokeReason::UserDisabled, revoked, actor);
        events::enqueue(&txn, user_id, &revoked_event).await?;
        txn.commit().await?;
        tracing::info!(user_id = %user_id, revoked, "user disabled");
        Ok(user)
    }
}
