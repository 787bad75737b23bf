//! Refusals identity decides itself: a disabled account's access token (valid until it expires) asking for
//! anything, a user reading another user's private fields, a user asking identity's gRPC API about someone else,
//! a disabled account signing in or refreshing. Each is recorded for audit as an `access.denied` event in
//! identity's outbox, the same record the other services' access guards leave.

use std::net::IpAddr;

use chrono::Utc;
use kernel::access::{Denial, DenialRecorder};
use secrecy::SecretString;

use super::IdentityService;
use crate::domain::{UserId, UserStatus};
use crate::error::IdentityError;
use crate::store::{self, UserRecord};

/// The subject identity records for a caller whose token names none.
const UNKNOWN_ACTOR: &str = "anonymous";

/// What a caller tried, as its refusal is recorded: `action` is `<kind>:<verb>` (`user:read`), `resource` is
/// `<kind>:<id>` (`user:0190…`).
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The subject that tried.
    pub actor: String,
    /// What it tried, `<kind>:<verb>`.
    pub action: String,
    /// On what, `<kind>:<id>`.
    pub resource: String,
    /// Where the request came from.
    pub client_address: Option<IpAddr>,
}

impl Attempt {
    /// `actor` trying `action` (`user:read`) on the user `user_id`, from `client_address`.
    pub fn on_user(actor: &str, action: &str, user_id: impl std::fmt::Display, client_address: Option<IpAddr>) -> Self {
        Self {
            actor: if actor.is_empty() { UNKNOWN_ACTOR } else { actor }.to_owned(),
            action: action.to_owned(),
            resource: format!("user:{user_id}"),
            client_address,
        }
    }
}

impl IdentityService {
    /// The account `user_id` when it is active. A disabled one is refused with [`IdentityError::AccountDisabled`]
    /// and `attempt` is recorded; a missing one is [`IdentityError::UserNotFound`].
    pub async fn active_account(&self, user_id: UserId, attempt: &Attempt) -> Result<UserRecord, IdentityError> {
        let user = store::find_user(&self.conn, user_id)
            .await?
            .ok_or(IdentityError::UserNotFound)?;
        if user.status != UserStatus::Active {
            let refused = IdentityError::AccountDisabled;
            self.record_refusal(attempt, &refused.to_string()).await;
            return Err(refused);
        }
        Ok(user)
    }

    /// Records `attempt` as refused for `reason`. A record that cannot be written is logged at error level: the
    /// refusal stands either way.
    pub async fn record_refusal(&self, attempt: &Attempt, reason: &str) {
        let denial = Denial {
            id: uuid::Uuid::now_v7(),
            actor: attempt.actor.clone(),
            action: attempt.action.clone(),
            resource: attempt.resource.clone(),
            reason: reason.to_owned(),
            service: crate::events::SOURCE.to_owned(),
            client_address: attempt.client_address,
            occurred_at: Utc::now(),
        };
        // The outbox recorder authenticates with nothing: it writes to identity's own database.
        if let Err(failure) = self.denials.record(&denial, &SecretString::from(String::new())).await {
            tracing::error!(
                error = %failure,
                actor = %denial.actor,
                action = %denial.action,
                resource = %denial.resource,
                "a refusal could not be recorded"
            );
        }
    }
}
