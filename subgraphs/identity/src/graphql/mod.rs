//! Identity's federation subgraph: `User @key(fields: "id")`, the queries `me`, `user`, `users`, and the
//! session and account mutations. Every request's caller is verified by `kernel::graphql::routes` first.

mod loader;
mod mutation;
mod query;
mod types;

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptySubscription, Schema};

pub use loader::UserLoader;
pub use mutation::Mutation;
pub use query::Query;
pub use types::{SessionObject, UserObject, UserStatusValue};

use crate::service::IdentityService;

/// Identity's executable schema.
pub type IdentitySchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema serving `service`, with a batching loader for `_entities` and `users`.
pub fn schema(service: Arc<IdentityService>) -> IdentitySchema {
    let loader = DataLoader::new(UserLoader::new(service.conn().clone()), tokio::spawn);
    Schema::build(Query, Mutation, EmptySubscription)
        .enable_federation()
        .data(service)
        .data(loader)
        .finish()
}

/// The federation SDL, as committed in `schema/identity.graphql` (no service needed to print it).
pub fn sdl() -> String {
    let schema = Schema::build(Query, Mutation, EmptySubscription)
        .enable_federation()
        .finish();
    kernel::graphql::federation_sdl(&schema)
}
