//! The plan stage's entry point: a validated operation in, our query plan and the normalized operation out.

use std::sync::Arc;
use std::time::Duration;

use graphql_tools::static_graphql::query::{Definition, Document, OperationDefinition as QueryOperation};
use hive_router_query_planner::ast::document::NormalizedDocument;
use hive_router_query_planner::ast::normalization::{create_normalized_document, normalize_operation_mut};
use hive_router_query_planner::ast::operation::OperationDefinition;
use hive_router_query_planner::graph::PlannerOverrideContext;
use hive_router_query_planner::state::supergraph_state::OperationKind;
use hive_router_query_planner::utils::cancellation::CancellationToken;

use super::config::PlanConfig;
use super::convert::convert_query_plan;
use super::error::PlanError;
use super::guard::run_guarded;
use super::model::{FetchKind, QueryPlan};
use super::overrides::OverrideContext;
use super::shared::{self, SharedPlans, StoredPlan};
use crate::supergraph::Supergraph;
use crate::telemetry::RouterMetrics;

/// Plans operations against one supergraph. Cheap to clone; planning runs on blocking threads under a deadline.
#[derive(Debug, Clone)]
pub struct QueryPlanner {
    supergraph: Arc<Supergraph>,
    deadline: Duration,
    shared: Option<SharedPlans>,
    metrics: Option<RouterMetrics>,
}

/// What planning one operation needs besides the document.
#[derive(Debug, Clone, Default)]
pub struct PlanContext {
    /// The operation's hash as the operation cache knows it, for logs; computed from the document when absent.
    pub operation_hash: Option<u64>,
    /// The request's progressive-override labels; the default is the planner's (no custom label on, a roll of 0).
    pub overrides: OverrideContext,
}

/// A planned operation: what the executor runs and what response shaping reads. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PlannedOperation {
    plan: Arc<QueryPlan>,
    normalized: Arc<NormalizedDocument>,
}

impl PlannedOperation {
    /// The plan to execute.
    pub fn plan(&self) -> &Arc<QueryPlan> {
        &self.plan
    }

    /// The normalized operation (fragments inlined, abstract selections expanded, skipped fields dropped) that the
    /// plan was made from; response shaping projects subgraph data onto it.
    pub fn normalized(&self) -> &NormalizedDocument {
        &self.normalized
    }

    /// The normalized operation's definition.
    pub fn operation(&self) -> &OperationDefinition {
        &self.normalized.operation
    }

    /// The operation's name: the requested one, or the document's own.
    pub fn operation_name(&self) -> Option<&str> {
        self.normalized.operation_name.as_deref()
    }

    /// Whether it is a query or a mutation.
    pub fn kind(&self) -> FetchKind {
        match self.normalized.operation.operation_kind {
            Some(OperationKind::Mutation) => FetchKind::Mutation,
            _ => FetchKind::Query,
        }
    }
}

impl QueryPlanner {
    /// A planner for `supergraph` with the deadline from `config`.
    pub fn new(supergraph: Arc<Supergraph>, config: &PlanConfig) -> Self {
        Self {
            supergraph,
            deadline: Duration::from_millis(config.timeout_ms),
            shared: None,
            metrics: None,
        }
    }

    /// The same planner reading and writing plans in the shared tier `shared` as well.
    pub fn with_shared_plans(mut self, shared: SharedPlans) -> Self {
        self.shared = Some(shared);
        self
    }

    /// The same planner counting where its plans came from in `metrics`.
    pub fn with_metrics(mut self, metrics: RouterMetrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    fn count(&self, source: &str) {
        if let Some(metrics) = &self.metrics {
            metrics.plan(source);
        }
    }

    /// The supergraph it plans against.
    pub fn supergraph(&self) -> &Arc<Supergraph> {
        &self.supergraph
    }

    /// Plans `operation_name` (or the only operation) of a parsed, validated `document`, with the default
    /// override context.
    pub async fn plan(&self, document: &Document, operation_name: Option<&str>) -> Result<PlannedOperation, PlanError> {
        self.plan_with_context(document, operation_name, &PlanContext::default())
            .await
    }

    /// Plans like [`QueryPlanner::plan`] for a request with its own override labels and a known operation hash.
    pub async fn plan_with_context(
        &self,
        document: &Document,
        operation_name: Option<&str>,
        context: &PlanContext,
    ) -> Result<PlannedOperation, PlanError> {
        // Checked here, before a thread and a copy of the document are spent on a request that names no operation.
        check_operation_selection(document, operation_name)?;
        // Only the default override context is shared: the other contexts are per request and cheap to keep local.
        let shared = match &self.shared {
            Some(shared) if context.overrides == OverrideContext::default() => {
                let key = shared::key(self.supergraph.fingerprint(), &document.to_string(), operation_name);
                Some((shared, key))
            }
            _ => None,
        };
        if let Some((shared, key)) = &shared
            && let Some(stored) = shared.get(key).await
        {
            match stored.normalized(&self.supergraph.planner().supergraph) {
                Some(normalized) => {
                    self.count("shared_cache");
                    return Ok(PlannedOperation {
                        plan: Arc::new(stored.plan),
                        normalized: Arc::new(normalized),
                    });
                }
                None => tracing::warn!(key, "a shared plan's operation does not read back; planning instead"),
            }
        }
        let keep = shared.is_some();
        let supergraph = Arc::clone(&self.supergraph);
        // Normalization rewrites the document, so it works on its own copy, as the library would make anyway.
        let document_copy = document.clone();
        let name = operation_name.map(str::to_owned);
        let overrides = context.overrides.to_planner_context();
        let deadline = self.deadline;
        let result = self
            .run(move |token| {
                plan_operation(
                    &supergraph,
                    document_copy,
                    name.as_deref(),
                    overrides,
                    deadline,
                    token,
                    keep,
                )
            })
            .await;
        match result {
            Ok((planned, stored)) => {
                self.count("planner");
                if let (Some((shared, key)), Some(stored)) = (&shared, stored) {
                    shared.put(key, &stored).await;
                }
                Ok(planned)
            }
            Err(error) => {
                log_failure(&error, operation_name, || {
                    context.operation_hash.unwrap_or_else(|| document_hash(document))
                });
                Err(error)
            }
        }
    }

    /// Runs planning work under this planner's deadline and panic guard.
    async fn run<T, F>(&self, work: F) -> Result<T, PlanError>
    where
        T: Send + 'static,
        F: FnOnce(&CancellationToken) -> Result<T, PlanError> + Send + 'static,
    {
        run_guarded(self.deadline, work).await
    }
}

fn plan_operation(
    supergraph: &Supergraph,
    mut document: Document,
    operation_name: Option<&str>,
    overrides: PlannerOverrideContext,
    deadline: Duration,
    token: &CancellationToken,
    keep: bool,
) -> Result<(PlannedOperation, Option<StoredPlan>), PlanError> {
    let planner = supergraph.planner();
    let deadline_ms = u64::try_from(deadline.as_millis()).unwrap_or(u64::MAX);
    normalize_operation_mut(&planner.supergraph, &mut document, operation_name, None, None)
        .map_err(PlanError::from_normalization)?;
    let operation = document
        .definitions
        .into_iter()
        .find_map(|definition| match definition {
            Definition::Operation(operation) => Some(operation),
            Definition::Fragment(_) => None,
        })
        .ok_or_else(|| PlanError::OperationSelection("the document contains no operation".to_owned()))?;
    let name = operation_name
        .map(str::to_owned)
        .or_else(|| declared_name(&operation).map(str::to_owned));
    let normalized = create_normalized_document(&planner.supergraph, operation, name);
    let plan = planner
        .plan_from_normalized_operation(&normalized.operation, overrides, token)
        .map_err(|error| match token.bail_if_cancelled() {
            Err(cancellation) => PlanError::from_cancellation(cancellation, deadline_ms),
            Ok(()) => PlanError::Planning(error.to_string()),
        })?;
    let planned = PlannedOperation {
        plan: Arc::new(convert_query_plan(&plan)?),
        normalized: Arc::new(normalized),
    };
    let stored = keep.then(|| StoredPlan::new(&planned.plan, &planned.normalized));
    Ok((planned, stored))
}

/// Finds the operation that would run, as GraphQL's GetOperation does: the named one, or the only one. The planning
/// library would silently take the first of several; and a subscription is refused here so the client learns it is
/// unsupported rather than that the schema has no subscription type.
fn check_operation_selection(document: &Document, operation_name: Option<&str>) -> Result<(), PlanError> {
    let mut operations = document.definitions.iter().filter_map(|definition| match definition {
        Definition::Operation(operation) => Some(operation),
        Definition::Fragment(_) => None,
    });
    let selected = match operation_name {
        Some(name) => operations
            .find(|operation| declared_name(operation) == Some(name))
            .ok_or_else(|| {
                PlanError::OperationSelection(format!("the document contains no operation named \"{name}\""))
            })?,
        None => match (operations.next(), operations.next()) {
            (Some(only), None) => only,
            (None, _) => {
                return Err(PlanError::OperationSelection(
                    "the document contains no operation".to_owned(),
                ));
            }
            (Some(_), Some(_)) => {
                return Err(PlanError::OperationSelection(
                    "the document contains several operations; the request must name the one to run".to_owned(),
                ));
            }
        },
    };
    match selected {
        QueryOperation::Subscription(_) => Err(PlanError::Unsupported("subscriptions")),
        _ => Ok(()),
    }
}

fn declared_name(operation: &QueryOperation) -> Option<&str> {
    match operation {
        QueryOperation::Query(query) => query.name.as_deref(),
        QueryOperation::Mutation(mutation) => mutation.name.as_deref(),
        QueryOperation::Subscription(subscription) => subscription.name.as_deref(),
        QueryOperation::SelectionSet(_) => None,
    }
}

/// Logs a failure the client only sees as a code: the operation's hash lets an operator find and replay it.
fn log_failure(error: &PlanError, operation_name: Option<&str>, hash: impl FnOnce() -> u64) {
    let operation_name = operation_name.unwrap_or_default();
    match error {
        PlanError::Unsupported(_) | PlanError::OperationSelection(_) | PlanError::Interrupted(_) => {}
        PlanError::Timeout { .. } => {
            let operation_hash = format!("{:016x}", hash());
            tracing::warn!(operation_hash, operation_name, %error, "query planning timed out");
        }
        PlanError::Normalization(_) | PlanError::Planning(_) | PlanError::Conversion(_) | PlanError::Panicked(_) => {
            let operation_hash = format!("{:016x}", hash());
            tracing::error!(operation_hash, operation_name, %error, "query planning failed");
        }
    }
}

/// A stable hash of the document's text, for logs when the caller did not pass the cache's hash.
fn document_hash(document: &Document) -> u64 {
    xxhash_rust::xxh3::xxh3_64(document.to_string().as_bytes())
}

#[cfg(test)]
#[path = "planner_tests.rs"]
mod tests;
