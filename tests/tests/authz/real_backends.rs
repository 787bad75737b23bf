//! The same service on PostgreSQL and Redis: two replicas sharing one Redis see a revoke on the very next check,
//! whichever replica made it, and the management and Check paths work on PostgreSQL.

use serde_json::json;

use crate::harness::{ADMIN, Db, Harness, allowed, check, in_process_cache, redis_cache};

#[tokio::test]
#[cfg_attr(not(backend_redis), ignore = "PLATFORM_TEST_REDIS_URL is not set")]
async fn replicas_sharing_redis_stop_a_revoked_permission_on_the_very_next_check() {
    let cache = redis_cache().await;
    let h = Harness::start_with(Db::Sqlite, cache.clone()).await;
    let other = h.replica(cache).await;
    let binding = h.bind("u1", "editor", None).await;
    for _ in 0..2 {
        assert!(allowed(
            &h.check_at(&other, check("u1", "post", "publish", "1", "")).await
        ));
    }
    h.authz
        .manager()
        .unbind_role("t", &binding.id.to_string())
        .await
        .unwrap();
    // No waiting: the writer replaced the subject's generation in the shared Redis before it answered.
    let after = h.check_at(&other, check("u1", "post", "publish", "1", "")).await;
    assert!(!allowed(&after), "{}", after.reason);
    other.stop().await;
    h.finish().await;
}

#[tokio::test]
#[cfg_attr(not(backend_redis), ignore = "PLATFORM_TEST_REDIS_URL is not set")]
async fn role_change_through_redis_applies_on_the_very_next_check_of_another_replica() {
    let cache = redis_cache().await;
    let h = Harness::start_with(Db::Sqlite, cache.clone()).await;
    let other = h.replica(cache).await;
    h.bind("u2", "member", None).await;
    assert!(allowed(
        &h.check_at(&other, check("u2", "subscription", "create", "", "")).await
    ));
    h.authz
        .manager()
        .set_role_permissions("t", "member", &["post:read".to_owned()])
        .await
        .unwrap();
    assert!(!allowed(
        &h.check_at(&other, check("u2", "subscription", "create", "", "")).await
    ));
    other.stop().await;
    h.finish().await;
}

#[tokio::test]
#[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
async fn on_postgres_bindings_decide_and_a_duplicate_is_a_conflict() {
    let h = Harness::start_with(Db::Postgres, in_process_cache()).await;
    let admin = h.token(ADMIN);
    let bind = "mutation { bindRole(subject: \"u1\", role: \"editor\", resource: \"post:123\") { id resource } }";
    let body = h.graphql(Some(&admin), bind, json!({})).await;
    assert_eq!(body["data"]["bindRole"]["resource"], "post:123", "{body}");
    assert!(allowed(&h.check(check("u1", "post", "publish", "123", "")).await));
    assert!(!allowed(&h.check(check("u1", "post", "publish", "124", "")).await));
    let again = h.graphql(Some(&admin), bind, json!({})).await;
    assert_eq!(crate::harness::error_code(&again), "CONFLICT", "{again}");
    assert_eq!(h.authz_bindings("u1").await, 1);
    h.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(all(backend_postgres, backend_redis)),
    ignore = "PLATFORM_TEST_POSTGRES_URL and PLATFORM_TEST_REDIS_URL are not both set"
)]
async fn on_postgres_and_redis_a_revoke_applies_on_the_very_next_check() {
    let h = Harness::start_with(Db::Postgres, redis_cache().await).await;
    let binding = h.bind("u5", "editor", None).await;
    for _ in 0..2 {
        assert!(allowed(&h.check(check("u5", "comment", "delete", "9", "")).await));
    }
    h.authz
        .manager()
        .unbind_role("t", &binding.id.to_string())
        .await
        .unwrap();
    assert!(!allowed(&h.check(check("u5", "comment", "delete", "9", "")).await));
    h.finish().await;
}
