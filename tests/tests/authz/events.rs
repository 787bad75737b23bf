//! Every change to roles and bindings is published on `authz.events` through the outbox relay, keyed by role name
//! or subject, with the caller as actor.

use std::time::Duration;

use kernel::events::{EventBus, EventEnvelope};
use serde_json::json;

use crate::harness::{ADMIN, Harness};

#[tokio::test]
async fn each_change_is_relayed_with_its_type_key_and_actor() {
    let h = Harness::start().await;
    let mut audit = h.bus.subscribe("audit-test", &["authz.events"]).await.unwrap();
    let admin = h.token(ADMIN);
    let run = |query: &'static str, variables| {
        let h = &h;
        let admin = admin.clone();
        async move {
            let body = h.graphql(Some(&admin), query, variables).await;
            assert!(body["errors"].is_null(), "{body}");
            body
        }
    };
    run(
        "mutation { createRole(name: \"scribe\", permissions: [\"post:create\"]) { name } }",
        json!({}),
    )
    .await;
    run(
        "mutation { setRolePermissions(role: \"scribe\", permissions: [\"post:edit\"]) { name } }",
        json!({}),
    )
    .await;
    let body = run(
        "mutation { bindRole(subject: \"u7\", role: \"scribe\", resource: \"org:7\") { id } }",
        json!({}),
    )
    .await;
    let id = body["data"]["bindRole"]["id"].as_str().unwrap().to_owned();
    run(
        "mutation($id: ID!) { unbindRole(bindingId: $id) { id } }",
        json!({ "id": id }),
    )
    .await;
    run("mutation { deleteRole(name: \"scribe\") { name } }", json!({})).await;

    let mut received = Vec::new();
    while received.len() < 5 {
        let delivery = tokio::time::timeout(Duration::from_secs(5), audit.next())
            .await
            .expect("the relay publishes every change")
            .unwrap();
        let envelope = EventEnvelope::from_bytes(&delivery.payload).unwrap();
        // The bootstrap binding of the harness's admin comes first; it was made by the test setup.
        if envelope.actor.as_deref() == Some(ADMIN) {
            received.push((delivery.key, envelope));
        }
    }
    let summary: Vec<(&str, &str)> = received
        .iter()
        .map(|(key, e)| (key.as_str(), e.event_type.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("scribe", "role.created"),
            ("scribe", "role.updated"),
            ("u7", "role_binding.created"),
            ("u7", "role_binding.deleted"),
            ("scribe", "role.deleted"),
        ]
    );
    for (_, envelope) in &received {
        assert_eq!(envelope.source, "authz");
    }
    assert_eq!(received[1].1.payload["previous_permissions"], json!(["post:create"]));
    assert_eq!(received[1].1.payload["permissions"], json!(["post:edit"]));
    assert_eq!(received[2].1.payload["resource"], "org:7");
    assert_eq!(received[2].1.payload["id"], id.as_str());
    h.finish().await;
}
