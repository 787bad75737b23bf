//! Disabled users and who may ask about whom: identity's `user.disabled` makes every check about the user a denial
//! (even of what it owns), published as `subject.disabled`; a user's own token may only ask about that user.

use std::time::Duration;

use kernel::events::{EventBus, EventEnvelope};
use proto::authz::v1::{BatchCheckRequest, ListPermissionsRequest, Subject};
use serde_json::json;

use crate::harness::{Db, Harness, allowed, check, eventually, redis_cache};

/// Publishes identity's `user.disabled` for `user`, made by `admin`, as identity's relay would.
async fn publish_user_disabled(h: &Harness, user: &str, admin: &str) {
    let envelope =
        EventEnvelope::new("user.disabled", "identity", json!({ "id": user, "status": "disabled" })).with_actor(admin);
    h.bus
        .publish("identity.events", envelope.to_message(user).unwrap())
        .await
        .unwrap();
}

fn grpc_with<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let value = format!("Bearer {token}");
    request.metadata_mut().insert("authorization", value.parse().unwrap());
    request
}

#[tokio::test]
async fn a_disabled_user_is_denied_what_its_roles_and_ownership_allowed_and_the_change_is_published_once() {
    let h = Harness::start().await;
    let mut published = h.bus.subscribe("disabled-test", &["authz.events"]).await.unwrap();
    h.bind("u1", "member", None).await;
    let create = check("u1", "post", "create", "", "");
    let pay_own = check("u1", "invoice", "pay", "9", "u1");
    assert!(allowed(&h.check(create.clone()).await));
    assert!(allowed(&h.check(pay_own.clone()).await));

    publish_user_disabled(&h, "u1", "admin-7").await;
    // Redelivered, then a sign-up behind it: once that user is onboarded, both were handled.
    publish_user_disabled(&h, "u1", "admin-7").await;
    let created = EventEnvelope::new("user.created", "identity", json!({ "id": "u9" }));
    h.bus
        .publish("identity.events", created.to_message("u9").unwrap())
        .await
        .unwrap();
    eventually("u9 is onboarded", || async { h.authz_bindings("u9").await == 1 }).await;
    let denied = h.check(create).await;
    assert!(!allowed(&denied), "{denied:?}");
    let denied = h.check(pay_own).await;
    assert!(!allowed(&denied));
    assert_eq!(
        denied.reason,
        "denied: `u1` is disabled, so nothing grants `invoice:pay`"
    );
    assert_eq!(h.authz_bindings("u1").await, 1, "its bindings are kept, for the record");
    assert!(h.authz.manager().is_disabled("u1").await.unwrap());
    assert!(!h.authz.manager().is_disabled("u9").await.unwrap());
    assert_eq!(
        h.count("SELECT COUNT(*) AS n FROM outbox WHERE envelope LIKE '%subject.disabled%'")
            .await,
        1,
        "a redelivered user.disabled changes and publishes nothing"
    );

    let mut client = Harness::grpc_at(&h.authz).await;
    let listed = client
        .list_permissions(h.authed(ListPermissionsRequest {
            subject: Some(Subject {
                id: "u1".to_owned(),
                kind: "user".to_owned(),
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(listed.roles.is_empty() && listed.grants.is_empty(), "{listed:?}");

    let disabled = loop {
        let delivery = tokio::time::timeout(Duration::from_secs(10), published.next())
            .await
            .expect("the relay publishes the change")
            .unwrap();
        let envelope = EventEnvelope::from_bytes(&delivery.payload).unwrap();
        if envelope.event_type == "subject.disabled" {
            assert_eq!(delivery.key, "u1");
            break envelope;
        }
    };
    assert_eq!(disabled.actor.as_deref(), Some("admin-7"));
    assert_eq!(disabled.payload["subject"], "u1");
    h.finish().await;
}

#[tokio::test]
async fn a_user_token_asking_about_another_subject_is_permission_denied_and_recorded() {
    let h = Harness::start().await;
    let mut published = h.bus.subscribe("spoof-test", &["authz.events"]).await.unwrap();
    h.bind("u1", "member", None).await;
    let u2 = h.token("u2");
    let mut client = Harness::grpc_at(&h.authz).await;

    let own = client
        .check(grpc_with(check("u2", "post", "create", "", ""), &u2))
        .await
        .unwrap()
        .into_inner();
    assert!(!allowed(&own), "u2 holds no role, and may ask so about itself");

    let spoofed = client
        .check(grpc_with(check("u1", "post", "create", "", ""), &u2))
        .await
        .unwrap_err();
    assert_eq!(spoofed.code(), tonic::Code::PermissionDenied, "{spoofed}");
    assert!(
        !spoofed.message().contains("member"),
        "nothing about u1 leaks: {spoofed}"
    );
    let batch = BatchCheckRequest {
        checks: vec![
            check("u2", "post", "read", "1", ""),
            check("u1", "post", "read", "1", ""),
        ],
    };
    let status = client.batch_check(grpc_with(batch, &u2)).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status}");
    let listing = ListPermissionsRequest {
        subject: Some(Subject {
            id: "u1".to_owned(),
            kind: "user".to_owned(),
        }),
    };
    let status = client.list_permissions(grpc_with(listing, &u2)).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status}");

    let mut denials = Vec::new();
    while denials.len() < 3 {
        let delivery = tokio::time::timeout(Duration::from_secs(10), published.next())
            .await
            .expect("every refusal is recorded")
            .unwrap();
        let envelope = EventEnvelope::from_bytes(&delivery.payload).unwrap();
        if envelope.event_type == "access.denied" {
            denials.push(envelope);
        }
    }
    let actions: Vec<&str> = denials.iter().map(|e| e.payload["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["permission:check", "permission:check", "permission:list"]);
    for denial in &denials {
        assert_eq!(denial.actor.as_deref(), Some("u2"));
        assert_eq!(denial.source, "authz");
        assert_eq!(denial.payload["resource"], "subject:u1");
        assert_eq!(denial.payload["outcome"], "denied");
    }
    h.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(all(backend_postgres, backend_redis)),
    ignore = "PLATFORM_TEST_POSTGRES_URL and PLATFORM_TEST_REDIS_URL are not both set"
)]
async fn on_postgres_a_disabled_user_is_denied_on_the_very_next_check_of_a_replica_sharing_redis() {
    let cache = redis_cache().await;
    let h = Harness::start_with(Db::Postgres, cache.clone()).await;
    let other = h.replica(cache).await;
    h.bind("u1", "member", None).await;
    let read_own = check("u1", "invoice", "read", "9", "u1");
    for _ in 0..2 {
        // The second answer comes from the shared cache.
        assert!(allowed(&h.check_at(&other, read_own.clone()).await));
    }
    let disabled = h.authz.manager().disable_subject("admin-7", "u1").await.unwrap();
    assert!(disabled.is_some());
    assert!(
        h.authz
            .manager()
            .disable_subject("admin-7", "u1")
            .await
            .unwrap()
            .is_none()
    );
    // No waiting: the subject's generation in the shared Redis was replaced before the change was answered.
    let after = h.check_at(&other, read_own).await;
    assert!(!allowed(&after), "{}", after.reason);
    other.stop().await;
    h.finish().await;
}
