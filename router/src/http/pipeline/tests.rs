use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::{HeaderMap, StatusCode};
use kernel::error_code::ErrorCode;
use serde_json::{Map, Value, json};

use super::{CachedOperation, ExecutionStage, OperationPipeline};
use crate::http::{GraphQLHandler, GraphQLRequest, GraphQLResponse, RequestContext, RequestMethod, ResponseFormat};
use crate::operation::test_schema::schema;
use crate::operation::{GraphQLError, OperationPolicy, PreparedOperation};

/// Answers every operation with its name and variables, counting how often it prepares.
#[derive(Default)]
struct EchoStage {
    prepared: AtomicUsize,
}

#[async_trait::async_trait]
impl ExecutionStage for EchoStage {
    type Prepared = String;

    async fn prepare(&self, operation: &PreparedOperation) -> Result<String, GraphQLError> {
        self.prepared.fetch_add(1, Ordering::SeqCst);
        if operation.name() == Some("Unplannable") {
            return Err(GraphQLError::new(ErrorCode::InternalServerError, "cannot plan"));
        }
        Ok(operation.name().unwrap_or("anonymous").to_owned())
    }

    async fn execute(
        &self,
        operation: &CachedOperation<String>,
        variables: Map<String, Value>,
        _context: &RequestContext,
    ) -> GraphQLResponse {
        let body = json!({"data": {"plan": operation.prepared, "variables": variables}});
        GraphQLResponse::ok(body.to_string())
    }
}

fn pipeline() -> OperationPipeline<EchoStage> {
    let policy = OperationPolicy {
        introspection_enabled: true,
        ..OperationPolicy::default()
    };
    OperationPipeline::new(Arc::new(schema()), policy, 100, EchoStage::default())
}

fn context(method: RequestMethod, format: ResponseFormat) -> RequestContext {
    RequestContext {
        method,
        format,
        headers: HeaderMap::new(),
        peer: None,
        claims: None,
    }
}

fn request(query: &str, variables: Value) -> GraphQLRequest {
    GraphQLRequest {
        query: query.to_owned(),
        variables: variables.as_object().cloned(),
        ..GraphQLRequest::default()
    }
}

fn body(response: &GraphQLResponse) -> Value {
    serde_json::from_slice(&response.body).expect("JSON body")
}

#[tokio::test]
async fn operation_is_prepared_once_then_served_from_the_cache() {
    let pipeline = pipeline();
    let query = "query Me($id: ID!) { user(id: $id) { id } }";
    for id in ["1", "2"] {
        let response = pipeline
            .execute(
                request(query, json!({"id": id})),
                context(RequestMethod::Post, ResponseFormat::Json),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(
            body(&response),
            json!({"data": {"plan": "Me", "variables": {"id": id}}})
        );
    }
    assert_eq!(pipeline.stage.prepared.load(Ordering::SeqCst), 1);
    let stats = pipeline.cache_stats();
    assert_eq!((stats.hits, stats.misses), (1, 1));
}

#[tokio::test]
async fn introspection_only_operations_never_reach_the_stage() {
    let pipeline = pipeline();
    let response = pipeline
        .execute(
            request("{ __typename }", Value::Null),
            context(RequestMethod::Get, ResponseFormat::Json),
        )
        .await;
    assert_eq!(body(&response), json!({"data": {"__typename": "Query"}}));
    assert_eq!(pipeline.stage.prepared.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn request_errors_follow_the_negotiated_format() {
    let pipeline = pipeline();
    let graphql = pipeline
        .execute(
            request("{ nope }", Value::Null),
            context(RequestMethod::Post, ResponseFormat::GraphQLResponseJson),
        )
        .await;
    assert_eq!(graphql.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body(&graphql)["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    let legacy = pipeline
        .execute(
            request("{ nope }", Value::Null),
            context(RequestMethod::Post, ResponseFormat::Json),
        )
        .await;
    assert_eq!(legacy.status, StatusCode::OK);
}

#[tokio::test]
async fn mutation_over_get_is_refused_even_when_cached() {
    let pipeline = pipeline();
    let mutation = "mutation { createPost(input: { title: \"t\" }) { id } }";
    let post = pipeline
        .execute(
            request(mutation, Value::Null),
            context(RequestMethod::Post, ResponseFormat::Json),
        )
        .await;
    assert_eq!(post.status, StatusCode::OK);
    let get = pipeline
        .execute(
            request(mutation, Value::Null),
            context(RequestMethod::Get, ResponseFormat::Json),
        )
        .await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body(&get)["errors"][0]["extensions"]["code"], "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn bad_variables_are_bad_user_input() {
    let pipeline = pipeline();
    let response = pipeline
        .execute(
            request("query($id: ID!) { user(id: $id) { id } }", json!({})),
            context(RequestMethod::Post, ResponseFormat::GraphQLResponseJson),
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    let error = &body(&response)["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
    assert!(error["message"].as_str().is_some_and(|m| m.contains("$id")));
}

#[tokio::test]
async fn stage_errors_are_answered_and_not_cached() {
    let pipeline = pipeline();
    let query = "query Unplannable { me { id } }";
    for _ in 0..2 {
        let response = pipeline
            .execute(
                request(query, Value::Null),
                context(RequestMethod::Post, ResponseFormat::Json),
            )
            .await;
        assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            body(&response)["errors"][0]["extensions"]["code"],
            "INTERNAL_SERVER_ERROR"
        );
    }
    assert_eq!(pipeline.stage.prepared.load(Ordering::SeqCst), 2);
}
