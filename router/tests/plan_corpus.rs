//! Plan snapshots for every operation the end-to-end federation tests send, planned against the shared fixture
//! (`tests/fixtures/federation/supergraph.graphql`). An upgrade of the planner that changes any plan shows up
//! here as a snapshot diff.

#![allow(unused_crate_dependencies)]

use std::sync::{Arc, LazyLock};

use hive_router_query_planner::utils::parsing::safe_parse_operation;
use router::plan::{PlanConfig, QueryPlanner};
use router::supergraph::Supergraph;

static PLANNER: LazyLock<QueryPlanner> = LazyLock::new(|| {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/federation/supergraph.graphql"
    );
    let sdl = std::fs::read_to_string(path).expect("the federation fixture exists");
    let supergraph = Supergraph::parse(&sdl).expect("the federation fixture is a valid supergraph");
    QueryPlanner::new(Arc::new(supergraph), &PlanConfig::default())
});

async fn plan_text(operation: &str) -> String {
    let document = safe_parse_operation(operation).expect("the operation parses");
    PLANNER
        .plan(&document, None)
        .await
        .expect("the operation plans")
        .plan()
        .to_string()
}

macro_rules! plan_snapshot {
    ($name:ident, $operation:expr) => {
        #[tokio::test]
        async fn $name() {
            insta::assert_snapshot!(stringify!($name), plan_text($operation).await);
        }
    };
}

// Entities (tests/tests/router_e2e/entities.rs).

plan_snapshot!(plan_single_subgraph_root_field, "{ users { id name username } }");

plan_snapshot!(
    plan_entity_join_by_key,
    "{ topProducts(first: 2) { upc name price reviews { body rating author { name } } } }"
);

plan_snapshot!(
    plan_entity_join_through_second_key,
    "{ latestReviews { id product { id inStock } } }"
);

plan_snapshot!(
    plan_composite_key_entities,
    r#"{ product(upc: "1") { name variants { id sku color stock } } }"#
);

plan_snapshot!(
    plan_nested_key_entities_under_aliases,
    r#"{ engines: organization(id: "o1") { name warehouses { id name city } }
         compilers: organization(id: "o2") { name warehouses { id name city } } }"#
);

plan_snapshot!(
    plan_requires_with_nested_selection,
    "{ topProducts { name shippingEstimate } }"
);

plan_snapshot!(
    plan_requires_on_field_with_arguments,
    "{ topProducts(first: 2) { upc price home: shippingCost(zone: DOMESTIC) \
     abroad: shippingCost(zone: INTERNATIONAL) } }"
);

plan_snapshot!(
    plan_provides_covers_selection,
    "{ latestReviews { body author { id username } } }"
);

plan_snapshot!(
    plan_provides_partially_covers_selection,
    "{ latestReviews { author { username name } } }"
);

plan_snapshot!(
    plan_shareable_fields_from_subgraph_at_hand,
    r#"{ search(term: "a") { ... on Product { id name } } }"#
);

plan_snapshot!(
    plan_override_moves_field_to_new_owner,
    "{ topProducts { upc inStock } }"
);

plan_snapshot!(
    plan_union_members_completed_by_owners,
    r#"{ search(term: "a") { __typename ... on Product { name price } ... on User { name username } } }"#
);

plan_snapshot!(
    plan_interface_implementations_completed_by_owners,
    r#"{ product: node(id: "p1") { __typename id ... on Product { name price } ... on User { name } }
         user: node(id: "u2") { __typename id ... on Product { price } ... on User { name username } }
         nobody: node(id: "x9") { id } }"#
);

plan_snapshot!(
    plan_interface_object_fields_with_type_conditions,
    "{ media { __typename id title reviewCount averageRating ... on Book { pages } ... on Movie { director } } }"
);

plan_snapshot!(
    plan_repeated_entities_in_sibling_joins,
    "{ latestReviews { id author { name } product { name } } }"
);

// The operation's own shape (tests/tests/router_e2e/operations.rs). Introspection is answered by the router
// and never planned, so it has no entry here.

plan_snapshot!(
    plan_fragments_inline_fragments_and_aliases,
    r#"query Shelf {
         first: product(upc: "1") { ...Card }
         second: product(upc: "3") { ... on Product { label: name } ...Card }
       }
       fragment Card on Product { upc cost: price reviews { stars: rating } }"#
);

plan_snapshot!(
    plan_skip_and_include_conditions,
    r#"query Product($withReviews: Boolean!, $hidePrice: Boolean!) {
  product(upc: "2") { name price @skip(if: $hidePrice) reviews @include(if: $withReviews) { body } }
}"#
);

plan_snapshot!(
    plan_typename_at_every_level,
    r#"{ __typename
         review(id: "r2") { __typename author { __typename username } product { __typename name } }
         mediaItem(id: "m2") { __typename title } }"#
);

plan_snapshot!(
    plan_mutation_fields_in_sequence,
    r#"mutation {
         first: reserveStock(upc: "1", quantity: 4)
         second: reserveStock(upc: "1", quantity: 4)
         renamed: renameUser(id: "u1", name: "Ada King") { id name }
         third: reserveStock(upc: "1", quantity: 1)
       }"#
);

plan_snapshot!(
    plan_root_fields_from_two_subgraphs,
    r#"{ product(upc: "1") { inStock } user(id: "u1") { name } }"#
);

// Errors (tests/tests/router_e2e/errors.rs); the operation that fails validation is left out.

plan_snapshot!(
    plan_root_field_with_variable_argument,
    "query Top($count: Int!) { topProducts(first: $count) { upc } }"
);

plan_snapshot!(
    plan_entity_join_to_one_subgraph,
    "{ topProducts(first: 2) { upc name averageRating } }"
);

plan_snapshot!(
    plan_root_fields_for_hot_swap,
    r#"{ me { name } product(upc: "4") { name } }"#
);
