//! Billing's federation subgraph: plans to read (anyone) and manage (administrators), subscribing, canceling,
//! paying and voiding, one invoice or subscription by id, and `subscription` and `invoices` contributed to
//! identity's `User` entity.
//!
//! Every write, and every read of someone's billing data, is decided by authz through the kernel's
//! [`AccessGuard`]: the permission is `<kind>:<action>`, and the owner is passed along so authz's ownership
//! rule lets a user read, pay and cancel what is theirs. Amounts are [`scalars::MinorUnits`] strings, 64-bit safe.

mod loaders;
mod mutation;
mod query;
pub mod scalars;
pub mod types;
mod user;

use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptySubscription, Schema, SchemaBuilder};
use kernel::access::AccessGuard;

pub use loaders::{InvoicePage, InvoicePageKey, InvoicePageLoader, SubscriptionLoader};
pub use mutation::Mutation;
pub use query::Query;
pub use user::User;

use crate::error::BillingError;
use crate::service::Billing;

/// The subgraph's schema.
pub type BillingSchema = Schema<Query, Mutation, EmptySubscription>;

/// What resolvers need, put into the schema's data.
#[derive(Debug, Clone)]
pub struct Services {
    /// Billing's operations and reads.
    pub billing: Billing,
    /// Asks authz, records denials.
    pub access: AccessGuard,
}

fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query, Mutation, EmptySubscription).enable_federation()
}

/// The schema serving `services`.
pub fn schema(services: Services) -> BillingSchema {
    let conn = services.billing.conn().clone();
    let subscriptions = DataLoader::new(SubscriptionLoader::new(conn.clone()), tokio::spawn);
    let invoices = DataLoader::new(InvoicePageLoader::new(conn), tokio::spawn);
    builder().data(services).data(subscriptions).data(invoices).finish()
}

/// The subgraph's SDL with federation directives, as committed in `schema/billing.graphql`.
pub fn sdl() -> String {
    kernel::graphql::federation_sdl(&builder().finish())
}

/// Any error of billing's own as the GraphQL error the client sees.
pub(crate) fn graphql_error(error: impl Into<BillingError>) -> async_graphql::Error {
    error.into().to_graphql()
}

#[cfg(test)]
mod tests;
