//! Federation features: entity joins by every kind of key, `@requires`, `@provides`, `@shareable`, `@override`,
//! abstract types across subgraphs and `@interfaceObject`.

use platform_tests::subgraphs::SubgraphName;

use crate::harness::{Router, snapshot};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_from_one_subgraph() {
    let router = Router::start().await;
    let (_, body) = router.query("{ users { id name username } }").await;
    snapshot!(body);
    assert_eq!(router.subgraph(SubgraphName::Accounts).request_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_from_several_subgraphs_are_joined_by_key() {
    let router = Router::start().await;
    let (_, body) = router
        .query("{ topProducts(first: 2) { upc name price reviews { body rating author { name } } } }")
        .await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entity_known_by_id_reaches_inventory_through_its_upc_key() {
    let router = Router::start().await;
    let (_, body) = router.query("{ latestReviews { id product { id inStock } } }").await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn composite_key_entities_are_resolved_by_id_and_sku() {
    let router = Router::start().await;
    let (_, body) = router
        .query(r#"{ product(upc: "1") { name variants { id sku color stock } } }"#)
        .await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_key_entities_are_resolved_with_their_organization() {
    let router = Router::start().await;
    let (_, body) = router
        .query(
            r#"{ engines: organization(id: "o1") { name warehouses { id name city } }
                 compilers: organization(id: "o2") { name warehouses { id name city } } }"#,
        )
        .await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requires_with_a_nested_selection() {
    let router = Router::start().await;
    let (_, body) = router.query("{ topProducts { name shippingEstimate } }").await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requires_on_a_field_with_arguments() {
    let router = Router::start().await;
    let (_, body) = router
        .query(
            "{ topProducts(first: 2) { upc price home: shippingCost(zone: DOMESTIC) \
             abroad: shippingCost(zone: INTERNATIONAL) } }",
        )
        .await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provided_fields_are_not_fetched_from_their_owner() {
    let router = Router::start().await;
    let (_, body) = router.query("{ latestReviews { body author { id username } } }").await;
    snapshot!(body);
    assert_eq!(
        router.subgraph(SubgraphName::Accounts).request_count(),
        0,
        "{:?}",
        router.subgraph(SubgraphName::Accounts).requests()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_outside_the_provided_selection_is_fetched_from_its_owner() {
    let router = Router::start().await;
    let (_, body) = router.query("{ latestReviews { author { username name } } }").await;
    snapshot!(body);
    let accounts = router.subgraph(SubgraphName::Accounts).requests();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    let query = accounts[0]["query"].as_str().unwrap_or_default();
    assert!(!query.contains("username"), "{query}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shareable_fields_are_answered_by_the_subgraph_at_hand() {
    let router = Router::start().await;
    let (_, body) = router
        .query(r#"{ search(term: "a") { ... on Product { id name } } }"#)
        .await;
    snapshot!(body);
    assert_eq!(router.subgraph(SubgraphName::Products).request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overridden_fields_come_from_the_new_owner() {
    let router = Router::start().await;
    let (_, body) = router.query("{ topProducts { upc inStock } }").await;
    snapshot!(body);
    let products = router.subgraph(SubgraphName::Products).requests();
    assert!(
        products.iter().all(|r| !r.to_string().contains("inStock")),
        "{products:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn union_members_are_completed_by_their_owners() {
    let router = Router::start().await;
    let (_, body) = router
        .query(r#"{ search(term: "a") { __typename ... on Product { name price } ... on User { name username } } }"#)
        .await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interface_implementations_are_completed_by_their_owners() {
    let router = Router::start().await;
    let (_, body) = router
        .query(
            r#"{ product: node(id: "p1") { __typename id ... on Product { name price } ... on User { name } }
                 user: node(id: "u2") { __typename id ... on Product { price } ... on User { name username } }
                 nobody: node(id: "x9") { id } }"#,
        )
        .await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interface_object_fields_come_from_reviews() {
    let router = Router::start().await;
    let (_, body) = router
        .query(
            "{ media { __typename id title reviewCount averageRating \
             ... on Book { pages } ... on Movie { director } } }",
        )
        .await;
    snapshot!(body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_entities_are_sent_once_per_fetch() {
    let router = Router::start().await;
    let (_, body) = router
        .query("{ latestReviews { id author { name } product { name } } }")
        .await;
    snapshot!(body);
    // Six reviews by three authors (u1 ×3, u2 ×2, u3 ×1) of three products (p1 ×3, p2 ×2, p3 ×1).
    assert_eq!(router.subgraph(SubgraphName::Accounts).entity_representation_count(), 3);
    assert_eq!(router.subgraph(SubgraphName::Products).entity_representation_count(), 3);
}
