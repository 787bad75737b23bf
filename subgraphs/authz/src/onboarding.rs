//! Following identity's users: every user who signs up gets the default roles (`member`), bound when identity's
//! `user.created` event arrives, and every user identity disables is disabled here too when `user.disabled`
//! arrives, so their access tokens, still valid until they expire, are denied everything. One consumer group
//! shared by every replica, so each event is handled once; a binding (or a disabled subject) that already exists
//! counts as done, so a redelivered event changes nothing.

use std::sync::Arc;
use std::time::Duration;

use kernel::events::{Delivery, EventBus, EventEnvelope};
use serde::Deserialize;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::error::AuthzError;
use crate::management::RoleManager;

/// The actor recorded on bindings made by onboarding.
pub const ONBOARDING_ACTOR: &str = "authz:onboarding";
/// identity's event for a new user.
const USER_CREATED: &str = "user.created";
/// identity's event for a user an administrator disabled.
const USER_DISABLED: &str = "user.disabled";
/// The actor recorded for a disabled user when identity's event names none.
const IDENTITY_ACTOR: &str = "identity";
/// How long to wait before retrying a store failure or subscribing again.
const RETRY_DELAY: Duration = Duration::from_millis(500);

/// The `[onboarding]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnboardingConfig {
    /// Roles every new user is bound to globally; empty binds none (disabled users are still followed).
    #[serde(default = "default_roles")]
    pub default_roles: Vec<String>,
    /// Where identity publishes `user.created` and `user.disabled`.
    #[serde(default = "default_topic")]
    pub topic: String,
    /// The consumer group, shared by every replica.
    #[serde(default = "default_group")]
    pub group: String,
}

fn default_roles() -> Vec<String> {
    vec!["member".to_owned()]
}

fn default_topic() -> String {
    "identity.events".to_owned()
}

fn default_group() -> String {
    "authz-onboarding".to_owned()
}

impl Default for OnboardingConfig {
    fn default() -> Self {
        Self {
            default_roles: default_roles(),
            topic: default_topic(),
            group: default_group(),
        }
    }
}

/// Consumes `config.topic`, binding each new user to the default roles and disabling each disabled user, until
/// `cancel` fires.
pub fn spawn(
    bus: Arc<dyn EventBus>,
    manager: RoleManager,
    config: OnboardingConfig,
    cancel: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                () = consume(bus.as_ref(), &manager, &config) => {}
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(RETRY_DELAY) => {}
            }
        }
    })
}

/// Runs one subscription until the bus fails.
async fn consume(bus: &dyn EventBus, manager: &RoleManager, config: &OnboardingConfig) {
    let mut subscription = match bus.subscribe(&config.group, &[config.topic.as_str()]).await {
        Ok(subscription) => subscription,
        Err(error) => {
            tracing::warn!(%error, topic = %config.topic, "cannot subscribe to user events; retrying");
            return;
        }
    };
    loop {
        let delivery = match subscription.next().await {
            Ok(delivery) => delivery,
            Err(error) => {
                tracing::warn!(%error, "user events subscription failed; subscribing again");
                return;
            }
        };
        // A store failure is retried (the event is not committed) rather than skipped: a user left without
        // roles could not use the platform, and a disabled user left enabled could go on using it.
        while let Err(error) = follow(manager, &config.default_roles, &delivery).await {
            tracing::warn!(%error, "handling a user event failed; retrying");
            tokio::time::sleep(RETRY_DELAY).await;
        }
        if let Err(error) = subscription.commit(&delivery).await {
            tracing::warn!(%error, "could not commit a user event; it will be handled again");
        }
    }
}

/// Handles one delivery: `user.created` binds the user to `roles`, `user.disabled` disables it; other events and
/// malformed messages are skipped.
async fn follow(manager: &RoleManager, roles: &[String], delivery: &Delivery) -> Result<(), AuthzError> {
    let Ok(envelope) = EventEnvelope::from_bytes(&delivery.payload) else {
        tracing::warn!(topic = %delivery.topic, offset = delivery.offset, "skipping a malformed user event");
        return Ok(());
    };
    if envelope.event_type != USER_CREATED && envelope.event_type != USER_DISABLED {
        return Ok(());
    }
    let Some(user) = envelope.payload.get("id").and_then(serde_json::Value::as_str) else {
        let event_type = &envelope.event_type;
        tracing::warn!(event = %envelope.id, %event_type, "a user event names no user id; skipping it");
        return Ok(());
    };
    if envelope.event_type == USER_DISABLED {
        let actor = envelope.actor.as_deref().unwrap_or(IDENTITY_ACTOR);
        return disable(manager, actor, user).await;
    }
    onboard(manager, roles, user).await
}

/// Disables `user` on behalf of `actor`.
async fn disable(manager: &RoleManager, actor: &str, user: &str) -> Result<(), AuthzError> {
    match manager.disable_subject(actor, user).await {
        Ok(Some(_)) => {
            tracing::info!(user, actor, "user disabled; every check about it is denied from now on");
            Ok(())
        }
        Ok(None) => Ok(()),
        // A user id authz cannot take is not going to become valid on retry.
        Err(AuthzError::InvalidInput(error)) => {
            tracing::warn!(%error, user, "cannot disable this user id; skipping it");
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// Binds `user` to `roles`.
async fn onboard(manager: &RoleManager, roles: &[String], user: &str) -> Result<(), AuthzError> {
    for role in roles {
        match manager.bind_role(ONBOARDING_ACTOR, user, role, None).await {
            Ok(_) | Err(AuthzError::Conflict(_)) => {}
            // A user id authz cannot take is not going to become valid on retry.
            Err(AuthzError::InvalidInput(error)) => {
                tracing::warn!(%error, user, "cannot onboard this user id; skipping it");
                return Ok(());
            }
            // A configured role that does not exist is a configuration mistake retrying cannot fix.
            Err(AuthzError::NotFound(error)) => {
                tracing::error!(%error, role, "onboarding.default_roles names a role that does not exist");
            }
            Err(error) => return Err(error),
        }
    }
    Ok(())
}
