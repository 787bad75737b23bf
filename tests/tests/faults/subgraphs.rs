//! One subgraph killed, slowed past its timeout, or answering garbage while queries stream through the router:
//! only the fields that subgraph serves go missing, each answer says why with a code, no internals leak, and
//! the router answers fully again once the subgraph is back.

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use platform_tests::subgraphs::{self, SubgraphHandle, SubgraphName};
use router::config::{RouterConfig, SubgraphOverride};
use serde_json::{Value, json};

use crate::load::{Load, Outcome, Phase, Report, assert_codes, assert_no_errors_within};
use crate::proxy::{FaultProxy, Mode};

/// `me` comes from accounts and `topProducts` with `upc` and `name` from products; only `averageRating` needs
/// reviews (by entity fetch), and it is nullable, so a failing reviews subgraph nulls that field alone.
const QUERY: &str = "{ me { name } topProducts(first: 3) { upc name averageRating } }";

/// The router's timeout for the reviews subgraph.
const TIMEOUT_MS: u64 = 400;

/// The fixture subgraphs, the proxy in front of reviews, and a router over them.
struct Shop {
    _subgraphs: Vec<SubgraphHandle>,
    proxy: FaultProxy,
    router: SocketAddr,
    stop_router: Box<dyn Fn() + Send + Sync>,
    _dir: tempfile::TempDir,
}

impl Shop {
    async fn start() -> Self {
        let handles = subgraphs::start_all().await;
        let reviews = handles
            .iter()
            .find(|handle| handle.name() == SubgraphName::Reviews)
            .expect("the reviews subgraph");
        let proxy = FaultProxy::start(reviews.url().to_owned()).await;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("supergraph.graphql");
        let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/federation/supergraph.graphql");
        std::fs::copy(fixture, &path).expect("copy the supergraph fixture");
        let mut config = RouterConfig::default();
        config.listen.http_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        config.listen.shutdown_grace_ms = 100;
        config.supergraph.path = Some(path);
        config.supergraph.watch_interval_ms = 0;
        for handle in &handles {
            let (url, timeout_ms) = match handle.name() {
                SubgraphName::Reviews => (proxy.url(), TIMEOUT_MS),
                _ => (handle.url().to_owned(), 10_000),
            };
            let subgraph = SubgraphOverride {
                url: Some(url),
                timeout_ms: Some(timeout_ms),
                ..SubgraphOverride::default()
            };
            config.subgraphs.overrides.insert(handle.name().to_string(), subgraph);
        }
        let running = router::gateway::start(config, None).await.expect("start the router");
        let router = running.server.http_addr();
        let token = running.server.shutdown_token();
        tokio::spawn(running.server.run_until(std::future::pending()));
        Self {
            _subgraphs: handles,
            proxy,
            router,
            stop_router: Box::new(move || token.cancel()),
            _dir: dir,
        }
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        (self.stop_router)();
    }
}

/// Posts [`QUERY`]: the status and the JSON answer.
async fn query(client: &reqwest::Client, router: SocketAddr) -> Result<(u16, Value), Outcome> {
    let response = client
        .post(format!("http://{router}/graphql"))
        .json(&json!({ "query": QUERY }))
        .send()
        .await
        .map_err(|_| Outcome::failed("TRANSPORT"))?;
    let status = response.status().as_u16();
    let body = response.json().await.map_err(|_| Outcome::failed("NOT_JSON"))?;
    Ok((status, body))
}

/// Judges one answer against the healthy one: the same answer is a success; an answer with errors is a failure
/// with their code as long as everything but `averageRating` is intact.
async fn judged_query(client: &reqwest::Client, router: SocketAddr, healthy: &Value) -> Outcome {
    let (status, body) = match query(client, router).await {
        Ok(answer) => answer,
        Err(failure) => return failure,
    };
    if status != 200 {
        return Outcome::failed(format!("HTTP_{status}"));
    }
    if body.get("errors").is_none() {
        return if body == *healthy {
            Outcome::Ok
        } else {
            Outcome::failed("WRONG_DATA")
        };
    }
    let products = body["data"]["topProducts"].as_array().cloned().unwrap_or_default();
    let expected = healthy["data"]["topProducts"].as_array().cloned().unwrap_or_default();
    let intact = body["data"]["me"] == healthy["data"]["me"]
        && products.len() == expected.len()
        && products.iter().zip(&expected).all(|(got, want)| {
            got["upc"] == want["upc"] && got["name"] == want["name"] && got["averageRating"].is_null()
        });
    if intact {
        Outcome::from_errors(&body)
    } else {
        Outcome::failed("HEALTHY_FIELDS_LOST")
    }
}

/// Runs the load through `mode` on the reviews subgraph and checks what every such fault must hold.
async fn run_through(fault: &'static str, mode: Mode, codes: &[&str]) {
    let mut shop = Shop::start().await;
    let client = reqwest::Client::new();
    let (status, healthy) = query(&client, shop.router).await.expect("the router answers");
    assert_eq!(status, 200, "{healthy}");
    assert!(healthy.get("errors").is_none(), "{healthy}");
    assert!(
        healthy["data"]["topProducts"][0]["averageRating"].is_number(),
        "{healthy}"
    );
    let healthy = Arc::new(healthy);
    let router = shop.router;
    let load = Load::start(4, move |_, _| {
        let (client, healthy) = (client.clone(), healthy.clone());
        async move { judged_query(&client, router, &healthy).await }
    });

    load.wait_within(Phase::Before, 20).await;
    load.enter(Phase::Fault);
    shop.proxy.set(mode).await;
    load.wait_within(Phase::Fault, 12).await;
    load.enter(Phase::Recovering);
    shop.proxy.set(Mode::Pass).await;
    load.wait_for("complete answers after the subgraph came back", 1, |record| {
        record.started == Phase::Recovering && !record.failed()
    })
    .await;
    load.enter(Phase::After);
    load.wait_within(Phase::After, 20).await;
    let records = load.finish().await;

    let report = Report::new(fault, &records, &HashSet::new());
    report.print_and_check(&records);
    assert_no_errors_within(&records, &[Phase::Before, Phase::After]);
    assert_codes(&records, codes);
    let untouched: Vec<_> = records
        .iter()
        .filter(|record| record.within(Phase::Fault) && !record.failed())
        .collect();
    assert!(
        untouched.is_empty(),
        "answers during the fault had every field: {untouched:?}"
    );
    let health = reqwest::get(format!("http://{}/healthz", shop.router))
        .await
        .expect("the router answers its health check");
    assert!(
        health.status().is_success(),
        "the router is unhealthy: {}",
        health.status()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_subgraph_fails_only_its_fields_and_the_router_recovers_when_it_returns() {
    run_through("subgraph_killed", Mode::Killed, &["SUBGRAPH_REQUEST_FAILED"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_subgraph_slower_than_its_timeout_fails_only_its_fields_and_the_router_recovers() {
    // Past the timeout, and the circuit breaker may then refuse the subgraph outright for a while.
    let slow = Mode::Slow(Duration::from_millis(TIMEOUT_MS * 5));
    run_through(
        "subgraph_slowed",
        slow,
        &["SUBGRAPH_TIMEOUT", "SUBGRAPH_REQUEST_FAILED"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_subgraph_answering_garbage_fails_only_its_fields_and_the_router_recovers() {
    run_through("subgraph_garbage", Mode::Garbage, &["SUBGRAPH_REQUEST_FAILED"]).await;
}
