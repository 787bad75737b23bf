//! Audit's federation subgraph: `auditLog`, the log read newest first a page at a time, for administrators only.
//!
//! Whether a caller may read it is decided by authz on every request ([`AccessCheck`]), from the caller's current
//! bindings, so revoking an administrator takes effect on their very next read.

mod query;
mod types;

use std::sync::Arc;

use async_graphql::{EmptyMutation, EmptySubscription, Schema, SchemaBuilder};

pub use query::Query;
pub use types::{AuditLogFilter, AuditRecordConnection, AuditRecordEdge, AuditRecordObject, OutcomeValue, PageInfo};

use crate::access::AccessCheck;
use crate::store::AuditStore;

/// The subgraph's schema.
pub type AuditSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// What resolvers need, put into the schema's data.
#[derive(Clone)]
pub struct Services {
    /// Reads the log.
    pub store: AuditStore,
    /// Decides who may read it.
    pub access: Arc<dyn AccessCheck>,
}

fn builder() -> SchemaBuilder<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query, EmptyMutation, EmptySubscription).enable_federation()
}

/// The schema serving `services`.
pub fn schema(services: Services) -> AuditSchema {
    builder().data(services).finish()
}

/// The subgraph's SDL with federation directives, as committed in `schema/audit.graphql`.
pub fn sdl() -> String {
    kernel::graphql::federation_sdl(&builder().finish())
}
