//! Who may read and manage what through the graph.

use async_graphql::Context;
use kernel::auth::Claims;
use kernel::error_code::ErrorCode;
use kernel::graphql::{Caller, error};

use super::Services;
use crate::domain::{MANAGE_ROLES, Request, SubjectId};
use crate::error::AuthzError;

/// The caller's claims when the engine allows it `role:manage`; UNAUTHENTICATED without a token, FORBIDDEN
/// otherwise (with the engine's reason).
pub(super) async fn require_manager<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Claims> {
    let claims = ctx.data::<Caller>()?.require()?;
    let services = ctx.data::<Services>()?;
    if manages(services, claims).await? {
        return Ok(claims);
    }
    Err(error(
        ErrorCode::Forbidden,
        "managing roles and bindings needs the `role:manage` permission",
    ))
}

/// The caller's claims when it is `subject` itself or may manage roles; reading someone's bindings is either.
pub(super) async fn require_self_or_manager<'a>(ctx: &Context<'a>, subject: &str) -> async_graphql::Result<&'a Claims> {
    let claims = ctx.data::<Caller>()?.require()?;
    if claims.sub == subject {
        return Ok(claims);
    }
    let services = ctx.data::<Services>()?;
    if manages(services, claims).await? {
        return Ok(claims);
    }
    Err(error(
        ErrorCode::Forbidden,
        "only the subject itself or a caller with `role:manage` may read its role bindings",
    ))
}

async fn manages(services: &Services, claims: &Claims) -> async_graphql::Result<bool> {
    let Ok(subject) = SubjectId::parse(&claims.sub) else {
        return Ok(false);
    };
    let (kind, action) = MANAGE_ROLES;
    let request = Request::new(subject, kind, action, "", "").map_err(|e| AuthzError::from(e).to_graphql())?;
    let decision = services
        .decisions
        .check(&request)
        .await
        .map_err(|e| AuthzError::from(e).to_graphql())?;
    Ok(decision.allowed)
}
