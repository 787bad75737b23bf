//! Mutations: sign-up, sign-in, refresh, sign-out, profile changes and disabling users.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result};
use kernel::error_code::ErrorCode;
use kernel::graphql::{Caller, error};

use super::types::{SessionObject, UserObject};
use crate::domain::UserId;
use crate::error::IdentityError;
use crate::service::IdentityService;

/// The role allowed to disable users.
pub const ADMIN_ROLE: &str = "admin";

/// The mutation root.
pub struct Mutation;

/// What a new user signs up with.
#[derive(InputObject)]
pub struct SignUpInput {
    /// The e-mail address; unique regardless of letter case.
    pub email: String,
    /// 10 to 256 characters.
    pub password: String,
    /// 1 to 100 characters.
    pub display_name: String,
}

#[Object]
impl Mutation {
    /// Registers a user; sign in afterwards to get a session.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> Result<UserObject> {
        let service = ctx.data::<Arc<IdentityService>>()?;
        let user = service
            .sign_up(&input.email, &input.password, &input.display_name)
            .await
            .map_err(IdentityError::into_graphql)?;
        Ok(UserObject(user, true))
    }

    /// Opens a session. A wrong e-mail and a wrong password fail alike with `UNAUTHENTICATED`.
    async fn sign_in(&self, ctx: &Context<'_>, email: String, password: String) -> Result<SessionObject> {
        let caller = ctx.data::<Caller>()?;
        let service = ctx.data::<Arc<IdentityService>>()?;
        let session = service
            .sign_in(&email, &password, caller.client_address())
            .await
            .map_err(IdentityError::into_graphql)?;
        Ok(SessionObject(session))
    }

    /// Exchanges a refresh token (once) for a new session.
    async fn refresh(&self, ctx: &Context<'_>, refresh_token: String) -> Result<SessionObject> {
        let caller = ctx.data::<Caller>()?;
        let service = ctx.data::<Arc<IdentityService>>()?;
        let session = service
            .refresh(&refresh_token, caller.client_address())
            .await
            .map_err(IdentityError::into_graphql)?;
        Ok(SessionObject(session))
    }

    /// Ends the session the refresh token belongs to.
    async fn sign_out(&self, ctx: &Context<'_>, refresh_token: String) -> Result<bool> {
        let service = ctx.data::<Arc<IdentityService>>()?;
        service
            .sign_out(&refresh_token)
            .await
            .map_err(IdentityError::into_graphql)?;
        Ok(true)
    }

    /// Changes the signed-in user's display name.
    async fn update_profile(&self, ctx: &Context<'_>, display_name: String) -> Result<UserObject> {
        // A disabled account is refused by the service (FORBIDDEN, recorded).
        let caller = ctx.data::<Caller>()?;
        let claims = caller.require()?;
        let id = UserId::parse(&claims.sub).map_err(|_| error(ErrorCode::Forbidden, "the token names no user"))?;
        let service = ctx.data::<Arc<IdentityService>>()?;
        let user = service
            .update_profile(id, &display_name, caller.client_address())
            .await
            .map_err(IdentityError::into_graphql)?;
        Ok(UserObject(user, true))
    }

    /// Disables a user and revokes all its sessions; administrators only.
    async fn disable_user(&self, ctx: &Context<'_>, id: ID) -> Result<UserObject> {
        // The service also refuses an administrator whose own account is disabled.
        let caller = ctx.data::<Caller>()?;
        let claims = caller.require_role(ADMIN_ROLE)?;
        let id = UserId::parse(&id).map_err(|e| error(ErrorCode::BadUserInput, e.to_string()))?;
        let service = ctx.data::<Arc<IdentityService>>()?;
        let user = service
            .disable_user(id, &claims.sub, caller.client_address())
            .await
            .map_err(IdentityError::into_graphql)?;
        Ok(UserObject(user, false))
    }
}
