//! Plans on the shared federation fixture (`tests/fixtures/federation/supergraph.graphql`), composed from the real
//! test subgraphs: `@interfaceObject`, nested and argument-taking `@requires`, `@provides`, composite keys.

use std::sync::{Arc, LazyLock};

use hive_router_query_planner::utils::parsing::safe_parse_operation;

use super::model::{FetchRewrite, PlanNode, RewriteSegment};
use super::{PlanConfig, QueryPlanner};
use crate::supergraph::Supergraph;

static FIXTURE: LazyLock<Arc<Supergraph>> = LazyLock::new(|| {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/federation/supergraph.graphql"
    );
    let sdl = std::fs::read_to_string(path).expect("the federation fixture exists");
    Arc::new(Supergraph::parse(&sdl).expect("the federation fixture is a valid supergraph"))
});

async fn plan_text(operation: &str) -> String {
    let planner = QueryPlanner::new(Arc::clone(&FIXTURE), &PlanConfig::default());
    let document = safe_parse_operation(operation).expect("the test operation parses");
    planner
        .plan(&document, None)
        .await
        .expect("the operation plans")
        .plan()
        .to_string()
}

#[test]
fn fixture_declares_its_six_subgraphs() {
    let names: Vec<&str> = FIXTURE.subgraphs().iter().map(|s| &*s.name).collect();
    assert_eq!(
        names,
        ["accounts", "inventory", "media", "products", "reviews", "search"]
    );
}

#[tokio::test]
async fn fixture_nested_and_argument_requires() {
    insta::assert_snapshot!(
        plan_text("{ topProducts { name shippingEstimate shippingCost(zone: DOMESTIC) inStock } }").await
    );
}

#[tokio::test]
async fn fixture_interface_object_fields() {
    insta::assert_snapshot!(plan_text("{ media { __typename title reviewCount averageRating } }").await);
}

#[tokio::test]
async fn fixture_interface_object_fetch_rewrites_the_typename_of_representations() {
    let planner = QueryPlanner::new(Arc::clone(&FIXTURE), &PlanConfig::default());
    let document = safe_parse_operation("{ media { title reviewCount } }").expect("the test operation parses");
    let planned = planner.plan(&document, None).await.expect("the operation plans");
    let Some(PlanNode::Sequence(nodes)) = &planned.plan().root else {
        panic!("a sequence: {:?}", planned.plan())
    };
    let Some(PlanNode::Flatten(flatten)) = nodes.last() else {
        panic!("a flatten last: {nodes:?}")
    };
    let PlanNode::Fetch(fetch) = flatten.node.as_ref() else {
        panic!("a fetch: {flatten:?}")
    };
    assert_eq!(&*fetch.subgraph, "reviews");
    // The condition names the interface: the executor matches it against the object's type or the types it implements.
    assert_eq!(
        fetch.input_rewrites,
        [FetchRewrite::ValueSetter {
            path: vec![
                RewriteSegment::TypenameEquals(vec!["Media".into()]),
                RewriteSegment::Key("__typename".into())
            ],
            value: "Media".into(),
        }]
    );
    assert!(fetch.output_rewrites.is_empty());
}

#[tokio::test]
async fn fixture_provides_and_key_joins() {
    insta::assert_snapshot!(
        plan_text("{ latestReviews { body author { username name } product { name price } } }").await
    );
}

#[tokio::test]
async fn fixture_union_members_across_subgraphs() {
    insta::assert_snapshot!(
        plan_text(r#"{ search(term: "a") { ... on Product { name price } ... on User { name reviews { rating } } } }"#)
            .await
    );
}

#[tokio::test]
async fn fixture_composite_key() {
    insta::assert_snapshot!(plan_text(r#"{ organization(id: "o1") { name warehouses { name city } } }"#).await);
}
