//! Events become records: authz's real changes and identity's events arrive through the bus, each stored once
//! with its actor, resource, trace and origin, however often it is delivered.

use std::sync::Arc;
use std::time::Duration;

use audit::domain::Outcome;
use kernel::events::{EventBus, EventEnvelope, InProcessEventBus};
use serde_json::json;

use crate::harness::{Harness, Options, wait_for_records};

const TRACE_PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

#[tokio::test]
async fn authz_role_bindings_are_recorded_with_actor_resource_and_source() {
    let h = Harness::start_with(Options {
        authz_events: true,
        ..Options::default()
    })
    .await;
    // The harness bound two roles; authz's relay publishes both changes, and audit records them.
    wait_for_records(&h.store, 2, Duration::from_secs(10)).await;
    let binding = h
        .authz
        .manager()
        .bind_role("admin-1", "u7", "editor", Some("post:9"))
        .await
        .unwrap();
    wait_for_records(&h.store, 3, Duration::from_secs(10)).await;
    let record = h
        .store
        .all()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.resource == format!("role_binding:{}", binding.id))
        .expect("a record of the new binding");
    assert_eq!(record.actor, "admin-1");
    assert_eq!(record.action, "role_binding.created");
    assert_eq!(record.source_service, "authz");
    assert_eq!(record.outcome, Outcome::Success);
    assert_eq!(record.payload["subject"], "u7");
    assert_eq!(record.request_metadata["topic"], "authz.events");
    assert!(record.recorded_at >= record.occurred_at);
    h.finish().await;
}

#[tokio::test]
async fn an_identity_event_is_recorded_with_its_trace_id_and_origin() {
    let h = Harness::start().await;
    let envelope = EventEnvelope::new(
        identity::events::USER_CREATED,
        identity::events::SOURCE,
        json!({"id": "u42", "email": "a@b.c"}),
    )
    .with_actor("u42")
    .with_trace_parent(TRACE_PARENT);
    h.bus
        .publish(identity::events::TOPIC, envelope.to_message("u42").unwrap())
        .await
        .unwrap();
    let store = h.store.clone();
    crate::harness::eventually("the event is recorded", Duration::from_secs(10), || {
        let store = store.clone();
        async move { store.get(envelope.id).await.unwrap().is_some() }
    })
    .await;
    let record = h.store.get(envelope.id).await.unwrap().unwrap();
    assert_eq!(record.actor, "u42");
    assert_eq!(record.action, "user.created");
    assert_eq!(record.resource, "user:u42");
    assert_eq!(record.source_service, "identity");
    assert_eq!(record.trace_id.as_deref(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
    assert_eq!(
        record.occurred_at.timestamp_micros(),
        envelope.occurred_at.timestamp_micros()
    );
    assert_eq!(record.request_metadata["key"], "u42");
    assert_eq!(record.payload["email"], "a@b.c");
    h.finish().await;
}

#[tokio::test]
async fn a_redelivered_event_is_stored_once() {
    let h = Harness::start().await;
    let bus = h.bus.clone();
    let envelope = EventEnvelope::new("user.updated", "identity", json!({"id": "u1"}));
    for _ in 0..3 {
        bus.publish("identity.events", envelope.to_message("u1").unwrap())
            .await
            .unwrap();
    }
    let metrics = h.audit().consumer_metrics().clone();
    crate::harness::eventually("three deliveries are handled", Duration::from_secs(10), || {
        let handled = metrics.stored() + metrics.duplicates();
        async move { handled == 3 }
    })
    .await;
    assert_eq!(h.store.ids().await.unwrap(), vec![envelope.id]);
    assert_eq!(h.counter("audit_events_stored").await, 1);
    assert_eq!(h.counter("audit_events_duplicate").await, 2);
    h.finish().await;
}

#[tokio::test]
async fn a_killed_consumers_uncommitted_events_come_again_and_are_stored_once_and_a_stopped_ones_do_not() {
    let bus = InProcessEventBus::new();
    let mut options = Options {
        bus: Some(Arc::new(bus.clone())),
        ..Options::default()
    };
    // Nothing is committed until the consumer stops gracefully: a kill leaves every delivery uncommitted.
    options.consumer.commit_every = 10_000;
    options.consumer.commit_idle_ms = 600_000;
    let mut h = Harness::start_with(options).await;
    let envelopes: Vec<EventEnvelope> = (0..50)
        .map(|n| EventEnvelope::new("user.updated", "identity", json!({"id": format!("u{n}")})))
        .collect();
    for envelope in &envelopes {
        bus.publish("identity.events", envelope.to_message("k").unwrap())
            .await
            .unwrap();
    }
    wait_for_records(&h.store, 50, Duration::from_secs(10)).await;
    h.take_audit().kill().await;

    let second = h.start_audit().await;
    let metrics = second.consumer_metrics().clone();
    crate::harness::eventually("the uncommitted deliveries come again", Duration::from_secs(10), || {
        let duplicates = metrics.duplicates();
        async move { duplicates == 50 }
    })
    .await;
    assert_eq!(metrics.stored(), 0);
    assert_eq!(h.store.count().await.unwrap(), 50);
    // A graceful stop commits what was stored, so the next consumer starts after it.
    second.stop().await;
    let third = h.start_audit().await;
    let last = EventEnvelope::new("user.updated", "identity", json!({"id": "last"}));
    bus.publish("identity.events", last.to_message("k").unwrap())
        .await
        .unwrap();
    wait_for_records(&h.store, 51, Duration::from_secs(10)).await;
    assert_eq!(third.consumer_metrics().duplicates(), 0);
    assert_eq!(third.consumer_metrics().stored(), 1);
    let mut ids = h.store.ids().await.unwrap();
    ids.sort();
    let mut expected: Vec<_> = envelopes.iter().map(|e| e.id).chain([last.id]).collect();
    expected.sort();
    assert_eq!(ids, expected);
    h.set_audit(third);
    h.finish().await;
}
