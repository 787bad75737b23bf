//! Queries: `me`, `user(id)`, `users(ids)` and the `_entities` resolver for `User`.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object, Result};
use kernel::error_code::ErrorCode;
use kernel::graphql::{Caller, error};

use super::loader::UserLoader;
use super::types::UserObject;
use crate::domain::UserId;
use crate::error::IdentityError;
use crate::service::{Attempt, IdentityService};

/// The query root.
pub struct Query;

#[Object]
impl Query {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> Result<UserObject> {
        // A disabled account's token is valid until it expires; it is refused here (FORBIDDEN, recorded).
        let caller = ctx.data::<Caller>()?;
        let claims = caller.require()?;
        let id =
            UserId::parse(&claims.sub).map_err(|_| error(ErrorCode::Unauthenticated, "the token names no user"))?;
        let service = ctx.data::<Arc<IdentityService>>()?;
        let attempt = Attempt::on_user(&claims.sub, "user:read", id, caller.client_address());
        match service.active_account(id, &attempt).await {
            Ok(user) => Ok(UserObject(user, true)),
            Err(IdentityError::UserNotFound) => {
                Err(error(ErrorCode::Unauthenticated, "the token's user no longer exists"))
            }
            Err(refused) => Err(refused.into_graphql()),
        }
    }

    /// One user by id, or null when none has it.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<Option<UserObject>> {
        let id = parse_id(&id)?;
        load(ctx, id).await
    }

    /// Users by id, in the order asked; null where no user has the id.
    async fn users(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<UserObject>>> {
        let ids = ids.iter().map(parse_id).collect::<Result<Vec<_>>>()?;
        let loader = ctx.data::<DataLoader<UserLoader>>()?;
        let found = loader
            .load_many(ids.iter().copied())
            .await
            .map_err(|e| IdentityError::Internal(e.to_string()).into_graphql())?;
        Ok(ids
            .iter()
            .map(|id| found.get(id).cloned().map(|user| UserObject(user, false)))
            .collect())
    }

    /// Resolves `User` representations for the router; all of one request's are loaded in one statement.
    #[graphql(entity)]
    async fn find_user_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<UserObject>> {
        let Ok(id) = UserId::parse(&id) else {
            return Ok(None);
        };
        load(ctx, id).await
    }
}

fn parse_id(id: &ID) -> Result<UserId> {
    UserId::parse(id).map_err(|e| error(ErrorCode::BadUserInput, e.to_string()))
}

async fn load(ctx: &Context<'_>, id: UserId) -> Result<Option<UserObject>> {
    let loader = ctx.data::<DataLoader<UserLoader>>()?;
    let user = loader
        .load_one(id)
        .await
        .map_err(|e| IdentityError::Internal(e.to_string()).into_graphql())?;
    Ok(user.map(|user| UserObject(user, false)))
}
