//! `User.roles`: authz's contribution to identity's `User @key(fields: "id")` entity, batched so that the roles
//! of N users resolve in one query.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, ID, Object};
use sea_orm::DbErr;

use super::access::require_self_or_manager;
use super::types::RoleBindingObject;
use crate::error::AuthzError;
use crate::store::AuthzStore;

/// A user, known here only by id; identity owns every other field.
#[derive(Debug, Clone)]
pub struct User {
    id: ID,
}

impl User {
    /// The stub for the user with `id`.
    pub fn new(id: ID) -> Self {
        Self { id }
    }
}

#[Object]
impl User {
    /// The user's id, the entity key.
    async fn id(&self) -> &ID {
        &self.id
    }

    /// The user's role bindings; visible to the user itself and to callers with `role:manage`.
    async fn roles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RoleBindingObject>> {
        // Every entity's resolver reaches the loader in the same tick, so N users cost one query; the access
        // check (which may itself wait on the store) comes after, and nothing is returned unless it passes.
        let loader = ctx.data::<DataLoader<UserRolesLoader>>()?;
        let bindings = loader
            .load_one(self.id.to_string())
            .await
            .map_err(|error| AuthzError::Store(DbErr::Custom(error.to_string())).to_graphql())?;
        require_self_or_manager(ctx, &self.id).await?;
        Ok(bindings.unwrap_or_default())
    }
}

/// Loads the bindings of many users in one query.
#[derive(Debug, Clone)]
pub struct UserRolesLoader {
    store: AuthzStore,
}

impl UserRolesLoader {
    /// A loader reading `store`.
    pub fn new(store: AuthzStore) -> Self {
        Self { store }
    }
}

impl Loader<String> for UserRolesLoader {
    type Value = Vec<RoleBindingObject>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let bindings = self.store.bindings_of_subjects(keys).await.map_err(Arc::new)?;
        let mut by_subject: HashMap<String, Self::Value> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for binding in bindings {
            by_subject
                .entry(binding.subject.clone())
                .or_default()
                .push(RoleBindingObject::from(binding));
        }
        Ok(by_subject)
    }
}
