//! Progressive `@override` through the router: a field moving between subgraphs with
//! `@override(from:, label: "percent(p)")` is served by the new owner for about `p`% of requests.
//!
//! The test subgraphs declare a plain `@override(from: "products")` on `Product.inStock`; the label lives only in
//! the supergraph, so this test labels it there, as a composition of `label: "percent(50)"` would.

// Each test binary is handed every dev-dependency of the crate, and this one needs only some of them.
#![allow(unused_crate_dependencies)]

// The end-to-end harness, of which this binary uses only the router start-up and request helpers.
#[allow(dead_code, unused_macros, unused_imports)]
#[path = "router_e2e/harness.rs"]
mod harness;

use harness::{Router, supergraph_fixture};
use platform_tests::subgraphs::SubgraphName;

fn supergraph_with_in_stock_override_at(percent: u32) -> String {
    let fixture = supergraph_fixture();
    let labelled = fixture
        .replace("join/v0.3", "join/v0.5")
        .replace("  usedOverridden: Boolean\n", "  usedOverridden: Boolean\n  overrideLabel: String\n")
        .replace(
            r#"inStock: Boolean! @join__field(graph: INVENTORY, override: "products")"#,
            &format!(
                r#"inStock: Boolean! @join__field(graph: INVENTORY, override: "products", overrideLabel: "percent({percent})") @join__field(graph: PRODUCTS, overrideLabel: "percent({percent})")"#
            ),
        );
    assert_ne!(
        labelled, fixture,
        "the fixture still declares the override this test labels"
    );
    labelled
}

/// How many requests each subgraph received that asked for `inStock`.
fn in_stock_requests(router: &Router) -> (usize, usize) {
    let count = |name| {
        router
            .subgraph(name)
            .requests()
            .iter()
            .filter(|body| body.to_string().contains("inStock"))
            .count()
    };
    (count(SubgraphName::Products), count(SubgraphName::Inventory))
}

async fn router_with_override_at(percent: u32) -> (Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("supergraph.graphql");
    std::fs::write(&path, supergraph_with_in_stock_override_at(percent)).expect("write the supergraph");
    let router = Router::start_with(|config| config.supergraph.path = Some(path)).await;
    (router, dir)
}

const QUERY: &str = "{ topProducts(first: 3) { upc inStock } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_percent_override_splits_traffic_between_the_old_and_new_owner() {
    let (router, _dir) = router_with_override_at(50).await;
    for _ in 0..40 {
        let (response, _) = router.query(QUERY).await;
        assert!(response.get("errors").is_none(), "{response}");
        assert_eq!(
            response["data"]["topProducts"].as_array().map(Vec::len),
            Some(3),
            "{response}"
        );
    }
    let (products, inventory) = in_stock_requests(&router);
    assert_eq!(
        products + inventory,
        40,
        "each request asks exactly one owner for inStock"
    );
    assert!(
        products >= 8 && inventory >= 8,
        "about half each way: products {products}, inventory {inventory}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_percent_override_leaves_the_field_with_its_old_owner() {
    let (router, _dir) = router_with_override_at(0).await;
    for _ in 0..10 {
        let (response, _) = router.query(QUERY).await;
        assert!(response.get("errors").is_none(), "{response}");
    }
    assert_eq!(in_stock_requests(&router), (10, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_percent_override_moves_the_field_entirely() {
    let (router, _dir) = router_with_override_at(100).await;
    for _ in 0..10 {
        let (response, _) = router.query(QUERY).await;
        assert!(response.get("errors").is_none(), "{response}");
    }
    assert_eq!(in_stock_requests(&router), (0, 10));
}
