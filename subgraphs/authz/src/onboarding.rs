//! Onboarding: every user who signs up gets the default roles (`member`), bound when identity's `user.created`
//! event arrives. One consumer group shared by every replica, so each user is onboarded once; a binding that
//! already exists counts as done, so a redelivered event changes nothing.

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
/// How long to wait before retrying a store failure or subscribing again.
const RETRY_DELAY: Duration = Duration::from_millis(500);

/// The `[onboarding]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnboardingConfig {
    /// Roles every new user is bound to globally; empty turns onboarding off.
    #[serde(default = "default_roles")]
    pub default_roles: Vec<String>,
    /// Where identity publishes `user.created`.
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

/// Consumes `config.topic` and binds each new user to the default roles, until `cancel` fires.
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
        // roles could not use the platform.
        while let Err(error) = onboard(manager, &config.default_roles, &delivery).await {
            tracing::warn!(%error, "onboarding a new user failed; retrying");
            tokio::time::sleep(RETRY_DELAY).await;
        }
        if let Err(error) = subscription.commit(&delivery).await {
            tracing::warn!(%error, "could not commit a user event; it will be handled again");
        }
    }
}

/// Binds the user of a `user.created` delivery to `roles`; other events and malformed messages are skipped.
async fn onboard(manager: &RoleManager, roles: &[String], delivery: &Delivery) -> Result<(), AuthzError> {
    let Ok(envelope) = EventEnvelope::from_bytes(&delivery.payload) else {
        tracing::warn!(topic = %delivery.topic, offset = delivery.offset, "skipping a malformed user event");
        return Ok(());
    };
    if envelope.event_type != USER_CREATED {
        return Ok(());
    }
    let Some(user) = envelope.payload.get("id").and_then(serde_json::Value::as_str) else {
        tracing::warn!(event = %envelope.id, "a user.created event names no user id; skipping it");
        return Ok(());
    };
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
