//! Plans made by the plan stage, run against stand-in subgraphs that answer from a small dataset, then shaped:
//! checks that the executor reads the planner's real shapes (flatten paths, type conditions, `requires`).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::test_server::{Canned, StandIn, stand_in};
use super::{ExecutionRequest, Executor, SubgraphClients};
use crate::plan::{PlanConfig, QueryPlanner};
use crate::response::test_schema::SUPERGRAPH;
use crate::response::{Projection, SchemaIndex};
use crate::supergraph::Supergraph;

/// Answers `_entities` by looking each representation's `id` up in `rows`; anything else with `root`.
fn subgraph_reply(body: &Value, root: &Value, rows: &Value) -> Canned {
    let query = body["query"].as_str().unwrap_or_default();
    if !query.contains("_entities") {
        return Canned::Json(json!({ "data": root }));
    }
    let entities: Vec<Value> = body["variables"]["representations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|representation| {
            let id = representation["id"].as_str().unwrap_or_default();
            let mut row = rows[id].clone();
            row["__typename"] = representation["__typename"].clone();
            row
        })
        .collect();
    Canned::Json(json!({"data": {"_entities": entities}}))
}

async fn serve(root: Value, rows: Value) -> StandIn {
    stand_in(move |body| subgraph_reply(body, &root, &rows)).await
}

struct Harness {
    planner: QueryPlanner,
    executor: Executor,
    schema: Arc<SchemaIndex>,
    stand_ins: Vec<StandIn>,
}

async fn harness() -> Harness {
    let accounts = serve(
        json!({"users": [{"__typename": "User", "id": "u1", "name": "Ann"}, {"__typename": "User", "id": "u2", "name": "Bo"}]}),
        json!({"u1": {"name": "Ann"}, "u2": {"name": "Bo"}}),
    )
    .await;
    let products = serve(
        json!({"products": [
            {"__typename": "Book", "id": "b1", "title": "Dune", "pages": 100},
            {"__typename": "Movie", "id": "m1", "title": "Heat"}
        ]}),
        json!({}),
    )
    .await;
    let reviews = serve(
        json!({}),
        json!({
            "u1": {"reviews": [{"body": "good", "stars": 4, "author": {"__typename": "User", "id": "u2"}}]},
            "u2": {"reviews": []},
            "b1": {
                "reviews": [{"body": "epic", "stars": 5, "author": {"__typename": "User", "id": "u1"}}],
                "readingHours": 7
            }
        }),
    )
    .await;
    let overrides: HashMap<String, String> = [("accounts", &accounts), ("products", &products), ("reviews", &reviews)]
        .into_iter()
        .map(|(name, stand_in)| (name.to_owned(), stand_in.url.clone()))
        .collect();
    let supergraph =
        Arc::new(Supergraph::parse_with_url_overrides(SUPERGRAPH, &overrides).expect("the supergraph loads"));
    let config = crate::config::SubgraphsConfig::default();
    let endpoints = supergraph
        .subgraphs()
        .iter()
        .map(|s| config.endpoint(Arc::clone(&s.name), &s.url));
    let schema = Arc::new(SchemaIndex::from_supergraph(&supergraph.planner().supergraph));
    let clients = Arc::new(SubgraphClients::new(endpoints).expect("clients"));
    Harness {
        planner: QueryPlanner::new(Arc::clone(&supergraph), &PlanConfig::default()),
        executor: Executor::new(clients, Arc::clone(&schema)),
        schema,
        stand_ins: vec![accounts, products, reviews],
    }
}

impl Harness {
    async fn query(&self, operation: &str) -> Value {
        let document = hive_router_query_planner::utils::parsing::safe_parse_operation(operation).expect("parses");
        let planned = self.planner.plan(&document, None).await.expect("plans");
        let projection = Projection::build(&self.schema, planned.operation()).expect("projects");
        let output = self.executor.execute(planned.plan(), ExecutionRequest::default()).await;
        let mut out = Vec::new();
        projection.write_response(&output.data, &output.errors, None, &mut out);
        serde_json::from_slice(&out).expect("valid JSON")
    }
}

#[tokio::test]
async fn entities_chain_across_three_subgraphs() {
    let harness = harness().await;
    let response = harness
        .query("{ users { id name reviews { body author { name } } } }")
        .await;
    assert_eq!(
        response,
        json!({"data": {"users": [
            {"id": "u1", "name": "Ann", "reviews": [{"body": "good", "author": {"name": "Bo"}}]},
            {"id": "u2", "name": "Bo", "reviews": []}
        ]}})
    );
}

#[tokio::test]
async fn a_type_conditioned_flatten_fetches_only_the_matching_objects() {
    let harness = harness().await;
    let response = harness
        .query("{ products { id title ... on Book { reviews { stars } } ... on Movie { minutes } } }")
        .await;
    // Movie.minutes is non-null and the products subgraph left it out: that Movie item is nulled.
    assert_eq!(
        response["data"],
        json!({"products": [{"id": "b1", "title": "Dune", "reviews": [{"stars": 5}]}, null]})
    );
    assert_eq!(response["errors"][0]["path"], json!(["products", 1, "minutes"]));
}

#[tokio::test]
async fn requires_sends_the_required_field_and_the_response_drops_it() {
    let harness = harness().await;
    let response = harness
        .query("{ products { title ... on Book { readingHours } } }")
        .await;
    assert_eq!(
        response,
        json!({"data": {"products": [{"title": "Dune", "readingHours": 7}, {"title": "Heat"}]}})
    );
    let reviews = &harness.stand_ins[2];
    assert_eq!(
        reviews.representations(),
        [json!([{"__typename": "Book", "id": "b1", "pages": 100}])]
    );
}
