//! Mutations managing roles and bindings; each needs `role:manage` (see [`super::access`]).

use async_graphql::{Context, ID, Object};

use super::Services;
use super::access::require_manager;
use super::types::{RoleBindingObject, RoleObject};

/// The subgraph's mutation root.
#[derive(Debug, Default)]
pub struct Mutation;

#[Object]
impl Mutation {
    /// Creates a role granting `permissions` (`resource:action`, `*` for any).
    async fn create_role(
        &self,
        ctx: &Context<'_>,
        name: String,
        #[graphql(default)] description: String,
        permissions: Vec<String>,
    ) -> async_graphql::Result<RoleObject> {
        let actor = &require_manager(ctx).await?.sub;
        let manager = &ctx.data::<Services>()?.manager;
        let role = manager
            .create_role(actor, &name, &description, &permissions)
            .await
            .map_err(|e| e.to_graphql())?;
        Ok(role.into())
    }

    /// Replaces what `role` grants; every cached decision is retired at once.
    async fn set_role_permissions(
        &self,
        ctx: &Context<'_>,
        role: String,
        permissions: Vec<String>,
    ) -> async_graphql::Result<RoleObject> {
        let actor = &require_manager(ctx).await?.sub;
        let manager = &ctx.data::<Services>()?.manager;
        let role = manager
            .set_role_permissions(actor, &role, &permissions)
            .await
            .map_err(|e| e.to_graphql())?;
        Ok(role.into())
    }

    /// Deletes role `name` and returns it; built-in roles and roles still bound cannot be deleted.
    async fn delete_role(&self, ctx: &Context<'_>, name: String) -> async_graphql::Result<RoleObject> {
        let actor = &require_manager(ctx).await?.sub;
        let manager = &ctx.data::<Services>()?.manager;
        let role = manager.delete_role(actor, &name).await.map_err(|e| e.to_graphql())?;
        Ok(role.into())
    }

    /// Binds `subject` to `role`, globally or, with `resource` (`kind:id`), on that resource only.
    async fn bind_role(
        &self,
        ctx: &Context<'_>,
        subject: ID,
        role: String,
        resource: Option<String>,
    ) -> async_graphql::Result<RoleBindingObject> {
        let actor = &require_manager(ctx).await?.sub;
        let manager = &ctx.data::<Services>()?.manager;
        let binding = manager
            .bind_role(actor, &subject, &role, resource.as_deref())
            .await
            .map_err(|e| e.to_graphql())?;
        Ok(binding.into())
    }

    /// Removes a binding and returns it; the subject's cached decisions are retired at once.
    async fn unbind_role(&self, ctx: &Context<'_>, binding_id: ID) -> async_graphql::Result<RoleBindingObject> {
        let actor = &require_manager(ctx).await?.sub;
        let manager = &ctx.data::<Services>()?.manager;
        let binding = manager
            .unbind_role(actor, &binding_id)
            .await
            .map_err(|e| e.to_graphql())?;
        Ok(binding.into())
    }
}
