//! The contract against the real etcd server, plus what only a lease-based registry does.

use std::time::Instant;

use kernel::registry::{EtcdConfig, EtcdRegistry, RegistryBackend, RegistryConfig};
use platform_tests::etcd_url;

use super::*;

/// A registry under a prefix no other test uses, so a failed test's leftovers cannot disturb another.
async fn registry_with_ttl(lease_ttl_secs: u64) -> EtcdRegistry {
    let config = EtcdConfig {
        endpoints: vec![etcd_url()],
        prefix: format!("/platform-tests/{}", unique_name("registry")),
        lease_ttl_secs,
        ..EtcdConfig::default()
    };
    EtcdRegistry::connect(&config).await.expect("connect to etcd")
}

async fn make() -> Arc<dyn ServiceRegistry> {
    Arc::new(registry_with_ttl(5).await)
}

contract_tests!(make, #[cfg_attr(not(backend_etcd), ignore = "PLATFORM_TEST_ETCD_URL is not set")]);

#[tokio::test]
#[cfg_attr(not(backend_etcd), ignore = "PLATFORM_TEST_ETCD_URL is not set")]
async fn an_instance_whose_lease_is_not_kept_alive_disappears_after_the_ttl() {
    let registry = registry_with_ttl(2).await;
    let service = unique_name("svc");
    let mut watch = registry.watch(&service).await.unwrap();
    let registration = registry.register(instance(&service, 4600)).await.unwrap();
    watch.wait_for(|list| !list.is_empty()).await.unwrap();

    // Dropping the registration stops the keep-alive without revoking, as when the process dies.
    drop(registration);
    let dropped_at = Instant::now();
    assert_eq!(
        registry.resolve(&service).await.unwrap().len(),
        1,
        "still listed until the lease runs out"
    );

    tokio::time::timeout(WATCH_TIMEOUT, watch.wait_for(<[ServiceInstance]>::is_empty))
        .await
        .expect("the instance disappears once the lease expires")
        .unwrap();
    let gone_after = dropped_at.elapsed();
    assert!(
        gone_after >= Duration::from_secs(1),
        "removed by lease expiry, not at once: {gone_after:?}"
    );
    assert!(registry.resolve(&service).await.unwrap().is_empty());
}

#[tokio::test]
#[cfg_attr(not(backend_etcd), ignore = "PLATFORM_TEST_ETCD_URL is not set")]
async fn a_kept_alive_instance_outlives_its_lease_ttl() {
    let registry = registry_with_ttl(2).await;
    let service = unique_name("svc");
    let registration = registry.register(instance(&service, 4700)).await.unwrap();

    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        registry.resolve(&service).await.unwrap().len(),
        1,
        "the keep-alive task renewed the lease"
    );
    registration.deregister().await.unwrap();
    assert!(
        registry.resolve(&service).await.unwrap().is_empty(),
        "revoking the lease removes the key at once"
    );
}

#[tokio::test]
#[cfg_attr(not(backend_etcd), ignore = "PLATFORM_TEST_ETCD_URL is not set")]
async fn connect_builds_the_etcd_registry_from_config() {
    let config = RegistryConfig {
        backend: RegistryBackend::Etcd,
        etcd: EtcdConfig {
            endpoints: vec![etcd_url()],
            prefix: format!("/platform-tests/{}", unique_name("registry")),
            ..EtcdConfig::default()
        },
        ..RegistryConfig::default()
    };
    let registry = kernel::registry::connect(&config).await.unwrap();
    behaviours::register_then_resolve_finds_it(registry).await;
}

#[tokio::test]
async fn connecting_to_an_unreachable_etcd_fails_within_the_timeout() {
    let config = EtcdConfig {
        endpoints: vec![format!("http://127.0.0.1:{}", platform_tests::free_port())],
        connect_timeout_ms: 500,
        ..EtcdConfig::default()
    };
    let started = Instant::now();
    assert!(EtcdRegistry::connect(&config).await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}
