//! Contract suite for `kernel::registry`: one set of behaviours, run against every adapter.
//!
//! - `static_registry`: the embedded adapter, always run.
//! - `etcd`: the real etcd server at `PLATFORM_TEST_ETCD_URL` (kernel feature `etcd`); reported skipped when the
//!   variable or the feature is missing.
//! - `consul`: an HTTP-level check of the Consul adapter against `consul_http_api_double`, an in-test server for
//!   the agent and health endpoints — not a real Consul agent, since none can be installed where this suite runs.

// Each test binary is handed every dev-dependency of the crate, and this one needs only some of them.
#![allow(unused_crate_dependencies)]

#[path = "registry_contract/consul_http_api_double.rs"]
mod consul_http_api_double;

use std::sync::Arc;
use std::time::Duration;

use kernel::registry::{HealthCheckSpec, RegistryError, ServiceInstance, ServiceRegistry};
use platform_tests::unique_name;

/// Upper bound for a watch to report a change, so a broken watch fails the test instead of hanging it.
const WATCH_TIMEOUT: Duration = Duration::from_secs(10);

fn instance(service: &str, port: u16) -> ServiceInstance {
    ServiceInstance::new(unique_name("inst"), service, "127.0.0.1", port)
        .with_endpoint("grpc", port + 1)
        .with_metadata("version", "1.2.0")
        .with_health_check(HealthCheckSpec {
            http_url: format!("http://127.0.0.1:{port}/health"),
            interval_ms: 10_000,
            timeout_ms: 1_000,
            deregister_after_ms: 60_000,
        })
}

fn ids(instances: &[ServiceInstance]) -> Vec<&str> {
    instances.iter().map(|i| i.id.as_str()).collect()
}

fn sorted_ids<'a>(instances: &[&'a ServiceInstance]) -> Vec<&'a str> {
    let mut ids: Vec<_> = instances.iter().map(|i| i.id.as_str()).collect();
    ids.sort_unstable();
    ids
}

/// The behaviours every adapter must show; each takes the registry under test.
mod behaviours {
    use super::*;

    pub async fn register_then_resolve_finds_it(registry: Arc<dyn ServiceRegistry>) {
        let service = unique_name("svc");
        let registered = instance(&service, 4100);
        let registration = registry.register(registered.clone()).await.unwrap();
        assert_eq!(registration.instance().id, registered.id);

        let resolved = registry.resolve(&service).await.unwrap();
        assert_eq!(ids(&resolved), vec![registered.id.as_str()]);
        let found = &resolved[0];
        assert_eq!(
            (found.service.as_str(), found.host.as_str(), found.port),
            (service.as_str(), "127.0.0.1", 4100)
        );
        assert_eq!(found.endpoints, registered.endpoints);
        assert_eq!(found.metadata, registered.metadata);
        registration.deregister().await.unwrap();
    }

    pub async fn two_instances_are_both_resolved(registry: Arc<dyn ServiceRegistry>) {
        let service = unique_name("svc");
        let (first, second) = (instance(&service, 4200), instance(&service, 4202));
        let first_registration = registry.register(first.clone()).await.unwrap();
        let second_registration = registry.register(second.clone()).await.unwrap();

        let resolved = registry.resolve(&service).await.unwrap();
        assert_eq!(ids(&resolved), sorted_ids(&[&first, &second]), "both, sorted by id");
        first_registration.deregister().await.unwrap();
        second_registration.deregister().await.unwrap();
    }

    pub async fn deregister_removes_it(registry: Arc<dyn ServiceRegistry>) {
        let service = unique_name("svc");
        let (leaving, staying) = (instance(&service, 4300), instance(&service, 4302));
        let leaving_registration = registry.register(leaving).await.unwrap();
        let staying_registration = registry.register(staying.clone()).await.unwrap();

        leaving_registration.deregister().await.unwrap();
        assert_eq!(
            ids(&registry.resolve(&service).await.unwrap()),
            vec![staying.id.as_str()]
        );
        staying_registration.deregister().await.unwrap();
        assert!(registry.resolve(&service).await.unwrap().is_empty());
    }

    pub async fn watch_sees_register_and_deregister(registry: Arc<dyn ServiceRegistry>) {
        let service = unique_name("svc");
        let mut watch = registry.watch(&service).await.unwrap();
        assert_eq!(watch.service(), service);
        assert!(watch.current().is_empty(), "nothing registered yet");

        let registered = instance(&service, 4400);
        let registration = registry.register(registered.clone()).await.unwrap();
        let seen = tokio::time::timeout(WATCH_TIMEOUT, watch.wait_for(|list| !list.is_empty()))
            .await
            .expect("the watch reports the registration")
            .unwrap();
        assert_eq!(ids(&seen), vec![registered.id.as_str()]);

        registration.deregister().await.unwrap();
        tokio::time::timeout(WATCH_TIMEOUT, watch.wait_for(<[ServiceInstance]>::is_empty))
            .await
            .expect("the watch reports the deregistration")
            .unwrap();
    }

    pub async fn names_are_isolated(registry: Arc<dyn ServiceRegistry>) {
        let service = unique_name("svc");
        // Shares `service` as a prefix, so key- or path-prefix matching without a separator would mix them up.
        let neighbour = format!("{service}-admin");
        let mut neighbour_watch = registry.watch(&neighbour).await.unwrap();
        let own = registry.register(instance(&service, 4500)).await.unwrap();
        let other = registry.register(instance(&neighbour, 4502)).await.unwrap();

        assert_eq!(
            ids(&registry.resolve(&service).await.unwrap()),
            vec![own.instance().id.as_str()]
        );
        assert_eq!(
            ids(&registry.resolve(&neighbour).await.unwrap()),
            vec![other.instance().id.as_str()]
        );
        let seen = tokio::time::timeout(WATCH_TIMEOUT, neighbour_watch.wait_for(|list| !list.is_empty()))
            .await
            .expect("the watch reports its own service")
            .unwrap();
        assert_eq!(ids(&seen), vec![other.instance().id.as_str()]);
        assert!(
            registry.resolve(&unique_name("svc")).await.unwrap().is_empty(),
            "an unknown name has none"
        );
        own.deregister().await.unwrap();
        other.deregister().await.unwrap();
    }

    pub async fn a_service_name_that_could_escape_its_namespace_is_refused(registry: Arc<dyn ServiceRegistry>) {
        for name in ["", "../other", "a/b", "a b"] {
            assert!(
                matches!(registry.resolve(name).await, Err(RegistryError::InvalidInstance(_))),
                "{name:?}"
            );
        }
        let escaping = ServiceInstance::new("x", "svc/../../other", "127.0.0.1", 1);
        assert!(matches!(
            registry.register(escaping).await,
            Err(RegistryError::InvalidInstance(_))
        ));
    }
}

/// Generates one test per behaviour for an adapter; `$make` builds a fresh registry, `$attr` marks every test.
macro_rules! contract_tests {
    ($make:path $(, #[$attr:meta])*) => {
        contract_tests!(@each $make, [$(#[$attr])*],
            register_then_resolve_finds_it,
            two_instances_are_both_resolved,
            deregister_removes_it,
            watch_sees_register_and_deregister,
            names_are_isolated,
            a_service_name_that_could_escape_its_namespace_is_refused
        );
    };
    (@each $make:path, $attrs:tt, $($behaviour:ident),*) => {
        $( contract_tests!(@one $make, $attrs, $behaviour); )*
    };
    (@one $make:path, [$(#[$attr:meta])*], $behaviour:ident) => {
        #[tokio::test]
        $(#[$attr])*
        async fn $behaviour() {
            crate::behaviours::$behaviour($make().await).await;
        }
    };
}

mod static_registry {
    use kernel::registry::{RegistryConfig, StaticRegistry};

    use super::*;

    async fn make() -> Arc<dyn ServiceRegistry> {
        Arc::new(StaticRegistry::new())
    }

    contract_tests!(make);

    #[tokio::test]
    async fn connect_serves_the_configured_addresses() {
        let config: RegistryConfig = serde_json::from_value(serde_json::json!({
            "backend": "static",
            "static": {"services": {"blog": ["127.0.0.1:4004", "127.0.0.1:4104"]}}
        }))
        .unwrap();
        let registry = kernel::registry::connect(&config).await.unwrap();
        let ports: Vec<u16> = registry.resolve("blog").await.unwrap().iter().map(|i| i.port).collect();
        assert_eq!(ports, vec![4004, 4104]);
    }
}

#[cfg(feature = "etcd")]
#[path = "registry_contract/etcd.rs"]
mod etcd;

#[cfg(not(feature = "etcd"))]
mod etcd {
    #[test]
    #[ignore = "built without the etcd feature"]
    fn etcd_contract() {}
}

#[path = "registry_contract/consul.rs"]
mod consul;
