//! The operation's own shape: fragments, aliases, directives, `__typename`, mutations and introspection.

use platform_tests::subgraphs::SubgraphName;
use serde_json::json;

use crate::harness::{Router, snapshot};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fragments_inline_fragments_and_aliases() {
    let router = Router::start().await;
    let (_, body) = router
        .query(
            r#"query Shelf {
                 first: product(upc: "1") { ...Card }
                 second: product(upc: "3") { ... on Product { label: name } ...Card }
               }
               fragment Card on Product { upc cost: price reviews { stars: rating } }"#,
        )
        .await;
    snapshot!(body);
}

const DIRECTIVES: &str = r#"query Product($withReviews: Boolean!, $hidePrice: Boolean!) {
  product(upc: "2") { name price @skip(if: $hidePrice) reviews @include(if: $withReviews) { body } }
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_and_include_follow_their_variables() {
    let router = Router::start().await;
    let (_, shown) = router
        .query_with(DIRECTIVES, json!({ "withReviews": true, "hidePrice": false }))
        .await;
    snapshot!("skip_and_include_shown", shown);
    router.clear_requests();
    let (_, hidden) = router
        .query_with(DIRECTIVES, json!({ "withReviews": false, "hidePrice": true }))
        .await;
    snapshot!("skip_and_include_hidden", hidden);
    assert_eq!(router.subgraph(SubgraphName::Reviews).request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typename_is_answered_at_every_level() {
    let router = Router::start().await;
    let (_, body) = router
        .query(
            r#"{ __typename
                 review(id: "r2") { __typename author { __typename username } product { __typename name } }
                 mediaItem(id: "m2") { __typename title } }"#,
        )
        .await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutation_fields_run_one_after_another_in_order() {
    let router = Router::start().await;
    let (_, body) = router
        .query(
            r#"mutation {
                 first: reserveStock(upc: "1", quantity: 4)
                 second: reserveStock(upc: "1", quantity: 4)
                 renamed: renameUser(id: "u1", name: "Ada King") { id name }
                 third: reserveStock(upc: "1", quantity: 1)
               }"#,
        )
        .await;
    snapshot!(body);
    let (_, after) = router
        .query(r#"{ product(upc: "1") { inStock } user(id: "u1") { name } }"#)
        .await;
    snapshot!("mutation_effects_are_visible_afterwards", after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_is_answered_by_the_router() {
    let router = Router::start().await;
    let (_, body) = router
        .query("{ __schema { queryType { name } mutationType { name } } }")
        .await;
    snapshot!(body);
    let total: usize = SubgraphName::ALL
        .iter()
        .map(|n| router.subgraph(*n).request_count())
        .sum();
    assert_eq!(total, 0);
}

#[tokio::test]
async fn metrics_count_requests_by_operation_and_fetches_by_subgraph() {
    let router = crate::harness::Router::start().await;
    // Requests are labelled by the `operationName` the client sends, as GraphQL clients do.
    let (status, text) = router
        .post_raw(&serde_json::json!({ "query": "query TopUsers { users { id name } }", "operationName": "TopUsers" }))
        .await;
    assert_eq!(status, 200, "{text}");
    let text = reqwest::get(format!("http://{}/metrics", router.addr()))
        .await
        .expect("the router answers")
        .text()
        .await
        .expect("a body");
    assert!(
        text.contains(r#"router_requests_total{operation="TopUsers",code="ok"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"router_subgraph_fetches_total{subgraph="accounts",outcome="ok"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"router_operation_cache_lookups_total{result="miss"} 1"#),
        "{text}"
    );
}

/// The `router_query_plans_total` count for `source` on the router at `addr`.
async fn plans_from(addr: std::net::SocketAddr, source: &str) -> u64 {
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .expect("the router answers")
        .text()
        .await
        .expect("a body");
    let prefix = format!("router_query_plans_total{{source=\"{source}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0, |count| count.trim().parse().expect("a count"))
}

#[tokio::test]
#[cfg_attr(not(backend_redis), ignore = "PLATFORM_TEST_REDIS_URL is not set")]
async fn a_plan_made_by_one_replica_is_read_by_another_from_redis() {
    let prefix = platform_tests::unique_name("plans");
    let shared = move |config: &mut router::config::RouterConfig| {
        config.planner.shared_cache = Some(kernel::cache::CacheConfig {
            backend: kernel::cache::CacheBackend::Redis,
            url: secrecy::SecretString::from(platform_tests::redis_url()),
            key_prefix: prefix.clone(),
            ..kernel::cache::CacheConfig::default()
        });
    };
    let first = crate::harness::Router::start_with(shared.clone()).await;
    let second = crate::harness::Router::start_with(shared).await;
    let query = "query TopUsers { users { id name } }";

    let (body, _) = first.query(query).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(plans_from(first.addr(), "planner").await, 1);

    let (again, _) = second.query(query).await;
    assert_eq!(again, body, "the shared plan answers the same");
    assert_eq!(plans_from(second.addr(), "shared_cache").await, 1, "read from Redis");
    assert_eq!(plans_from(second.addr(), "planner").await, 0, "not planned again");
}
