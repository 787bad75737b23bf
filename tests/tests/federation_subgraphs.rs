//! The test subgraphs answer over HTTP as federation subgraphs must: their own root fields, `_service { sdl }`,
//! and `_entities` for every key, `@requires` and `@interfaceObject` case the router's tests rely on; and each
//! records what it was sent.

// Each test binary is handed every dev-dependency of the crate, and this one needs only some of them.
#![allow(unused_crate_dependencies)]

use platform_tests::subgraphs::{self, SubgraphHandle, SubgraphName};
use serde_json::{Value, json};

/// Posts one GraphQL request and returns the response body; the transport must succeed with 200.
async fn post(subgraph: &SubgraphHandle, query: &str, variables: Value) -> Value {
    let response = reqwest::Client::new()
        .post(subgraph.url())
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST to {}: {e}", subgraph.name()));
    assert_eq!(
        response.status(),
        200,
        "{} answered {}",
        subgraph.name(),
        response.status()
    );
    response.json().await.expect("a JSON response body")
}

/// Posts a request that must succeed and returns its `data`.
async fn data(subgraph: &SubgraphHandle, query: &str, variables: Value) -> Value {
    let body = post(subgraph, query, variables).await;
    assert!(
        body.get("errors").is_none(),
        "{} returned errors: {body}",
        subgraph.name()
    );
    body["data"].clone()
}

/// Resolves `representations` through `_entities` with the given selection.
async fn entities(subgraph: &SubgraphHandle, selection: &str, representations: Value) -> Value {
    let query = format!(
        "query($representations: [_Any!]!) {{ _entities(representations: $representations) {{ {selection} }} }}"
    );
    data(subgraph, &query, json!({ "representations": representations })).await["_entities"].clone()
}

#[tokio::test]
async fn every_subgraph_serves_the_sdl_it_exports() {
    let handles = subgraphs::start_all().await;
    assert_eq!(handles.len(), SubgraphName::ALL.len());
    for handle in &handles {
        let served = data(handle, "{ _service { sdl } }", Value::Null).await;
        assert_eq!(
            served["_service"]["sdl"],
            subgraphs::sdl(handle.name()),
            "{}",
            handle.name()
        );
    }
    for handle in handles {
        handle.shutdown().await;
    }
}

#[tokio::test]
async fn accounts_resolves_users_and_organizations_by_key() {
    let accounts = subgraphs::start(SubgraphName::Accounts).await;
    let me = data(
        &accounts,
        "{ me { id name username organization { name warehouses { id } } } }",
        Value::Null,
    )
    .await;
    assert_eq!(
        me,
        json!({"me": {"id": "u1", "name": "Ada Lovelace", "username": "ada", "organization": {
            "name": "Analytical Engines Ltd", "warehouses": [{"id": "w1"}, {"id": "w2"}]}}})
    );

    let found = entities(
        &accounts,
        "... on User { id name } ... on Organization { id name }",
        json!([
            {"__typename": "User", "id": "u3"},
            {"__typename": "Organization", "id": "o2"},
            {"__typename": "User", "id": "nobody"},
        ]),
    )
    .await;
    assert_eq!(
        found,
        json!([{"id": "u3", "name": "Grace Hopper"}, {"id": "o2", "name": "Compilers Inc"}, null])
    );
}

#[tokio::test]
async fn accounts_rename_changes_later_reads() {
    let accounts = subgraphs::start(SubgraphName::Accounts).await;
    let renamed = data(
        &accounts,
        r#"mutation { renameUser(id: "u2", name: "A. M. Turing") { name } }"#,
        Value::Null,
    )
    .await;
    assert_eq!(renamed["renameUser"]["name"], "A. M. Turing");
    let read = data(&accounts, r#"{ user(id: "u2") { name } }"#, Value::Null).await;
    assert_eq!(read["user"]["name"], "A. M. Turing");

    let fresh = subgraphs::start(SubgraphName::Accounts).await;
    let untouched = data(&fresh, r#"{ user(id: "u2") { name } }"#, Value::Null).await;
    assert_eq!(
        untouched["user"]["name"], "Alan Turing",
        "every started subgraph has its own data"
    );
}

#[tokio::test]
async fn products_resolve_by_either_key_and_by_the_composite_variant_key() {
    let products = subgraphs::start(SubgraphName::Products).await;
    let found = entities(
        &products,
        "... on Product { upc id name price dimensions { size weight } } ... on ProductVariant { color }",
        json!([
            {"__typename": "Product", "upc": "2"},
            {"__typename": "Product", "id": "p3"},
            {"__typename": "ProductVariant", "id": "v1", "sku": "TABLE-WALNUT"},
            {"__typename": "ProductVariant", "id": "v1", "sku": "CHAIR-RED"},
        ]),
    )
    .await;
    assert_eq!(
        found,
        json!([
            {"upc": "2", "id": "p2", "name": "Couch", "price": 1299, "dimensions": {"size": "large", "weight": 50}},
            {"upc": "3", "id": "p3", "name": "Chair", "price": 54, "dimensions": {"size": "small", "weight": 5}},
            {"color": "walnut"},
            null,
        ])
    );
}

#[tokio::test]
async fn products_price_change_is_visible_afterwards() {
    let products = subgraphs::start(SubgraphName::Products).await;
    let changed = data(
        &products,
        r#"mutation { setProductPrice(upc: "4", price: 30) { price } }"#,
        Value::Null,
    )
    .await;
    assert_eq!(changed["setProductPrice"]["price"], 30);
    let listed = data(&products, "{ topProducts(first: 10) { upc price } }", Value::Null).await;
    assert_eq!(listed["topProducts"].as_array().map(Vec::len), Some(4));
    assert_eq!(listed["topProducts"][3], json!({"upc": "4", "price": 30}));
}

#[tokio::test]
async fn inventory_computes_required_fields_from_the_representation() {
    let inventory = subgraphs::start(SubgraphName::Inventory).await;
    let found = entities(
        &inventory,
        "... on Product { upc inStock shippingEstimate shippingCost(zone: INTERNATIONAL)
            domestic: shippingCost(zone: DOMESTIC) }",
        json!([
            {"__typename": "Product", "upc": "1", "price": 899, "dimensions": {"size": "large", "weight": 20}},
            {"__typename": "Product", "upc": "2", "price": 1299, "dimensions": {"size": "large", "weight": 50}},
        ]),
    )
    .await;
    assert_eq!(
        found,
        json!([
            {"upc": "1", "inStock": true, "shippingEstimate": 5, "shippingCost": 2088, "domestic": 499},
            {"upc": "2", "inStock": false, "shippingEstimate": 7, "shippingCost": 2128, "domestic": 0},
        ])
    );
}

#[tokio::test]
async fn inventory_reports_a_missing_required_field_as_an_error() {
    let inventory = subgraphs::start(SubgraphName::Inventory).await;
    let body = post(
        &inventory,
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { shippingEstimate } } }",
        json!({"r": [{"__typename": "Product", "upc": "1"}]}),
    )
    .await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("dimensions"), "{body}");
}

#[tokio::test]
async fn inventory_resolves_variants_and_warehouses_by_their_whole_key() {
    let inventory = subgraphs::start(SubgraphName::Inventory).await;
    let found = entities(
        &inventory,
        "... on ProductVariant { sku stock } ... on Warehouse { id organization { id } name city }",
        json!([
            {"__typename": "ProductVariant", "id": "v1", "sku": "TABLE-OAK"},
            {"__typename": "Warehouse", "id": "w1", "organization": {"id": "o1"}},
            {"__typename": "Warehouse", "id": "w1", "organization": {"id": "o2"}},
            {"__typename": "Warehouse", "id": "w2", "organization": {"id": "o2"}},
        ]),
    )
    .await;
    assert_eq!(
        found,
        json!([
            {"sku": "TABLE-OAK", "stock": 7},
            {"id": "w1", "organization": {"id": "o1"}, "name": "Main depot", "city": "London"},
            {"id": "w1", "organization": {"id": "o2"}, "name": "Harbour", "city": "Rotterdam"},
            null,
        ])
    );
}

#[tokio::test]
async fn inventory_reservations_apply_in_order_and_refuse_overdrafts() {
    let inventory = subgraphs::start(SubgraphName::Inventory).await;
    let both = data(
        &inventory,
        r#"mutation { first: reserveStock(upc: "3", quantity: 2) second: reserveStock(upc: "3", quantity: 3) }"#,
        Value::Null,
    )
    .await;
    assert_eq!(both, json!({"first": 3, "second": 0}));
    let refused = post(
        &inventory,
        r#"mutation { reserveStock(upc: "3", quantity: 1) }"#,
        Value::Null,
    )
    .await;
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("0 in stock")),
        "{refused}"
    );
}

#[tokio::test]
async fn reviews_provide_usernames_and_extend_users_products_and_media() {
    let reviews = subgraphs::start(SubgraphName::Reviews).await;
    let latest = data(
        &reviews,
        "{ latestReviews { id author { id username } product { id } } }",
        Value::Null,
    )
    .await;
    let authors: Vec<&str> = latest["latestReviews"]
        .as_array()
        .map(|reviews| {
            reviews
                .iter()
                .filter_map(|r| r["author"]["username"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        authors,
        ["ada", "alan", "ada", "ada", "grace", "alan"],
        "authors repeat, so deduplication matters"
    );

    let found = entities(
        &reviews,
        "... on User { reviews { id } } ... on Product { averageRating } ... on Media { reviewCount averageRating }",
        json!([
            {"__typename": "User", "id": "u3"},
            {"__typename": "Product", "id": "p1"},
            {"__typename": "Media", "id": "m1"},
            {"__typename": "Media", "id": "m4"},
        ]),
    )
    .await;
    let p1_mean = (5.0 + 4.0 + 5.0) / 3.0;
    assert_eq!(
        found,
        json!([
            {"reviews": [{"id": "r5"}]},
            {"averageRating": p1_mean},
            {"reviewCount": 2, "averageRating": 4.5},
            {"reviewCount": 0, "averageRating": null},
        ])
    );
}

#[tokio::test]
async fn reviews_add_review_appends_to_the_product() {
    let reviews = subgraphs::start(SubgraphName::Reviews).await;
    let added = data(
        &reviews,
        r#"mutation {
            addReview(productId: "p4", authorId: "u3", body: "Bright.", rating: 4) { id author { username } }
        }"#,
        Value::Null,
    )
    .await;
    assert_eq!(
        added,
        json!({"addReview": {"id": "r7", "author": {"username": "grace"}}})
    );
    let found = entities(
        &reviews,
        "... on Product { reviews { body } }",
        json!([{"__typename": "Product", "id": "p4"}]),
    )
    .await;
    assert_eq!(found, json!([{"reviews": [{"body": "Bright."}]}]));
}

#[tokio::test]
async fn media_resolves_the_interface_key_to_the_concrete_type() {
    let media = subgraphs::start(SubgraphName::Media).await;
    let found = entities(
        &media,
        "__typename ... on Media { id title } ... on Movie { director }",
        json!([
            {"__typename": "Media", "id": "m2"},
            {"__typename": "Book", "id": "m1"},
            {"__typename": "Media", "id": "zz"},
        ]),
    )
    .await;
    assert_eq!(
        found,
        json!([
            {"__typename": "Movie", "id": "m2", "title": "Blade Runner", "director": "Ridley Scott"},
            {"__typename": "Book", "id": "m1", "title": "Dune"},
            null,
        ])
    );
    let all = data(&media, "{ media { __typename id } }", Value::Null).await;
    assert_eq!(all["media"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn search_returns_union_members_and_interface_implementations_as_keys() {
    let search = subgraphs::start(SubgraphName::Search).await;
    let hits = data(
        &search,
        r#"{
            search(term: "E") { __typename ... on Product { id name } ... on User { id } }
            node(id: "u3") { __typename id }
        }"#,
        Value::Null,
    )
    .await;
    assert_eq!(
        hits,
        json!({
            "search": [
                {"__typename": "Product", "id": "p1", "name": "Table"},
                {"__typename": "User", "id": "u1"},
                {"__typename": "User", "id": "u3"},
            ],
            "node": {"__typename": "User", "id": "u3"},
        })
    );
    let products = data(
        &search,
        r#"{ search(term: "ch") { ... on Product { id name } } }"#,
        Value::Null,
    )
    .await;
    assert_eq!(
        products,
        json!({"search": [{"id": "p2", "name": "Couch"}, {"id": "p3", "name": "Chair"}]})
    );
}

#[tokio::test]
async fn a_subgraph_records_request_bodies_and_counts_representations() {
    let accounts = subgraphs::start(SubgraphName::Accounts).await;
    data(&accounts, "{ me { id } }", Value::Null).await;
    entities(
        &accounts,
        "... on User { name }",
        json!([{"__typename": "User", "id": "u1"}, {"__typename": "User", "id": "u2"}]),
    )
    .await;
    entities(
        &accounts,
        "... on User { name }",
        json!([{"__typename": "User", "id": "u3"}]),
    )
    .await;

    let requests = accounts.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(accounts.request_count(), 3);
    assert_eq!(requests[0], json!({"query": "{ me { id } }", "variables": null}));
    assert_eq!(accounts.entity_representation_count(), 3);

    accounts.clear_requests();
    assert_eq!(accounts.entity_representation_count(), 0);
    assert!(accounts.requests().is_empty());
}

#[tokio::test]
async fn a_batch_is_recorded_as_one_body() {
    let accounts = subgraphs::start(SubgraphName::Accounts).await;
    let batch = json!([
        {"query": "{ me { id } }"},
        {"query": "query($representations: [_Any!]!) {
            _entities(representations: $representations) { ... on User { id } } }",
         "variables": {"representations": [{"__typename": "User", "id": "u2"}]}},
    ]);
    let response: Value = reqwest::Client::new()
        .post(accounts.url())
        .json(&batch)
        .send()
        .await
        .expect("POST a batch")
        .json()
        .await
        .expect("a JSON response body");
    assert_eq!(response[0]["data"]["me"]["id"], "u1", "{response}");
    assert_eq!(response[1]["data"]["_entities"][0]["id"], "u2", "{response}");
    assert_eq!(accounts.requests(), vec![batch]);
    assert_eq!(accounts.entity_representation_count(), 1);
}

#[tokio::test]
async fn a_shut_down_subgraph_refuses_connections() {
    let products = subgraphs::start(SubgraphName::Products).await;
    let url = products.url().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with(subgraphs::GRAPHQL_PATH),
        "{url}"
    );
    products.shutdown().await;
    let refused = reqwest::Client::new()
        .post(&url)
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await;
    assert!(refused.is_err(), "a request after shutdown got {refused:?}");
}
