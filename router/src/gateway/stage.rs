//! The execution stage that joins the pipeline's stages: plan, execute, shape the response.

use std::sync::Arc;

use http::HeaderMap;
use http::header::{AUTHORIZATION, HeaderName};
use kernel::error_code::ErrorCode;
use serde_json::{Map, Value};

use crate::execute::{ExecutionRequest, Executor};
use crate::http::{CachedOperation, ExecutionStage, GraphQLResponse, RequestContext};
use crate::operation::{GraphQLError, PreparedOperation};
use crate::plan::{PlannedOperation, QueryPlanner};
use crate::response::{Projection, SchemaIndex};

/// What a warm request reuses besides the validated operation: the plan and the response projection.
#[derive(Debug)]
pub struct PlannedEntry {
    planned: PlannedOperation,
    projection: Projection,
}

/// Plans operations on a cache miss, and runs cached plans through our executor and response shaping.
pub struct FederatedStage {
    planner: QueryPlanner,
    executor: Executor,
    schema: Arc<SchemaIndex>,
}

impl FederatedStage {
    /// A stage planning with `planner` and fetching through `executor`, shaping by `schema`.
    pub fn new(planner: QueryPlanner, executor: Executor, schema: Arc<SchemaIndex>) -> Self {
        Self {
            planner,
            executor,
            schema,
        }
    }
}

#[async_trait::async_trait]
impl ExecutionStage for FederatedStage {
    type Prepared = PlannedEntry;

    async fn prepare(&self, operation: &PreparedOperation) -> Result<PlannedEntry, GraphQLError> {
        let planned = self
            .planner
            .plan(operation.document(), operation.name())
            .await
            .map_err(|error| GraphQLError::new(error.code(), error.client_message()))?;
        let projection = Projection::build(&self.schema, planned.operation()).map_err(|error| {
            tracing::error!(%error, "building the response projection failed");
            GraphQLError::new(ErrorCode::InternalServerError, "the operation could not be prepared")
        })?;
        Ok(PlannedEntry { planned, projection })
    }

    async fn execute(
        &self,
        operation: &CachedOperation<PlannedEntry>,
        variables: Map<String, Value>,
        context: &RequestContext,
    ) -> GraphQLResponse {
        let Some(entry) = &operation.prepared else {
            // The pipeline answers introspection-only operations itself and never hands them here.
            let error = GraphQLError::new(ErrorCode::InternalServerError, "the operation was not planned");
            return GraphQLResponse::error(error, context.format);
        };
        let headers = forwarded_headers(&context.headers);
        let request = ExecutionRequest {
            variables: Some(&variables),
            headers: (!headers.is_empty()).then_some(&headers),
        };
        let output = self.executor.execute(entry.planned.plan(), request).await;
        let mut body = Vec::with_capacity(1024);
        entry
            .projection
            .write_response(&output.data, &output.errors, Some(&variables), &mut body);
        GraphQLResponse::ok(body)
    }
}

/// Client headers that subgraphs receive: the credentials they verify themselves and the trace context. The rest
/// (`content-length`, `host`, encodings, …) describe the client's own request and would corrupt the subgraph's.
const FORWARDED_HEADERS: [HeaderName; 4] = [
    AUTHORIZATION,
    HeaderName::from_static("traceparent"),
    HeaderName::from_static("tracestate"),
    HeaderName::from_static("baggage"),
];

fn forwarded_headers(client: &HeaderMap) -> HeaderMap {
    let mut forwarded = HeaderMap::new();
    for name in &FORWARDED_HEADERS {
        for value in client.get_all(name) {
            forwarded.append(name.clone(), value.clone());
        }
    }
    forwarded
}
