//! What the stage benchmarks share: the operation stages over one supergraph (validation schema, planner,
//! response index and a runtime for the planner's blocking tasks), an operation cache filled as a router's is
//! after warm-up, and a count of a plan's fetches.

use std::collections::BTreeSet;
use std::sync::Arc;

use router::cache::{DEFAULT_CAPACITY, OperationCache, OperationKey};
use router::http::CachedOperation;
use router::operation::{OperationPolicy, OperationSchema, PreparedOperation, prepare_document};
use router::plan::model::PlanNode;
use router::plan::{PlannedOperation, QueryPlanner};
use router::response::{Projection, SchemaIndex};
use tokio::runtime::Runtime;

/// What a cache miss derives, as the benches keep it.
pub type Derived = CachedOperation<(PlannedOperation, Projection)>;

/// The per-operation stages over one supergraph.
pub struct Stages {
    pub schema: OperationSchema,
    pub policy: OperationPolicy,
    pub planner: QueryPlanner,
    pub index: SchemaIndex,
    pub runtime: Runtime,
}

impl Stages {
    pub fn new(schema: OperationSchema, policy: OperationPolicy, planner: QueryPlanner, index: SchemaIndex) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a tokio runtime");
        Self {
            schema,
            policy,
            planner,
            index,
            runtime,
        }
    }

    pub fn prepare(&self, text: &str) -> PreparedOperation {
        prepare_document(&self.schema, text, None, &self.policy).expect("the operation is valid")
    }

    pub fn plan(&self, operation: &PreparedOperation) -> PlannedOperation {
        self.runtime
            .block_on(self.planner.plan(operation.document(), operation.name()))
            .expect("the operation plans")
    }

    /// What a cache miss derives: the validated operation, its plan and its response projection.
    pub fn cold(&self, text: &str) -> Derived {
        let operation = self.prepare(text);
        let planned = self.plan(&operation);
        let projection = Projection::build(&self.index, planned.operation()).expect("the projection builds");
        CachedOperation {
            operation,
            prepared: Some((planned, projection)),
        }
    }
}

/// A cache holding `text`'s entry and, as a router's after warm-up, half its capacity of other operations
/// (variants of `text`) sharing `filler`.
pub fn warm_cache(text: &str, entry: Arc<Derived>, filler: Arc<Derived>) -> OperationCache<Derived> {
    let cache = OperationCache::new(DEFAULT_CAPACITY);
    for index in 0..DEFAULT_CAPACITY / 2 {
        let other = format!("{text}\n# variant {index}\n");
        cache.insert(&OperationKey::new(&other, None), Arc::clone(&filler));
    }
    cache.insert(&OperationKey::new(text, None), entry);
    cache
}

/// How many subgraph requests a plan makes at most, collecting the subgraphs they go to.
pub fn fetches<'a>(node: &'a PlanNode, subgraphs: &mut BTreeSet<&'a str>) -> usize {
    match node {
        PlanNode::Fetch(fetch) => {
            subgraphs.insert(&fetch.subgraph);
            1
        }
        PlanNode::BatchFetch(fetch) => {
            subgraphs.insert(&fetch.subgraph);
            1
        }
        PlanNode::Flatten(flatten) => fetches(&flatten.node, subgraphs),
        PlanNode::Sequence(nodes) | PlanNode::Parallel(nodes) => {
            nodes.iter().map(|node| fetches(node, subgraphs)).sum()
        }
        PlanNode::Condition(condition) => [&condition.if_clause, &condition.else_clause]
            .into_iter()
            .flatten()
            .map(|branch| fetches(branch, subgraphs))
            .sum(),
    }
}
