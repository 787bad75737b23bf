//! The shared tier of query plans: what one router replica planned, the others (and the next start) read back
//! instead of planning again. Stored as JSON (our plan, and the normalized operation as GraphQL text, which is
//! parsed back on a hit), under a key made of the supergraph's fingerprint and the document's, so a new
//! supergraph never meets an old plan.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use graphql_tools::static_graphql::query::Definition;
use hive_router_query_planner::ast::document::NormalizedDocument;
use hive_router_query_planner::ast::normalization::create_normalized_document;
use hive_router_query_planner::state::supergraph_state::SupergraphState;
use hive_router_query_planner::utils::parsing::safe_parse_operation;
use kernel::cache::Cache;
use serde::{Deserialize, Serialize};

use super::model::QueryPlan;

/// Where shared plans live, and for how long.
#[derive(Clone)]
pub struct SharedPlans {
    store: Arc<dyn Cache>,
    ttl: Duration,
}

impl std::fmt::Debug for SharedPlans {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedPlans")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// One stored plan.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredPlan {
    pub(super) plan: QueryPlan,
    /// The normalized operation, printed.
    pub(super) operation: String,
    pub(super) operation_name: Option<String>,
}

impl StoredPlan {
    /// What to store for a plan and the normalized operation it was made from.
    pub(super) fn new(plan: &QueryPlan, normalized: &NormalizedDocument) -> Self {
        Self {
            plan: plan.clone(),
            operation: normalized.operation.to_string(),
            operation_name: normalized.operation_name.clone(),
        }
    }

    /// The normalized operation again, from its text; `None` when the text does not read back.
    pub(super) fn normalized(&self, supergraph: &SupergraphState) -> Option<NormalizedDocument> {
        let document = safe_parse_operation(&self.operation).ok()?;
        let operation = document
            .definitions
            .into_iter()
            .find_map(|definition| match definition {
                Definition::Operation(operation) => Some(operation),
                Definition::Fragment(_) => None,
            })?;
        Some(create_normalized_document(
            supergraph,
            operation,
            self.operation_name.clone(),
        ))
    }
}

impl SharedPlans {
    /// Plans kept in `store` for `ttl`.
    pub fn new(store: Arc<dyn Cache>, ttl: Duration) -> Self {
        Self { store, ttl }
    }

    /// The stored plan under `key`; a store failure or an unreadable entry is a miss (and is logged).
    pub(super) async fn get(&self, key: &str) -> Option<StoredPlan> {
        let bytes = match self.store.get(key).await {
            Ok(found) => found?,
            Err(error) => {
                tracing::warn!(%error, "the shared plan store failed a lookup; planning instead");
                return None;
            }
        };
        match serde_json::from_slice(&bytes) {
            Ok(stored) => Some(stored),
            Err(error) => {
                tracing::warn!(%error, key, "a shared plan could not be read; planning instead");
                None
            }
        }
    }

    /// Keeps `stored` under `key`; a failure only costs another replica a planning run.
    pub(super) async fn put(&self, key: &str, stored: &StoredPlan) {
        let bytes = match serde_json::to_vec(stored) {
            Ok(bytes) => Bytes::from(bytes),
            Err(error) => {
                tracing::warn!(%error, "a plan could not be serialized for sharing");
                return;
            }
        };
        if let Err(error) = self.store.set(key, bytes, Some(self.ttl)).await {
            tracing::warn!(%error, "the shared plan store failed to keep a plan");
        }
    }
}

/// The key of a plan: the supergraph's and the document's fingerprints.
pub(super) fn key(supergraph: u64, document: &str, operation_name: Option<&str>) -> String {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(document.as_bytes());
    if let Some(name) = operation_name {
        hasher.update(&[0xFF]);
        hasher.update(name.as_bytes());
    }
    format!("plan:{supergraph:016x}:{:016x}", hasher.digest())
}
