//! The configs the harness writes are read by the services' and the router's own loaders, which refuse unknown
//! keys: a renamed setting fails here instead of at the start of a run.

use std::path::Path;

use kernel::cache::CacheBackend;
use kernel::events::EventsBackend;
use serde::de::DeserializeOwned;

use super::*;

fn configs_in(dir: &Path, cheap_passwords: bool) -> Vec<PathBuf> {
    let options = StackOptions {
        bin_dir: PathBuf::from("/unused"),
        log_level: "warn".to_owned(),
        cheap_passwords,
        supergraph: None,
    };
    let backing = Backing {
        database_url: "postgres://postgres@127.0.0.1:5432/soak_test".to_owned(),
        redis_url: "redis://127.0.0.1:6379".to_owned(),
        kafka_brokers: "127.0.0.1:19092".to_owned(),
        namespace: "soak_test".to_owned(),
    };
    let ports: Vec<Ports> = (0..5u16)
        .map(|index| Ports {
            http: 14_001 + index,
            grpc: 15_001 + index,
        })
        .collect();
    let configs = ServiceConfigs {
        options: &options,
        backing: &backing,
        ports: &ports,
    };
    let mut paths = Vec::new();
    for (index, service) in SERVICES.iter().enumerate() {
        let path = dir.join(format!("{service}.toml"));
        write(&path, &configs.render(index)).unwrap();
        paths.push(path);
    }
    let path = dir.join("router.toml");
    write(&path, &configs.router(14_000, &dir.join("supergraph.graphql"))).unwrap();
    paths.push(path);
    paths
}

fn load<T: DeserializeOwned>(path: &Path) -> T {
    kernel::config::load_with_env(Some(path), Vec::new()).unwrap_or_else(|error| {
        panic!(
            "{}: {error}\n{}",
            path.display(),
            std::fs::read_to_string(path).unwrap()
        )
    })
}

#[test]
fn every_service_reads_its_config_with_the_runs_ports_backends_and_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let paths = configs_in(dir.path(), true);

    let identity: identity::config::IdentityConfig = load(&paths[0]);
    assert_eq!(identity.server.http_addr.port(), 14_001);
    assert_eq!(identity.server.grpc_addr.map(|addr| addr.port()), Some(15_001));
    assert_eq!(identity.cache.backend, CacheBackend::Redis);
    assert_eq!(identity.cache.key_prefix, "soak_test:identity");
    assert_eq!(identity.events.backend, EventsBackend::Kafka);
    assert_eq!(identity.events.kafka.brokers, "127.0.0.1:19092");
    assert_eq!(identity.tokens.issuer.issuer, "http://127.0.0.1:14001");
    assert_eq!(identity.authz.address.as_deref(), Some("http://127.0.0.1:15002"));
    assert_eq!(identity.passwords.argon2.memory_kib, 64);
    assert_eq!(identity.database.schema.as_deref(), Some("identity"));

    let authz: authz::AuthzConfig = load(&paths[1]);
    assert_eq!(authz.server.grpc_addr.map(|addr| addr.port()), Some(15_002));
    assert_eq!(authz.cache.key_prefix, "soak_test:authz");
    assert_eq!(authz.onboarding.group, "soak_test-authz-onboarding");
    assert_eq!(authz.verifier.jwks_url, "http://127.0.0.1:14001/.well-known/jwks.json");
    assert_eq!(authz.verifier.issuer, identity.tokens.issuer.issuer);

    let audit: audit::AuditConfig = load(&paths[2]);
    assert_eq!(audit.consumer.group, "soak_test-audit");
    assert_eq!(audit.authz.address, "http://127.0.0.1:15002");

    let blog: blog::BlogConfig = load(&paths[3]);
    assert_eq!(blog.audit.address, "http://127.0.0.1:15003");
    assert_eq!(blog.events.backend, EventsBackend::Kafka);
    let billing: billing::BillingConfig = load(&paths[4]);
    assert_eq!(billing.server.http_addr.port(), 14_005);
    assert_eq!(billing.authz.address, "http://127.0.0.1:15002");

    let router: router::config::RouterConfig = load(&paths[5]);
    assert_eq!(router.listen.http_addr.port(), 14_000);
    assert!(router.auth.enabled);
    assert!(!router.rate_limit.enabled);
    assert_eq!(router.auth.issuers[0].issuer, "http://127.0.0.1:14001");
    let blog_url = router.subgraphs.overrides["blog"].url.as_deref();
    assert_eq!(blog_url, Some("http://127.0.0.1:14004/graphql"));
    let plans = router.planner.shared_cache.expect("plans shared through Redis");
    assert_eq!(plans.key_prefix, "soak_test:router:plans");
}

#[test]
fn production_password_cost_is_kept_unless_cheap_passwords_are_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let paths = configs_in(dir.path(), false);
    let identity: identity::config::IdentityConfig = load(&paths[0]);
    let defaults = identity::config::IdentityConfig::default();
    assert_eq!(
        identity.passwords.argon2.memory_kib,
        defaults.passwords.argon2.memory_kib
    );
}
