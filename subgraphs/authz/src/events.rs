//! What authz publishes, and how every replica reacts to it.
//!
//! Every change to roles, bindings and disabled subjects is written as an event to the outbox in the same
//! transaction as the change ([`enqueue`]); the kernel's relay publishes it to [`TOPIC`] keyed by the role name or
//! the subject, for audit. Each replica also consumes [`TOPIC`] in a consumer group of its own
//! ([`spawn_invalidation`]) and retires the cached decisions the event made stale, so a change made on one replica
//! reaches the caches of all.

use std::time::Duration;

use kernel::events::{EventBus, EventEnvelope};
use sea_orm::ConnectionTrait;
use serde_json::json;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::decisions::DecisionService;
use crate::store::{BindingRecord, DisabledRecord, RoleRecord};

/// The topic authz publishes every change to.
pub const TOPIC: &str = "authz.events";
/// The `source` of authz's envelopes.
pub const SOURCE: &str = "authz";
/// A role was created.
pub const ROLE_CREATED: &str = "role.created";
/// A role's permissions changed.
pub const ROLE_UPDATED: &str = "role.updated";
/// A role was deleted.
pub const ROLE_DELETED: &str = "role.deleted";
/// A subject was bound to a role.
pub const BINDING_CREATED: &str = "role_binding.created";
/// A role binding was removed.
pub const BINDING_DELETED: &str = "role_binding.deleted";
/// A subject was disabled (identity disabled the user); every check about it is denied from now on.
pub const SUBJECT_DISABLED: &str = "subject.disabled";

/// One change to roles or bindings, as published.
#[derive(Debug, Clone)]
pub enum AuthzEvent<'a> {
    /// A role was created.
    RoleCreated(&'a RoleRecord),
    /// A role's permissions were replaced; `previous` are the ones it granted before.
    RoleUpdated {
        /// The role after the change.
        role: &'a RoleRecord,
        /// The permissions before the change.
        previous: &'a [String],
    },
    /// A role was deleted.
    RoleDeleted(&'a RoleRecord),
    /// A binding was created.
    BindingCreated(&'a BindingRecord),
    /// A binding was removed.
    BindingDeleted(&'a BindingRecord),
    /// A subject was disabled.
    SubjectDisabled(&'a DisabledRecord),
}

impl AuthzEvent<'_> {
    /// The envelope's event type.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::RoleCreated(_) => ROLE_CREATED,
            Self::RoleUpdated { .. } => ROLE_UPDATED,
            Self::RoleDeleted(_) => ROLE_DELETED,
            Self::BindingCreated(_) => BINDING_CREATED,
            Self::BindingDeleted(_) => BINDING_DELETED,
            Self::SubjectDisabled(_) => SUBJECT_DISABLED,
        }
    }

    /// The message key: the role's name or the subject, so one role's (or subject's) events keep order.
    pub fn key(&self) -> &str {
        match self {
            Self::RoleCreated(role) | Self::RoleDeleted(role) | Self::RoleUpdated { role, .. } => &role.name,
            Self::BindingCreated(binding) | Self::BindingDeleted(binding) => &binding.subject,
            Self::SubjectDisabled(disabled) => &disabled.subject,
        }
    }

    fn payload(&self) -> serde_json::Value {
        match self {
            Self::RoleCreated(role) | Self::RoleDeleted(role) => json!({
                "name": role.name,
                "description": role.description,
                "permissions": role.permissions,
            }),
            Self::RoleUpdated { role, previous } => json!({
                "name": role.name,
                "permissions": role.permissions,
                "previous_permissions": previous,
            }),
            Self::BindingCreated(binding) | Self::BindingDeleted(binding) => json!({
                "id": binding.id.to_string(),
                "subject": binding.subject,
                "role": binding.role,
                "resource": (!binding.resource.is_empty()).then_some(&binding.resource),
            }),
            Self::SubjectDisabled(disabled) => json!({
                "subject": disabled.subject,
                "disabled_at": disabled.disabled_at.to_rfc3339(),
            }),
        }
    }

    /// The envelope describing this change, made by `actor`.
    pub fn envelope(&self, actor: &str) -> EventEnvelope {
        EventEnvelope::new(self.event_type(), SOURCE, self.payload()).with_actor(actor)
    }
}

/// Writes `event` to the outbox through `conn`, which must be the transaction making the change.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    event: &AuthzEvent<'_>,
    actor: &str,
) -> Result<(), kernel::outbox::OutboxError> {
    kernel::outbox::enqueue(conn, TOPIC, event.key(), &event.envelope(actor)).await
}

/// How long the consumer waits before subscribing again after the bus failed.
const RESUBSCRIBE_DELAY: Duration = Duration::from_millis(500);

/// Consumes [`TOPIC`] as consumer group `group` (one per replica, so every replica sees every event) and retires
/// the cached decisions each event makes stale, until `cancel` fires.
pub fn spawn_invalidation(
    bus: std::sync::Arc<dyn EventBus>,
    decisions: DecisionService,
    group: String,
    cancel: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                () = consume(bus.as_ref(), &decisions, &group) => {}
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(RESUBSCRIBE_DELAY) => {}
            }
        }
    })
}

/// Runs one subscription until the bus fails.
async fn consume(bus: &dyn EventBus, decisions: &DecisionService, group: &str) {
    let mut subscription = match bus.subscribe(group, &[TOPIC]).await {
        Ok(subscription) => subscription,
        Err(error) => {
            tracing::warn!(%error, "cannot subscribe to authz events; retrying");
            return;
        }
    };
    loop {
        let delivery = match subscription.next().await {
            Ok(delivery) => delivery,
            Err(error) => {
                tracing::warn!(%error, "authz events subscription failed; subscribing again");
                return;
            }
        };
        match EventEnvelope::from_bytes(&delivery.payload) {
            Ok(envelope) => invalidate(decisions, &envelope, &delivery.key).await,
            // Nothing to retire for a message that is not an authz event; it is skipped, not retried forever.
            Err(error) => tracing::warn!(%error, "skipping a malformed message on authz.events"),
        }
        if let Err(error) = subscription.commit(&delivery).await {
            tracing::warn!(%error, "could not commit an authz event; it will be handled again");
        }
    }
}

/// Retires what `envelope` made stale: everything for a role change, the subject's decisions for a binding change
/// or a disabled subject.
async fn invalidate(decisions: &DecisionService, envelope: &EventEnvelope, key: &str) {
    match envelope.event_type.as_str() {
        ROLE_CREATED | ROLE_UPDATED | ROLE_DELETED => decisions.invalidate_all().await,
        BINDING_CREATED | BINDING_DELETED | SUBJECT_DISABLED => {
            let subject = envelope
                .payload
                .get("subject")
                .and_then(serde_json::Value::as_str)
                .unwrap_or(key);
            decisions.invalidate_subject(subject).await;
        }
        other => tracing::debug!(event_type = other, "ignoring an event authz does not act on"),
    }
}
