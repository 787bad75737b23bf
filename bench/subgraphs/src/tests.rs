use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::{ResponseCache, SubgraphName, bind, sdl, serve};

const COMMITTED_SDL: [(SubgraphName, &str); 4] = [
    (
        SubgraphName::Accounts,
        include_str!("../../federation/accounts.graphql"),
    ),
    (
        SubgraphName::Products,
        include_str!("../../federation/products.graphql"),
    ),
    (
        SubgraphName::Inventory,
        include_str!("../../federation/inventory.graphql"),
    ),
    (SubgraphName::Reviews, include_str!("../../federation/reviews.graphql")),
];

#[test]
fn committed_sdl_files_are_what_the_subgraphs_export() {
    for (name, committed) in COMMITTED_SDL {
        assert_eq!(
            sdl(name),
            committed,
            "bench/federation/{name}.graphql is stale: regenerate it with `bench-subgraphs sdl {name}`"
        );
    }
}

/// The four subgraphs on free ports; dropping `stop` shuts them down.
struct Running {
    urls: Vec<(SubgraphName, String)>,
    _stop: oneshot::Sender<()>,
}

impl Running {
    async fn start(cache: ResponseCache) -> Running {
        let bound = bind([0; 4]).await.expect("bind loopback ports");
        let urls = bound.iter().map(|b| (b.name(), b.url())).collect();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(serve(bound, cache, async move {
            let _ = stopped.await;
        }));
        Running { urls, _stop: stop }
    }

    fn url(&self, name: SubgraphName) -> &str {
        self.urls
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, url)| url.as_str())
            .expect("every subgraph is bound")
    }

    async fn post_raw(&self, name: SubgraphName, body: &Value) -> String {
        let response = reqwest::Client::new()
            .post(self.url(name))
            .json(body)
            .send()
            .await
            .expect("the subgraph answers");
        assert_eq!(response.status(), 200, "{name}");
        response.text().await.expect("a response body")
    }

    async fn request_count(&self, name: SubgraphName) -> u64 {
        let url = self.url(name).replace(super::GRAPHQL_PATH, super::REQUESTS_PATH);
        let text = reqwest::get(url)
            .await
            .expect("the subgraph answers")
            .text()
            .await
            .expect("a body");
        text.parse().expect("a request count")
    }

    async fn data(&self, name: SubgraphName, query: &str, variables: Value) -> Value {
        let text = self
            .post_raw(name, &json!({"query": query, "variables": variables}))
            .await;
        let body: Value = serde_json::from_str(&text).expect("a JSON body");
        assert!(body.get("errors").is_none(), "{name} returned errors: {body}");
        body["data"].clone()
    }
}

const ENTITIES: &str = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { upc inStock \
                        shippingEstimate } } }";

#[tokio::test]
async fn each_subgraph_serves_its_sdl_over_http() {
    let running = Running::start(ResponseCache::Enabled).await;
    for name in SubgraphName::ALL {
        let served = running.data(name, "{ _service { sdl } }", Value::Null).await;
        assert_eq!(served["_service"]["sdl"], sdl(name), "{name}");
    }
}

#[tokio::test]
async fn inventory_estimates_shipping_from_the_required_price_and_weight() {
    let running = Running::start(ResponseCache::Enabled).await;
    let representations = json!([
        {"__typename": "Product", "upc": "1", "price": 899, "weight": 20},
        {"__typename": "Product", "upc": "2", "price": 1299, "weight": 50},
    ]);
    let data = running
        .data(SubgraphName::Inventory, ENTITIES, json!({ "r": representations }))
        .await;
    assert_eq!(
        data["_entities"],
        json!([
            {"upc": "1", "inStock": true, "shippingEstimate": 1000},
            {"upc": "2", "inStock": false, "shippingEstimate": 0},
        ])
    );
}

#[tokio::test]
async fn reviews_provide_the_author_username_but_not_the_name() {
    let running = Running::start(ResponseCache::Enabled).await;
    let query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { reviews { id rating \
                 author { id username } } } } }";
    let data = running
        .data(
            SubgraphName::Reviews,
            query,
            json!({"r": [{"__typename": "Product", "upc": "1"}]}),
        )
        .await;
    let reviews = data["_entities"][0]["reviews"]
        .as_array()
        .expect("a review list")
        .clone();
    assert_eq!(reviews.len(), crate::data::REVIEWS_PER_PRODUCT);
    assert_eq!(
        reviews[0],
        json!({"id": "r1", "rating": 1, "author": {"id": "u1", "username": "ada"}})
    );
    let sdl = sdl(SubgraphName::Reviews);
    assert!(sdl.contains("@provides(fields: \"username\")"), "{sdl}");
    assert!(
        !sdl.lines().any(|line| line.trim_start().starts_with("name:")),
        "reviews must not know users' names: {sdl}"
    );
}

#[tokio::test]
async fn a_repeated_request_gets_the_same_bytes_with_and_without_the_cache() {
    let body = json!({
        "query": ENTITIES,
        "variables": {"r": [{"__typename": "Product", "upc": "3", "price": 54, "weight": 5}]},
    });
    let cached = Running::start(ResponseCache::Enabled).await;
    let first = cached.post_raw(SubgraphName::Inventory, &body).await;
    let second = cached.post_raw(SubgraphName::Inventory, &body).await;
    assert_eq!(first, second);
    let uncached = Running::start(ResponseCache::Disabled).await;
    assert_eq!(uncached.post_raw(SubgraphName::Inventory, &body).await, first);
    assert!(first.contains("\"shippingEstimate\":250"), "{first}");
    assert_eq!(cached.request_count(SubgraphName::Inventory).await, 2);
    assert_eq!(cached.request_count(SubgraphName::Products).await, 0);
}

#[tokio::test]
async fn a_batch_is_answered_in_order() {
    let running = Running::start(ResponseCache::Enabled).await;
    let batch = json!([
        {"query": "{ topProducts(first: 1) { upc } }"},
        {"query": "{ topProducts(first: 2) { name } }"},
    ]);
    let text = running.post_raw(SubgraphName::Products, &batch).await;
    let answers: Value = serde_json::from_str(&text).expect("a JSON body");
    assert_eq!(
        answers,
        json!([
            {"data": {"topProducts": [{"upc": "1"}]}},
            {"data": {"topProducts": [{"name": "Table"}, {"name": "Couch"}]}},
        ])
    );
}
