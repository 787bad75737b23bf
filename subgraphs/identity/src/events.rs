//! The events identity publishes, written to its outbox in the same transaction as the change.
//!
//! Topic `identity.events`, keyed by user id so one user's events stay in order. Payloads describe the user as
//! any client may see it; credentials and token hashes never appear in them. Refusals identity decides itself (a
//! disabled account's token, a replayed refresh token, another user's private fields) go to the same topic as the
//! kernel's `access.denied` events ([`crate::service::Attempt`]), keyed by the refused subject.

use kernel::events::EventEnvelope;
use kernel::outbox::OutboxError;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::domain::UserId;
use crate::store::UserRecord;

/// The topic every identity event goes to.
pub const TOPIC: &str = "identity.events";
/// The `source` of identity's envelopes.
pub const SOURCE: &str = "identity";

/// `user.created`: a user signed up.
pub const USER_CREATED: &str = "user.created";
/// `user.updated`: a user's profile changed.
pub const USER_UPDATED: &str = "user.updated";
/// `user.disabled`: an administrator disabled a user.
pub const USER_DISABLED: &str = "user.disabled";
/// `session.revoked`: refresh tokens were revoked (sign-out, replay, disabled user).
pub const SESSION_REVOKED: &str = "session.revoked";

/// Why sessions were revoked, as `session.revoked` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeReason {
    /// The user signed out.
    SignOut,
    /// A spent refresh token was presented again; the whole family is presumed stolen.
    Replay,
    /// The user was disabled.
    UserDisabled,
}

impl RevokeReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::SignOut => "sign_out",
            Self::Replay => "refresh_token_replayed",
            Self::UserDisabled => "user_disabled",
        }
    }
}

/// A user event (`user.created`, `user.updated`, `user.disabled`) carrying the user's public fields.
pub fn user_event(event_type: &str, user: &UserRecord, actor: &str) -> EventEnvelope {
    let payload = json!({
        "id": user.id.to_string(),
        "email": user.email,
        "display_name": user.display_name,
        "status": user.status.as_str(),
        "created_at": user.created_at.to_rfc3339(),
        "updated_at": user.updated_at.to_rfc3339(),
    });
    EventEnvelope::new(event_type, SOURCE, payload).with_actor(actor)
}

/// A `session.revoked` event: `revoked` refresh tokens of `user_id` were revoked for `reason`.
pub fn session_revoked(user_id: UserId, reason: RevokeReason, revoked: u64, actor: &str) -> EventEnvelope {
    let payload = json!({
        "user_id": user_id.to_string(),
        "reason": reason.as_str(),
        "revoked_tokens": revoked,
    });
    EventEnvelope::new(SESSION_REVOKED, SOURCE, payload).with_actor(actor)
}

/// Writes `envelope` about `user_id` to the outbox through `conn`, which must be the change's transaction.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    user_id: UserId,
    envelope: &EventEnvelope,
) -> Result<(), OutboxError> {
    kernel::outbox::enqueue(conn, TOPIC, &user_id.to_string(), envelope).await
}
