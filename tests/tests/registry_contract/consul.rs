//! The contract for the Consul adapter at the HTTP API level, against `consul_http_api_double` (not a real
//! Consul agent), plus what is specific to Consul's API: ACL tokens, the check definition, blocking queries.

use kernel::registry::{ConsulConfig, ConsulRegistry, RegistryBackend, RegistryConfig};
use secrecy::SecretString;

use super::consul_http_api_double::ConsulHttpApiDouble;
use super::*;

const TOKEN: &str = "double-acl-token";

fn config(double: &ConsulHttpApiDouble, token: Option<&str>) -> ConsulConfig {
    ConsulConfig {
        address: double.address.clone(),
        token: token.map(SecretString::from),
        // Short, so the idle watch below re-asks a few times within the test.
        watch_wait_secs: 1,
        ..ConsulConfig::default()
    }
}

async fn make() -> Arc<dyn ServiceRegistry> {
    let double = ConsulHttpApiDouble::start(Some(TOKEN)).await;
    Arc::new(
        ConsulRegistry::connect(&config(&double, Some(TOKEN)))
            .await
            .expect("connect to the double"),
    )
}

contract_tests!(make);

#[tokio::test]
async fn requests_without_the_acl_token_are_refused_by_the_agent() {
    let double = ConsulHttpApiDouble::start(Some(TOKEN)).await;
    let registry = ConsulRegistry::new(&config(&double, None)).unwrap();
    let refused = registry
        .register(instance(&unique_name("svc"), 4800))
        .await
        .err()
        .unwrap();
    assert!(
        matches!(refused, RegistryError::ConsulStatus { status: 403, .. }),
        "{refused}"
    );
    assert!(ConsulRegistry::connect(&config(&double, None)).await.is_err());
}

#[tokio::test]
async fn registration_sends_the_http_check_with_deregister_after() {
    let double = ConsulHttpApiDouble::start(None).await;
    let registry = ConsulRegistry::connect(&config(&double, None)).await.unwrap();
    let registered = instance(&unique_name("svc"), 4900);
    let registration = registry.register(registered.clone()).await.unwrap();

    let body = double
        .registration(&registered.id)
        .await
        .expect("the agent received the registration");
    assert_eq!(body["Name"], registered.service.as_str());
    assert_eq!(body["Check"]["HTTP"], "http://127.0.0.1:4900/health");
    assert_eq!(body["Check"]["Interval"], "10000ms");
    assert_eq!(body["Check"]["Timeout"], "1000ms");
    assert_eq!(body["Check"]["DeregisterCriticalServiceAfter"], "60000ms");
    registration.deregister().await.unwrap();
    assert!(double.registration(&registered.id).await.is_none());
}

#[tokio::test]
async fn an_idle_watch_waits_in_blocking_queries_instead_of_polling() {
    let double = ConsulHttpApiDouble::start(None).await;
    let registry = ConsulRegistry::connect(&config(&double, None)).await.unwrap();
    let _watch = registry.watch(&unique_name("svc")).await.unwrap();

    tokio::time::sleep(Duration::from_millis(2_500)).await;
    // With a 1 s wait, about three blocking queries fit in 2.5 s; a polling loop would make hundreds.
    let queries = double.blocking_queries();
    assert!((1..=5).contains(&queries), "{queries} blocking queries");
}

#[tokio::test]
async fn connect_builds_the_consul_registry_from_config() {
    let double = ConsulHttpApiDouble::start(Some(TOKEN)).await;
    let config = RegistryConfig {
        backend: RegistryBackend::Consul,
        consul: config(&double, Some(TOKEN)),
        ..RegistryConfig::default()
    };
    let registry = kernel::registry::connect(&config).await.unwrap();
    behaviours::register_then_resolve_finds_it(registry).await;
}

#[tokio::test]
async fn connecting_to_an_unreachable_agent_fails() {
    let address = format!("http://127.0.0.1:{}", platform_tests::free_port());
    let config = ConsulConfig {
        address,
        ..ConsulConfig::default()
    };
    assert!(ConsulRegistry::connect(&config).await.is_err());
}
