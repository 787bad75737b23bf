//! The execution stage that joins the pipeline's stages: plan, execute, shape the response.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use kernel::error_code::ErrorCode;
use serde_json::{Map, Value};

use super::headers::HeaderRules;
use crate::auth::enforce::{Caller, Restricted, restrict};
use crate::auth::requirements::{AccessRequirements, PolicyRule};
use crate::execute::{ExecutionRequest, Executor};
use crate::http::{CachedOperation, ExecutionStage, GraphQLResponse, RequestContext};
use crate::operation::{GraphQLError, PreparedOperation};
use crate::plan::{OverrideContext, PlanContext, PlannedOperation, QueryPlan, QueryPlanner};
use crate::response::{Projection, SchemaIndex};

/// What a warm request reuses besides the validated operation: the plan and the response projection.
#[derive(Debug)]
pub struct PlannedEntry {
    /// The plan for the planner's default override context (no label on, a roll of 0).
    planned: PlannedOperation,
    projection: Projection,
    /// Plans for the other progressive-override contexts, made on first use; a supergraph without progressive
    /// `@override` never fills it.
    variants: parking_lot::RwLock<HashMap<OverrideContext, Arc<QueryPlan>>>,
    /// Plans of the operation with guarded fields taken out, by the fingerprint of what was taken out; a
    /// supergraph without `@authenticated`/`@requiresScopes`/`@policy` never fills it.
    restricted: parking_lot::RwLock<HashMap<u64, Arc<QueryPlan>>>,
}

/// Plans operations on a cache miss, and runs cached plans through our executor and response shaping.
pub struct FederatedStage {
    planner: QueryPlanner,
    executor: Executor,
    schema: Arc<SchemaIndex>,
    /// Whether the supergraph has progressive `@override` labels, so plans depend on the request's roll.
    progressive: bool,
    /// Requests seen, hashed into each request's override roll.
    rolls: AtomicU64,
    /// Which client headers the subgraphs receive.
    headers: HeaderRules,
    /// The fields the supergraph guards, and the policy rules they are judged by.
    access: Arc<AccessRequirements>,
    policies: Arc<BTreeMap<String, PolicyRule>>,
}

impl FederatedStage {
    /// A stage planning with `planner` and fetching through `executor`, shaping by `schema`.
    pub fn new(planner: QueryPlanner, executor: Executor, schema: Arc<SchemaIndex>) -> Self {
        let access = Arc::clone(planner.supergraph().access_requirements());
        let overrides = &planner.supergraph().planner().supergraph.progressive_overrides;
        let progressive = !overrides.flags.is_empty() || !overrides.percentages.is_empty();
        Self {
            planner,
            executor,
            schema,
            progressive,
            rolls: AtomicU64::new(0),
            headers: HeaderRules::default(),
            access,
            policies: Arc::new(BTreeMap::new()),
        }
    }

    /// The same stage judging `@policy` by `policies` (`[auth.policies]`); without them every policy fails.
    pub fn with_policies(mut self, policies: BTreeMap<String, PolicyRule>) -> Self {
        self.policies = Arc::new(policies);
        self
    }

    /// The plan of `operation` with the fields `restricted` took out, made once per distinct restriction.
    async fn restricted_plan(
        &self,
        operation: &CachedOperation<PlannedEntry>,
        entry: &PlannedEntry,
        restricted: &Restricted,
    ) -> Result<Arc<QueryPlan>, GraphQLError> {
        if let Some(plan) = entry.restricted.read().get(&restricted.fingerprint) {
            return Ok(Arc::clone(plan));
        }
        let planned = self
            .planner
            .plan(&restricted.document, operation.operation.name())
            .await
            .map_err(|error| GraphQLError::new(error.code(), error.client_message()))?;
        let plan = Arc::clone(planned.plan());
        entry
            .restricted
            .write()
            .insert(restricted.fingerprint, Arc::clone(&plan));
        Ok(plan)
    }

    /// The same stage forwarding client headers by `rules` rather than the defaults.
    pub fn with_header_rules(mut self, rules: HeaderRules) -> Self {
        self.headers = rules;
        self
    }

    /// A roll in `[0, 100)` for one request. Hashing a counter spreads consecutive requests evenly, so a
    /// `percent(p)` override takes its share of traffic without a random source on the hot path.
    fn roll(&self) -> f64 {
        let n = self.rolls.fetch_add(1, Ordering::Relaxed);
        let hash = xxhash_rust::xxh3::xxh3_64(&n.to_le_bytes());
        (hash % 1_000_000) as f64 / 10_000.0
    }

    /// The plan for this request: the cached default one, or the one for the request's override context.
    async fn plan_for_request(
        &self,
        operation: &CachedOperation<PlannedEntry>,
        entry: &PlannedEntry,
    ) -> Result<Arc<QueryPlan>, GraphQLError> {
        if !self.progressive {
            return Ok(Arc::clone(entry.planned.plan()));
        }
        let context = OverrideContext::resolve(self.planner.supergraph(), std::iter::empty(), self.roll());
        if context == OverrideContext::default() {
            return Ok(Arc::clone(entry.planned.plan()));
        }
        if let Some(plan) = entry.variants.read().get(&context) {
            return Ok(Arc::clone(plan));
        }
        let request = PlanContext {
            operation_hash: None,
            overrides: context.clone(),
        };
        let planned = self
            .planner
            .plan_with_context(operation.operation.document(), operation.operation.name(), &request)
            .await
            .map_err(|error| GraphQLError::new(error.code(), error.client_message()))?;
        let plan = Arc::clone(planned.plan());
        entry.variants.write().insert(context, Arc::clone(&plan));
        Ok(plan)
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
        Ok(PlannedEntry {
            planned,
            projection,
            variants: parking_lot::RwLock::new(HashMap::new()),
            restricted: parking_lot::RwLock::new(HashMap::new()),
        })
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
        let headers = self.headers.apply(&context.headers, context.peer);
        let request = ExecutionRequest {
            variables: Some(&variables),
            headers: (!headers.is_empty()).then_some(&headers),
        };
        let caller = Caller {
            claims: context.claims.as_deref(),
            policies: &self.policies,
        };
        let restricted = restrict(&operation.operation, &self.schema, &self.access, &caller);
        let plan = match &restricted {
            None => self.plan_for_request(operation, entry).await,
            Some(restricted) => self.restricted_plan(operation, entry, restricted).await,
        };
        let plan = match plan {
            Ok(plan) => plan,
            Err(error) => return GraphQLResponse::error(error, context.format),
        };
        let mut output = self.executor.execute(&plan, request).await;
        if let Some(restricted) = restricted {
            // Refusals first: they explain the nulls where the refused fields were.
            let mut errors = restricted.errors;
            errors.append(&mut output.errors);
            output.errors = errors;
        }
        let mut body = Vec::with_capacity(1024);
        entry
            .projection
            .write_response(&output.data, &output.errors, Some(&variables), &mut body);
        GraphQLResponse::ok(body)
    }
}
