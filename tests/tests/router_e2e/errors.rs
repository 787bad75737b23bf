//! Errors: bad variables, invalid operations, unreachable subgraphs, and a broken supergraph on disk.

use std::time::Duration;

use platform_tests::subgraphs::SubgraphName;
use serde_json::json;

use crate::harness::{Router, pretty, replace_file, snapshot, supergraph_fixture};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_variable_that_does_not_coerce_is_named_in_the_error() {
    let router = Router::start().await;
    let (status, body) = router
        .request(
            "query Top($count: Int!) { topProducts(first: $count) { upc } }",
            json!({ "count": "two" }),
        )
        .await;
    snapshot!(format!("status {status}\n{}", pretty(&body)));
    assert!(body.contains("BAD_USER_INPUT") && body.contains("$count"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_operation_fails_validation_with_locations() {
    let router = Router::start().await;
    let (status, body) = router
        .request("{\n  topProducts {\n    upc\n    colour\n  }\n}", json!(null))
        .await;
    snapshot!(format!("status {status}\n{}", pretty(&body)));
    assert!(
        body.contains("GRAPHQL_VALIDATION_FAILED") && body.contains("locations"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subgraph_that_is_down_leaves_partial_data_and_an_error() {
    let mut router = Router::start().await;
    router.stop_subgraph(SubgraphName::Reviews).await;
    let (data, body) = router
        .query("{ topProducts(first: 2) { upc name averageRating } }")
        .await;
    snapshot!(body);
    assert_eq!(
        data["errors"][0]["extensions"]["code"], "SUBGRAPH_REQUEST_FAILED",
        "{body}"
    );
    assert_eq!(data["errors"][0]["extensions"]["serviceName"], "reviews", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_supergraph_on_disk_leaves_the_current_one_serving() {
    let router = Router::start_with(|config| config.supergraph.watch_interval_ms = 100).await;
    let query = r#"{ me { name } product(upc: "4") { name } }"#;
    let (_, before) = router.query(query).await;
    snapshot!("hot_swap_before", before);

    let path = router.supergraph_path();
    replace_file(&path, "type Query { this is not a supergraph");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, during) = router.query(query).await;
    assert_eq!(during, before);

    // A valid new supergraph without `Query.me` is swapped in: `me` no longer validates.
    let fixture = supergraph_fixture();
    let without_me: String = fixture
        .lines()
        .filter(|line| !line.trim_start().starts_with("me: User"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(without_me.lines().count(), fixture.lines().count());
    replace_file(&path, &without_me);
    let (status, swapped) = eventually(&router, query, |status, _| status == 400).await;
    snapshot!("hot_swap_without_me", format!("status {status}\n{}", pretty(&swapped)));

    replace_file(&path, &fixture);
    let (_, restored) = eventually(&router, query, |status, _| status == 200).await;
    assert_eq!(pretty(&restored), before);
}

/// Repeats `query` until `done` accepts the answer: building a new supergraph's pipeline takes a while on a busy
/// machine, so the swap is awaited rather than timed.
async fn eventually(router: &Router, query: &str, done: impl Fn(u16, &str) -> bool) -> (u16, String) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = router.request(query, json!(null)).await;
        if done(status, &body) || tokio::time::Instant::now() > deadline {
            return (status, body);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
