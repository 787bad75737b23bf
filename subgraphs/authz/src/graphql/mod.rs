//! Authz's federation subgraph: roles and bindings to read and manage, the caller's own permissions, and `roles`
//! contributed to identity's `User` entity.
//!
//! Managing roles and bindings needs the `role:manage` permission, decided by this service's own engine (not by
//! the roles claimed in the token), so revoking an administrator takes effect on their very next request.

mod access;
mod mutation;
mod query;
mod types;
mod user;

use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptySubscription, Schema, SchemaBuilder};

pub use mutation::Mutation;
pub use query::Query;
pub use types::{GrantObject, PermissionsObject, RoleBindingObject, RoleObject};
pub use user::{User, UserRolesLoader};

use crate::decisions::DecisionService;
use crate::management::RoleManager;
use crate::store::AuthzStore;

/// The subgraph's schema.
pub type AuthzSchema = Schema<Query, Mutation, EmptySubscription>;

/// What resolvers need, put into the schema's data.
#[derive(Debug, Clone)]
pub struct Services {
    /// Reads roles and bindings.
    pub store: AuthzStore,
    /// Decides `role:manage` for management calls.
    pub decisions: DecisionService,
    /// Makes changes.
    pub manager: RoleManager,
}

fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query, Mutation, EmptySubscription).enable_federation()
}

/// The schema serving `services`.
pub fn schema(services: Services) -> AuthzSchema {
    let loader = DataLoader::new(UserRolesLoader::new(services.store.clone()), tokio::spawn);
    builder().data(services).data(loader).finish()
}

/// The subgraph's SDL with federation directives, as committed in `schema/authz.graphql`.
pub fn sdl() -> String {
    kernel::graphql::federation_sdl(&builder().finish())
}
