//! The request pipeline behind the HTTP edge: the operation cache, the operation stage and introspection, then
//! an [`ExecutionStage`] for everything that needs subgraphs.

use std::sync::Arc;

use serde_json::{Map, Value};
use tracing::Instrument;

use super::handler::{GraphQLHandler, GraphQLResponse, RequestContext, RequestMethod};
use super::request::GraphQLRequest;
use crate::cache::{CacheStats, OperationCache, OperationKey};
use crate::operation::{
    GraphQLError, OperationPolicy, OperationSchema, PreparedOperation, RequestError, coerce_variables, introspection,
    prepare_document,
};
use crate::telemetry::RouterMetrics;

/// The stages after the operation stage (planning, execution, response shaping), as the pipeline calls them.
#[async_trait::async_trait]
pub trait ExecutionStage: Send + Sync + 'static {
    /// What the stage derives once per operation and keeps in the operation cache (e.g. the query plan).
    type Prepared: Send + Sync + 'static;

    /// Derives [`ExecutionStage::Prepared`] for a validated operation that needs subgraphs; called on a cache
    /// miss only. An error is answered to the client (and not cached).
    async fn prepare(&self, operation: &PreparedOperation) -> Result<Self::Prepared, GraphQLError>;

    /// Runs the operation with its coerced variables.
    async fn execute(
        &self,
        operation: &CachedOperation<Self::Prepared>,
        variables: Map<String, Value>,
        context: &RequestContext,
    ) -> GraphQLResponse;
}

/// One operation cache entry: the validated operation and what the execution stage derived from it.
#[derive(Debug)]
pub struct CachedOperation<P> {
    /// The validated operation.
    pub operation: PreparedOperation,
    /// The execution stage's part; `None` for introspection-only operations, which the router answers alone.
    pub prepared: Option<P>,
}

/// A [`GraphQLHandler`] that validates (or finds in its cache) each operation, answers introspection, and
/// hands the rest to its [`ExecutionStage`].
pub struct OperationPipeline<S: ExecutionStage> {
    schema: Arc<OperationSchema>,
    policy: OperationPolicy,
    cache: OperationCache<CachedOperation<S::Prepared>>,
    stage: S,
    metrics: Option<RouterMetrics>,
}

impl<S: ExecutionStage> std::fmt::Debug for OperationPipeline<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperationPipeline")
            .field("policy", &self.policy)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl<S: ExecutionStage> OperationPipeline<S> {
    /// A pipeline over `schema` caching up to `cache_capacity` operations.
    pub fn new(schema: Arc<OperationSchema>, policy: OperationPolicy, cache_capacity: usize, stage: S) -> Self {
        Self {
            schema,
            policy,
            cache: OperationCache::new(cache_capacity),
            stage,
            metrics: None,
        }
    }

    /// The same pipeline counting operation cache hits and misses in `metrics`.
    pub fn with_metrics(mut self, metrics: RouterMetrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// The operation cache's counters.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// The cached operation for `request`, preparing and caching it on a miss.
    async fn operation(
        &self,
        request: &GraphQLRequest,
        method: RequestMethod,
    ) -> Result<Arc<CachedOperation<S::Prepared>>, Refusal> {
        let key = OperationKey::new(&request.query, request.operation_name.as_deref());
        let cached = self.cache.get(&key);
        if let Some(metrics) = &self.metrics {
            metrics.cache_lookup(cached.is_some());
        }
        if let Some(cached) = cached {
            return Ok(cached);
        }
        let operation = prepare_document(
            &self.schema,
            &request.query,
            request.operation_name.as_deref(),
            &self.policy,
        )?;
        // Refuse a GET mutation before the execution stage spends time on it.
        if method == RequestMethod::Get {
            operation.ensure_allowed_over_get()?;
        }
        let prepared = if operation.is_introspection_only() {
            None
        } else {
            let planning = self.stage.prepare(&operation).instrument(tracing::info_span!("plan"));
            Some(planning.await.map_err(Refusal::Stage)?)
        };
        Ok(self
            .cache
            .insert(&key, Arc::new(CachedOperation { operation, prepared })))
    }
}

/// Why the pipeline answered before execution.
enum Refusal {
    Request(RequestError),
    Stage(GraphQLError),
}

impl From<RequestError> for Refusal {
    fn from(error: RequestError) -> Self {
        Self::Request(error)
    }
}

#[async_trait::async_trait]
impl<S: ExecutionStage> GraphQLHandler for OperationPipeline<S> {
    async fn execute(&self, request: GraphQLRequest, context: RequestContext) -> GraphQLResponse {
        let refused = |refusal: Refusal| match refusal {
            Refusal::Request(error) => GraphQLResponse::request_error(&error, context.format),
            Refusal::Stage(error) => GraphQLResponse::error(error, context.format),
        };
        let cached = match self.operation(&request, context.method).await {
            Ok(cached) => cached,
            Err(refusal) => return refused(refusal),
        };
        if context.method == RequestMethod::Get
            && let Err(error) = cached.operation.ensure_allowed_over_get()
        {
            return refused(error.into());
        }
        let variables = match coerce_variables(&self.schema, &cached.operation, request.variables) {
            Ok(variables) => variables,
            Err(error) => return refused(error.into()),
        };
        match &cached.prepared {
            None => GraphQLResponse::ok(introspection::response_body(
                &self.schema,
                &cached.operation,
                &variables,
            )),
            Some(_) => {
                let span = tracing::info_span!("execute");
                self.stage.execute(&cached, variables, &context).instrument(span).await
            }
        }
    }
}

#[cfg(test)]
mod tests;
