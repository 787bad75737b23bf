//! The executor against real HTTP stand-ins: data flow, deduplication, error re-pathing, and every kind of
//! subgraph failure ending in partial data and an error with a code and the subgraph's name.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::test_server::{Canned, StandIn, stand_in};
use super::test_support::{entities, fetch, key_of};
use super::{ExecutionOutput, ExecutionRequest, Executor, SubgraphClients, SubgraphEndpoint};
use crate::plan::model::{BatchFetchNode, ConditionNode, EntityBatchAlias, FetchKind, PlanNode, QueryPlan};
use crate::response::Projection;
use crate::response::test_schema::{normalized, schema_index};

const REVIEWS_OF_USER: &str = "{...on User{reviews{body}}}";

pub(super) fn executor(endpoints: &[(&str, &str, u64)]) -> Executor {
    let endpoints = endpoints
        .iter()
        .map(|(name, url, timeout_ms)| SubgraphEndpoint::new(*name, *url, Duration::from_millis(*timeout_ms)));
    let clients = SubgraphClients::new(endpoints).expect("valid endpoints");
    Executor::new(Arc::new(clients), Arc::new(schema_index()))
}

pub(super) async fn run(executor: &Executor, root: PlanNode, variables: Option<Value>) -> ExecutionOutput {
    let variables: Option<Map<String, Value>> = variables.map(|v| serde_json::from_value(v).expect("an object"));
    let request = ExecutionRequest {
        variables: variables.as_ref(),
        headers: None,
    };
    executor.execute(&QueryPlan { root: Some(root) }, request).await
}

/// The client's response for `operation` over the executor's output.
pub(super) fn shape(operation: &str, output: &ExecutionOutput) -> Value {
    let projection = Projection::build(&schema_index(), &normalized(operation)).expect("the operation projects");
    let mut out = Vec::new();
    projection.write_response(&output.data, &output.errors, None, &mut out);
    serde_json::from_slice(&out).expect("valid JSON")
}

pub(super) fn error_summary(response: &Value) -> Vec<(String, String, Value)> {
    response["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["extensions"]["code"].as_str().unwrap_or_default().to_owned(),
                e["extensions"]["serviceName"].as_str().unwrap_or_default().to_owned(),
                e["path"].clone(),
            )
        })
        .collect()
}

pub(super) async fn users_stand_in(users: Value) -> StandIn {
    stand_in(move |_| Canned::Json(json!({"data": {"users": users}}))).await
}

/// `users` from accounts, then their reviews from reviews.
pub(super) fn users_then_reviews() -> PlanNode {
    PlanNode::Sequence(vec![
        PlanNode::Fetch(fetch(0, "accounts", "{users{__typename id}}")),
        entities(1, "reviews", "users.@", key_of(&["User"]), REVIEWS_OF_USER),
    ])
}

pub(super) const USERS_QUERY: &str = "{ users { id reviews { body } } }";

#[tokio::test]
async fn three_references_to_one_entity_send_one_representation_and_all_three_get_the_result() {
    let accounts = users_stand_in(json!([
        {"__typename": "User", "id": "1"},
        {"__typename": "User", "id": "1"},
        {"__typename": "User", "id": "1"}
    ]))
    .await;
    let reviews = stand_in(|_| Canned::Json(json!({"data": {"_entities": [{"reviews": [{"body": "great"}]}]}}))).await;
    let executor = executor(&[("accounts", &accounts.url, 2000), ("reviews", &reviews.url, 2000)]);
    let output = run(&executor, users_then_reviews(), None).await;

    assert_eq!(reviews.representations(), [json!([{"__typename": "User", "id": "1"}])]);
    assert!(output.errors.is_empty(), "{:?}", output.errors);
    let one = json!({"id": "1", "reviews": [{"body": "great"}]});
    assert_eq!(shape(USERS_QUERY, &output), json!({"data": {"users": [one, one, one]}}));
}

#[tokio::test]
async fn requests_carry_the_graphql_content_headers_and_only_the_used_variables() {
    let accounts = users_stand_in(json!([])).await;
    let executor = executor(&[("accounts", &accounts.url, 2000)]);
    let mut node = fetch(0, "accounts", "query($a:Int){users{id}}");
    node.variable_usages = vec!["a".into(), "absent".into()];
    run(&executor, PlanNode::Fetch(node), Some(json!({"a": 1, "b": 2}))).await;

    let received = accounts.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body["variables"], json!({"a": 1}));
    assert_eq!(received[0].body["query"], "query($a:Int){users{id}}");
    assert_eq!(received[0].headers["content-type"], "application/json");
    assert_eq!(
        received[0].headers["accept"],
        "application/graphql-response+json, application/json"
    );
}

#[tokio::test]
async fn forwarded_headers_reach_the_subgraph() {
    let accounts = users_stand_in(json!([])).await;
    let executor = executor(&[("accounts", &accounts.url, 2000)]);
    let mut headers = http::HeaderMap::new();
    headers.insert("traceparent", http::HeaderValue::from_static("00-abc-def-01"));
    let request = ExecutionRequest {
        variables: None,
        headers: Some(&headers),
    };
    let plan = QueryPlan {
        root: Some(PlanNode::Fetch(fetch(0, "accounts", "{users{id}}"))),
    };
    executor.execute(&plan, request).await;
    assert_eq!(accounts.received()[0].headers["traceparent"], "00-abc-def-01");
}

#[tokio::test]
async fn parallel_branches_run_concurrently_including_sequences_inside_them() {
    // Run one after another the three fetches would take 3 × delay; concurrently, 2 × delay.
    let delay = Duration::from_millis(500);
    let accounts =
        stand_in(move |_| Canned::Slow(delay, json!({"data": {"users": [{"__typename": "User", "id": "1"}]}}))).await;
    let products = stand_in(move |_| Canned::Slow(delay, json!({"data": {"top": {"id": "b"}}}))).await;
    let reviews = stand_in(move |_| Canned::Slow(delay, json!({"data": {"_entities": [{"reviews": []}]}}))).await;
    let executor = executor(&[
        ("accounts", &accounts.url, 5000),
        ("products", &products.url, 5000),
        ("reviews", &reviews.url, 5000),
    ]);
    let plan = PlanNode::Parallel(vec![
        users_then_reviews(),
        PlanNode::Fetch(fetch(2, "products", "{top{id}}")),
    ]);
    let started = Instant::now();
    let output = run(&executor, plan, None).await;
    let elapsed = started.elapsed();

    assert!(elapsed < Duration::from_millis(1400), "took {elapsed:?}");
    assert_eq!(
        output.data,
        json!({"users": [{"__typename": "User", "id": "1", "reviews": []}], "top": {"id": "b"}})
    );
}

#[tokio::test]
async fn a_condition_runs_the_branch_its_variable_selects() {
    let accounts = users_stand_in(json!([])).await;
    let products = stand_in(|_| Canned::Json(json!({"data": {"top": {"id": "b"}}}))).await;
    let executor = executor(&[("accounts", &accounts.url, 2000), ("products", &products.url, 2000)]);
    let plan = || {
        PlanNode::Condition(ConditionNode {
            variable: "withTop".into(),
            if_clause: Some(Box::new(PlanNode::Fetch(fetch(0, "products", "{top{id}}")))),
            else_clause: Some(Box::new(PlanNode::Fetch(fetch(1, "accounts", "{users{id}}")))),
        })
    };
    let output = run(&executor, plan(), Some(json!({"withTop": true}))).await;
    assert_eq!(output.data, json!({"top": {"id": "b"}}));
    run(&executor, plan(), Some(json!({"withTop": false}))).await;
    run(&executor, plan(), None).await;
    assert_eq!(products.received().len(), 1);
    assert_eq!(accounts.received().len(), 2);
}

#[tokio::test]
async fn a_mutation_sequence_runs_in_order() {
    let accounts = stand_in(|body| {
        let name = body["query"].as_str().unwrap_or_default().to_owned();
        Canned::Slow(
            Duration::from_millis(if name.contains("first") { 200 } else { 0 }),
            json!({"data": {}}),
        )
    })
    .await;
    let executor = executor(&[("accounts", &accounts.url, 2000)]);
    let mut first = fetch(0, "accounts", "mutation{first:rename(name:\"a\"){name}}");
    first.kind = FetchKind::Mutation;
    let mut second = fetch(1, "accounts", "mutation{second:rename(name:\"b\"){name}}");
    second.kind = FetchKind::Mutation;
    run(
        &executor,
        PlanNode::Sequence(vec![PlanNode::Fetch(first), PlanNode::Fetch(second)]),
        None,
    )
    .await;
    let order: Vec<bool> = accounts
        .received()
        .iter()
        .map(|r| r.body["query"].as_str().unwrap_or_default().contains("first"))
        .collect();
    assert_eq!(order, [true, false]);
}

#[tokio::test]
async fn entity_errors_are_repathed_to_every_location_of_their_representation() {
    let accounts = users_stand_in(json!([
        {"__typename": "User", "id": "1"},
        {"__typename": "User", "id": "2"},
        {"__typename": "User", "id": "1"}
    ]))
    .await;
    let reviews = stand_in(|_| {
        Canned::Json(json!({
            "data": {"_entities": [null, {"reviews": [{"body": "b"}]}]},
            "errors": [
                {"message": "no reviews", "path": ["_entities", 0, "reviews"], "extensions": {"code": "DOWNSTREAM"}},
                {"message": "general"}
            ]
        }))
    })
    .await;
    let executor = executor(&[("accounts", &accounts.url, 2000), ("reviews", &reviews.url, 2000)]);
    let output = run(&executor, users_then_reviews(), None).await;

    let paths: Vec<Option<String>> = output
        .errors
        .iter()
        .map(|e| e.path.as_ref().map(|p| format!("{p:?}")))
        .collect();
    assert_eq!(paths.len(), 3, "{:?}", output.errors);
    let response = shape(USERS_QUERY, &output);
    assert_eq!(
        response["data"],
        json!({"users": [
            {"id": "1", "reviews": null},
            {"id": "2", "reviews": [{"body": "b"}]},
            {"id": "1", "reviews": null}
        ]})
    );
    assert_eq!(
        error_summary(&response),
        [
            (
                "DOWNSTREAM".to_owned(),
                "reviews".to_owned(),
                json!(["users", 0, "reviews"])
            ),
            (
                "DOWNSTREAM".to_owned(),
                "reviews".to_owned(),
                json!(["users", 2, "reviews"])
            ),
            ("SUBGRAPH_REQUEST_FAILED".to_owned(), "reviews".to_owned(), Value::Null),
        ]
    );
}

#[tokio::test]
async fn a_batch_fetch_merges_each_alias_into_its_paths() {
    let accounts = stand_in(|_| {
        Canned::Json(json!({"data": {
            "me": {"__typename": "User", "id": "1"},
            "users": [{"__typename": "User", "id": "1"}, {"__typename": "User", "id": "2"}]
        }}))
    })
    .await;
    let reviews = stand_in(|body| {
        let first = body["variables"]["r0"].as_array().map(Vec::len).unwrap_or_default();
        let second = body["variables"]["r1"].as_array().map(Vec::len).unwrap_or_default();
        let list = |n: usize, tag: &str| (0..n).map(|i| json!({"tag": format!("{tag}{i}")})).collect::<Vec<_>>();
        Canned::Json(json!({"data": {"_e0": list(first, "a"), "_e1": list(first, "b"), "_e2": list(second, "c")}}))
    })
    .await;
    let executor = executor(&[("accounts", &accounts.url, 2000), ("reviews", &reviews.url, 2000)]);
    let alias = |name: &str, variable: &str, paths: &[&str]| EntityBatchAlias {
        alias: name.into(),
        representations_variable: variable.into(),
        merge_paths: paths.iter().map(|p| super::test_support::path(p)).collect(),
        requires: key_of(&["User"]),
        input_rewrites: Vec::new(),
        output_rewrites: Vec::new(),
    };
    let batch = BatchFetchNode {
        id: 1,
        subgraph: "reviews".into(),
        operation: "query($r0:[_Any!]!,$r1:[_Any!]!){_e0:_entities(representations:$r0){...on User{tag}} _e1:_entities(representations:$r0){...on User{tag}} _e2:_entities(representations:$r1){...on User{tag}}}".into(),
        operation_name: None,
        variable_usages: Vec::new(),
        aliases: vec![
            alias("_e0", "r0", &["users.@"]),
            alias("_e1", "r0", &["users.@"]),
            alias("_e2", "r1", &["me"]),
        ],
    };
    let plan = PlanNode::Sequence(vec![
        PlanNode::Fetch(fetch(0, "accounts", "{me{__typename id} users{__typename id}}")),
        PlanNode::BatchFetch(batch),
    ]);
    let output = run(&executor, plan, None).await;
    assert!(output.errors.is_empty(), "{:?}", output.errors);
    let variables = &reviews.received()[0].body["variables"];
    assert_eq!(variables["r0"].as_array().map(Vec::len), Some(2));
    assert_eq!(variables["r1"], json!([{"__typename": "User", "id": "1"}]));
    // `_e0` and `_e1` both land on the users; the later alias wins the shared key.
    assert_eq!(output.data["users"][1]["tag"], "b1");
    assert_eq!(output.data["me"]["tag"], "c0");
}

#[tokio::test]
async fn http2_prior_knowledge_speaks_h2c() {
    let accounts = users_stand_in(json!([])).await;
    let mut endpoint = SubgraphEndpoint::new("accounts", accounts.url.clone(), Duration::from_secs(2));
    endpoint.transport.http2_prior_knowledge = true;
    let clients = SubgraphClients::new([endpoint]).expect("valid endpoint");
    let executor = Executor::new(Arc::new(clients), Arc::new(schema_index()));
    let output = run(&executor, PlanNode::Fetch(fetch(0, "accounts", "{users{id}}")), None).await;
    assert!(output.errors.is_empty(), "{:?}", output.errors);
    assert_eq!(accounts.received()[0].version, http::Version::HTTP_2);
}

#[test]
fn execution_is_a_send_future_so_any_runtime_worker_can_drive_it() {
    fn assert_send<T: Send>(_: &T) {}
    let executor = executor(&[]);
    let plan = QueryPlan { root: None };
    let future = executor.execute(&plan, ExecutionRequest::default());
    assert_send(&future);
}

#[tokio::test]
async fn a_plan_without_fetches_yields_empty_data() {
    let executor = executor(&[]);
    let output = executor
        .execute(&QueryPlan { root: None }, ExecutionRequest::default())
        .await;
    assert_eq!(output.data, json!({}));
    assert_eq!(
        shape("{ __typename }", &output),
        json!({"data": {"__typename": "Query"}})
    );
}
