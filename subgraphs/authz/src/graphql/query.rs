//! Queries: roles, one role, a subject's bindings, the caller's permissions, and the `User` entity resolver.

use async_graphql::{Context, ID, Object};
use kernel::graphql::Caller;

use super::access::require_self_or_manager;
use super::types::{GrantObject, PermissionsObject, RoleBindingObject, RoleObject};
use super::{Services, User};
use crate::domain::Scope;
use crate::error::AuthzError;

/// The subgraph's query root.
#[derive(Debug, Default)]
pub struct Query;

fn internal(error: sea_orm::DbErr) -> async_graphql::Error {
    AuthzError::from(error).to_graphql()
}

#[Object]
impl Query {
    /// Every role, by name. Needs a signed-in caller.
    async fn roles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RoleObject>> {
        ctx.data::<Caller>()?.require()?;
        let roles = ctx.data::<Services>()?.store.roles().await.map_err(internal)?;
        Ok(roles.into_iter().map(RoleObject::from).collect())
    }

    /// The role named `name`, or null. Needs a signed-in caller.
    async fn role(&self, ctx: &Context<'_>, name: String) -> async_graphql::Result<Option<RoleObject>> {
        ctx.data::<Caller>()?.require()?;
        let role = ctx.data::<Services>()?.store.role(&name).await.map_err(internal)?;
        Ok(role.map(RoleObject::from))
    }

    /// The role bindings of `subject`; readable by the subject itself and by callers with `role:manage`.
    async fn bindings(&self, ctx: &Context<'_>, subject: ID) -> async_graphql::Result<Vec<RoleBindingObject>> {
        require_self_or_manager(ctx, &subject).await?;
        let bindings = ctx
            .data::<Services>()?
            .store
            .bindings(&subject)
            .await
            .map_err(internal)?;
        Ok(bindings.into_iter().map(RoleBindingObject::from).collect())
    }

    /// The signed-in caller's roles and everything they grant.
    async fn my_permissions(&self, ctx: &Context<'_>) -> async_graphql::Result<PermissionsObject> {
        let claims = ctx.data::<Caller>()?.require()?;
        let held = ctx
            .data::<Services>()?
            .store
            .grants(&claims.sub)
            .await
            .map_err(internal)?;
        let mut roles: Vec<String> = held
            .iter()
            .filter(|b| b.scope == Scope::Global)
            .map(|b| b.role.to_string())
            .collect();
        roles.dedup();
        let grants = held
            .iter()
            .flat_map(|binding| {
                binding.permissions.iter().map(|permission| GrantObject {
                    permission: permission.to_string(),
                    role: binding.role.to_string(),
                    scope: binding.scope.resource().map(ToString::to_string),
                })
            })
            .collect();
        Ok(PermissionsObject { roles, grants })
    }

    /// Resolves `User` references from other subgraphs: authz adds `roles` to identity's users.
    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User::new(id)
    }
}
