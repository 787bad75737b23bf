//! [`DenialRecorder`] into the service's own outbox: when audit cannot be reached, the denial becomes an
//! `access.denied` event that the relay publishes once the bus is up, and audit's consumer stores it under the
//! same id a `Record` call would have used, so a denial recorded both ways is stored once.

use sea_orm::DatabaseConnection;
use secrecy::SecretString;
use serde_json::{Value, json};

use super::{AccessError, Denial, DenialRecorder};
use crate::events::{ACCESS_DENIED_EVENT, EventEnvelope};

/// Records denials as events in a service's outbox.
#[derive(Debug, Clone)]
pub struct OutboxDenials {
    conn: DatabaseConnection,
    topic: String,
}

impl OutboxDenials {
    /// Writes denials into the outbox of `conn`, to be published on `topic` (the service's own events topic).
    pub fn new(conn: DatabaseConnection, topic: impl Into<String>) -> Self {
        Self {
            conn,
            topic: topic.into(),
        }
    }
}

/// The event payload of `denial`: what was refused and why, marked with the denied outcome.
pub(super) fn payload(denial: &Denial) -> Value {
    json!({
        "outcome": "denied",
        "action": denial.action,
        "resource": denial.resource,
        "reason": denial.reason,
        "client_address": denial.client_address.map(|address| address.to_string()),
    })
}

#[async_trait::async_trait]
impl DenialRecorder for OutboxDenials {
    async fn record(&self, denial: &Denial, _token: &SecretString) -> Result<(), AccessError> {
        let mut envelope = EventEnvelope::new(ACCESS_DENIED_EVENT, denial.service.clone(), payload(denial))
            .with_actor(denial.actor.clone())
            .with_occurred_at(denial.occurred_at);
        envelope.id = denial.id;
        crate::outbox::enqueue(&self.conn, &self.topic, &denial.actor, &envelope).await?;
        Ok(())
    }
}
