//! Cached decisions never outlive the change that made them wrong: the very next check after a revoke (or a role
//! change) decides anew on the replica that made the change, and other replicas drop theirs when the event
//! arrives. The decision TTL is an hour in these tests, so only invalidation can explain a changed answer.

use serde_json::json;

use crate::harness::{ADMIN, Harness, allowed, check, eventually, in_process_cache};

const UNBIND: &str = "mutation($id: ID!) { unbindRole(bindingId: $id) { id } }";
const SET_PERMISSIONS: &str =
    "mutation($role: String!, $p: [String!]!) { setRolePermissions(role: $role, permissions: $p) { name } }";

#[tokio::test]
async fn revoked_binding_stops_allowing_on_the_very_next_check() {
    let h = Harness::start().await;
    let binding = h.bind("u1", "editor", None).await;
    // Twice, so the second answer comes from the cache.
    for _ in 0..2 {
        assert!(allowed(&h.check(check("u1", "post", "publish", "1", "")).await));
    }
    let body = h
        .graphql(Some(&h.token(ADMIN)), UNBIND, json!({ "id": binding.id.to_string() }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let after = h.check(check("u1", "post", "publish", "1", "")).await;
    assert!(!allowed(&after), "still allowed after the revoke: {}", after.reason);
    h.finish().await;
}

#[tokio::test]
async fn changed_role_permissions_apply_on_the_very_next_check() {
    let h = Harness::start().await;
    h.authz
        .manager()
        .create_role("t", "publisher", "", &["post:publish".to_owned()])
        .await
        .unwrap();
    h.bind("u2", "publisher", None).await;
    for _ in 0..2 {
        assert!(allowed(&h.check(check("u2", "post", "publish", "1", "")).await));
    }
    let body = h
        .graphql(
            Some(&h.token(ADMIN)),
            SET_PERMISSIONS,
            json!({ "role": "publisher", "p": ["post:read"] }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(!allowed(&h.check(check("u2", "post", "publish", "1", "")).await));
    assert!(allowed(&h.check(check("u2", "post", "read", "1", "")).await));
    h.finish().await;
}

#[tokio::test]
async fn new_binding_allows_on_the_very_next_check() {
    let h = Harness::start().await;
    assert!(!allowed(&h.check(check("u3", "post", "create", "", "")).await));
    h.bind("u3", "member", None).await;
    assert!(allowed(&h.check(check("u3", "post", "create", "", "")).await));
    h.finish().await;
}

#[tokio::test]
async fn another_replica_with_its_own_cache_drops_stale_decisions_when_the_event_arrives() {
    let h = Harness::start().await;
    let other = h.replica(in_process_cache()).await;
    let binding = h.bind("u4", "editor", None).await;
    // The other replica's consumer has seen the binding once its cache stops answering "denied".
    eventually("the other replica sees the new binding", || async {
        allowed(&h.check_at(&other, check("u4", "post", "publish", "1", "")).await)
    })
    .await;
    h.authz
        .manager()
        .unbind_role("t", &binding.id.to_string())
        .await
        .unwrap();
    assert!(!allowed(&h.check(check("u4", "post", "publish", "1", "")).await));
    eventually("the other replica drops its cached decision", || async {
        !allowed(&h.check_at(&other, check("u4", "post", "publish", "1", "")).await)
    })
    .await;
    other.stop().await;
    h.finish().await;
}
