//! Subgraph instances found through the service registry: a subgraph runs as two replicas, one is stopped while
//! clients keep querying, and no client sees an error.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use kernel::registry::{ServiceInstance, ServiceRegistry, StaticRegistry};
use platform_tests::subgraphs::{self, SubgraphName};
use router::config::RouterConfig;
use serde_json::{Value, json};

use crate::harness::supergraph_fixture;

#[tokio::test]
async fn losing_one_replica_under_load_costs_clients_nothing() {
    let registry = Arc::new(StaticRegistry::new());
    let mut registrations = Vec::new();
    let mut replicas = Vec::new();
    for name in SubgraphName::ALL {
        let copies = if name == SubgraphName::Accounts { 2 } else { 1 };
        for copy in 0..copies {
            let handle = subgraphs::start(name).await;
            let instance = ServiceInstance::new(
                format!("{}-{copy}", name.as_str()),
                name.as_str(),
                "127.0.0.1",
                handle.addr().port(),
            )
            .with_metadata("graphql_path", subgraphs::GRAPHQL_PATH);
            registrations.push(registry.register(instance).await.expect("registered"));
            replicas.push(handle);
        }
    }

    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("supergraph.graphql");
    std::fs::write(&path, supergraph_fixture()).expect("write the supergraph");
    let mut config = RouterConfig::default();
    config.listen.http_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    config.supergraph.path = Some(path);
    config.supergraph.watch_interval_ms = 0;
    config.discovery.enabled = true;
    let running = router::gateway::start_with_registry(config, None, Some(registry.clone()))
        .await
        .expect("the router starts");
    let url = format!("http://{}/graphql", running.server.http_addr());
    let stop = running.server.shutdown_token();
    tokio::spawn(running.server.run_until(std::future::pending()));

    let done = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::new();
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (client, url, done, answered) = (client.clone(), url.clone(), done.clone(), answered.clone());
        workers.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let body: Value = client
                    .post(&url)
                    .json(&json!({ "query": "{ users { id name } }" }))
                    .send()
                    .await
                    .expect("the router answers")
                    .json()
                    .await
                    .expect("JSON");
                if body.get("errors").is_some() || body["data"]["users"].as_array().is_none_or(Vec::is_empty) {
                    failures.push(body);
                }
                answered.fetch_add(1, Ordering::Relaxed);
            }
            failures
        }));
    }

    // Both replicas serve, then one of them goes away without deregistering, as a crashed process would.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = answered.load(Ordering::Relaxed);
    let accounts: Vec<usize> = replicas
        .iter()
        .enumerate()
        .filter(|(_, handle)| handle.name() == SubgraphName::Accounts)
        .map(|(index, _)| index)
        .collect();
    assert!(
        accounts.iter().all(|&index| replicas[index].request_count() > 0),
        "both replicas took traffic"
    );
    replicas.remove(accounts[0]).shutdown().await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    done.store(true, Ordering::Relaxed);
    let mut failures = Vec::new();
    for worker in workers {
        failures.extend(worker.await.expect("a worker"));
    }
    let total = answered.load(Ordering::Relaxed);
    assert!(total > before, "requests kept flowing after the replica stopped");
    assert!(
        failures.is_empty(),
        "{} of {total} requests failed, e.g. {}",
        failures.len(),
        failures[0]
    );
    stop.cancel();
    drop(registrations);
}
