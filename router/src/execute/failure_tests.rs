//! Every kind of subgraph failure ends in partial data and an error with a code and the subgraph's name,
//! never a panic.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::test_server::{Canned, hang_up, refused, stand_in};
use super::test_support::fetch;
use super::tests::{USERS_QUERY, error_summary, executor, run, shape, users_stand_in, users_then_reviews};
use crate::plan::model::PlanNode;

/// Runs users → reviews with the reviews stand-in answering `reply`, and returns the shaped response.
async fn with_reviews_answering(reply: Canned) -> Value {
    let accounts = users_stand_in(json!([{"__typename": "User", "id": "1"}, {"__typename": "User", "id": "2"}])).await;
    let reply = Arc::new(parking_lot::Mutex::new(Some(reply)));
    let reviews = stand_in(move |_| reply.lock().take().unwrap_or(Canned::Raw(500, "used twice"))).await;
    let executor = executor(&[("accounts", &accounts.url, 2000), ("reviews", &reviews.url, 300)]);
    let output = run(&executor, users_then_reviews(), None).await;
    shape(USERS_QUERY, &output)
}

fn users_without_reviews() -> Value {
    json!({"users": [{"id": "1", "reviews": null}, {"id": "2", "reviews": null}]})
}

fn one_error(response: &Value, code: &str) {
    assert_eq!(
        error_summary(response),
        [(code.to_owned(), "reviews".to_owned(), Value::Null)],
        "{response}"
    );
}

#[tokio::test]
async fn malformed_json_from_a_subgraph_keeps_the_other_data() {
    let response = with_reviews_answering(Canned::Raw(200, r#"{"data": {"_entities": [{"reviews""#)).await;
    assert_eq!(response["data"], users_without_reviews());
    one_error(&response, "SUBGRAPH_REQUEST_FAILED");
}

#[tokio::test]
async fn an_http_500_keeps_the_other_data() {
    let response = with_reviews_answering(Canned::Raw(500, "Internal Server Error")).await;
    assert_eq!(response["data"], users_without_reviews());
    one_error(&response, "SUBGRAPH_REQUEST_FAILED");
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("reviews"))
    );
}

#[tokio::test]
async fn a_timeout_has_its_own_code() {
    let slow = Canned::Slow(Duration::from_secs(3), json!({"data": {"_entities": []}}));
    let started = Instant::now();
    let response = with_reviews_answering(slow).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(response["data"], users_without_reviews());
    one_error(&response, "SUBGRAPH_TIMEOUT");
}

#[tokio::test]
async fn fewer_entities_than_representations_merge_nothing_and_report_it() {
    let response = with_reviews_answering(Canned::Json(json!({"data": {"_entities": [{"reviews": []}]}}))).await;
    assert_eq!(response["data"], users_without_reviews());
    one_error(&response, "SUBGRAPH_REQUEST_FAILED");
}

#[tokio::test]
async fn more_entities_than_representations_merge_nothing_and_report_it() {
    // Entities pair with representations by position; with a different count, one user's entity could land on
    // another's: nothing is merged.
    let extra = json!({"data": {"_entities": [{"reviews": []}, {"reviews": []}, {"reviews": [{"body": "x"}]}]}});
    let response = with_reviews_answering(Canned::Json(extra)).await;
    assert_eq!(response["data"], users_without_reviews());
    one_error(&response, "SUBGRAPH_REQUEST_FAILED");
}

#[tokio::test]
async fn entities_that_are_not_a_list_or_not_objects_are_refused_without_panicking() {
    for reply in [
        json!({"data": {"_entities": {"0": {}}}}),
        json!({"data": {"_entities": [5, "x"]}}),
        json!({"data": {"_entities": null}}),
        json!({"data": {}}),
        json!({"data": {"_entities": [{"reviews": 7}, {"reviews": [{"body": 1}]}]}}),
    ] {
        let response = with_reviews_answering(Canned::Json(reply.clone())).await;
        assert_eq!(response["data"]["users"][0]["id"], "1", "{reply}");
        assert!(!error_summary(&response).is_empty(), "{reply}: {response}");
    }
}

#[tokio::test]
async fn a_closed_connection_and_a_refused_one_fail_only_their_fetch() {
    for url in [hang_up().await, refused().await] {
        let accounts = users_stand_in(json!([{"__typename": "User", "id": "1"}])).await;
        let executor = executor(&[("accounts", &accounts.url, 2000), ("reviews", &url, 2000)]);
        let output = run(&executor, users_then_reviews(), None).await;
        let response = shape(USERS_QUERY, &output);
        assert_eq!(response["data"], json!({"users": [{"id": "1", "reviews": null}]}));
        one_error(&response, "SUBGRAPH_REQUEST_FAILED");
    }
}

#[tokio::test]
async fn a_failed_root_fetch_nulls_its_fields_and_others_are_served() {
    let accounts = stand_in(|_| Canned::Raw(503, "unavailable")).await;
    let products = stand_in(|_| Canned::Json(json!({"data": {"products": [{"__typename": "Book", "id": "b"}]}}))).await;
    let executor = executor(&[("accounts", &accounts.url, 2000), ("products", &products.url, 2000)]);
    let plan = PlanNode::Parallel(vec![
        PlanNode::Fetch(fetch(0, "accounts", "{me{name}}")),
        PlanNode::Fetch(fetch(1, "products", "{products{__typename id}}")),
    ]);
    let output = run(&executor, plan, None).await;
    let response = shape("{ me { name } products { id } }", &output);
    assert_eq!(response["data"], json!({"me": null, "products": [{"id": "b"}]}));
    assert_eq!(
        error_summary(&response),
        [("SUBGRAPH_REQUEST_FAILED".to_owned(), "accounts".to_owned(), Value::Null)]
    );
}

#[tokio::test]
async fn a_null_for_a_non_null_root_field_nulls_data() {
    let products = stand_in(|_| Canned::Json(json!({"data": {"top": null}}))).await;
    let executor = executor(&[("products", &products.url, 2000)]);
    let output = run(&executor, PlanNode::Fetch(fetch(0, "products", "{top{id}}")), None).await;
    let response = shape("{ top { id } }", &output);
    assert_eq!(response["data"], Value::Null);
    assert_eq!(response["errors"][0]["path"], json!(["top"]));
    assert_eq!(response["errors"][0]["extensions"]["code"], "SUBGRAPH_REQUEST_FAILED");
}

#[tokio::test]
async fn a_scalar_where_an_object_belongs_is_no_entity_and_nulls_in_the_response() {
    let accounts = users_stand_in(json!("not a list")).await;
    let reviews = stand_in(|_| Canned::Json(json!({"data": {"_entities": []}}))).await;
    let executor = executor(&[("accounts", &accounts.url, 2000), ("reviews", &reviews.url, 2000)]);
    let output = run(&executor, users_then_reviews(), None).await;
    assert!(reviews.received().is_empty());
    let response = shape(USERS_QUERY, &output);
    assert_eq!(response["data"], Value::Null);
    assert_eq!(response["errors"][0]["path"], json!(["users"]));
}

#[tokio::test]
async fn root_errors_keep_their_path_and_code() {
    let accounts = stand_in(|_| {
        Canned::Json(json!({
            "data": {"me": {"name": null}},
            "errors": [{"message": "hidden", "path": ["me", "name"], "extensions": {"code": "FORBIDDEN"}}]
        }))
    })
    .await;
    let executor = executor(&[("accounts", &accounts.url, 2000)]);
    let output = run(&executor, PlanNode::Fetch(fetch(0, "accounts", "{me{name}}")), None).await;
    let response = shape("{ me { name } }", &output);
    assert_eq!(response["data"], json!({"me": null}));
    assert_eq!(
        error_summary(&response),
        [("FORBIDDEN".to_owned(), "accounts".to_owned(), json!(["me", "name"]))]
    );
}
