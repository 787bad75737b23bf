//! Who is reading, and what they see: published posts for everyone, a signed-in caller's own posts in any
//! status while authz lets it read what it owns (a disabled user's live token does not: it reads as anonymous),
//! and every post for callers authz lets edit posts in general. Those questions are asked of authz at most once
//! per request (a [`PerRequest`] extension gives each request its own answer slot), so a page of N posts costs
//! the same checks as one post. When authz cannot be asked, the caller reads as anonymous: published posts stay
//! readable, nothing only an owner may see is shown.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest};
use async_graphql::{Context, Request, ServerResult};
use kernel::access::{AccessGuard, Resource};
use kernel::graphql::Caller;
use tokio::sync::OnceCell;

use super::Services;
use crate::error::GraphqlResult;
use crate::store::{PostRecord, Reader};

/// The resource kind posts are checked as in authz.
pub const POST_KIND: &str = "post";
/// The resource kind comments are checked as in authz.
pub const COMMENT_KIND: &str = "comment";

/// One request's memo of what its caller reads as.
#[derive(Debug, Default)]
struct RequestScope {
    reader: OnceCell<Reader>,
}

/// Gives every request a fresh [`RequestScope`].
#[derive(Debug, Clone, Copy)]
pub(super) struct PerRequest;

impl ExtensionFactory for PerRequest {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerRequest)
    }
}

#[async_trait::async_trait]
impl Extension for PerRequest {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        next.run(ctx, request.data(RequestScope::default())).await
    }
}

/// The caller as a [`Reader`] of posts.
pub(super) async fn reader(ctx: &Context<'_>) -> async_graphql::Result<Reader> {
    let caller = ctx.data::<Caller>()?;
    if caller.claims().is_none() {
        return Ok(Reader::anonymous());
    }
    let guard = &ctx.data::<Services>()?.guard;
    Ok(match ctx.data_opt::<RequestScope>() {
        Some(scope) => scope.reader.get_or_init(|| decide(guard, caller)).await.clone(),
        None => decide(guard, caller).await,
    })
}

/// Asks authz what the signed-in `caller` reads as: anonymous unless it may read what it owns, and everything when
/// it may edit posts in general. A question authz cannot answer counts as refused.
async fn decide(guard: &AccessGuard, caller: &Caller) -> Reader {
    let Some(claims) = caller.claims() else {
        return Reader::anonymous();
    };
    let allows = |action: &'static str, resource: Resource| async move {
        guard.allows(caller, action, &resource).await.unwrap_or_else(|error| {
            tracing::warn!(%error, action, %resource, "authz could not be asked; reading as if refused");
            false
        })
    };
    if !allows("read", Resource::kind(POST_KIND).owned_by(claims.sub.clone())).await {
        return Reader::anonymous();
    }
    let sees_all = allows("edit", Resource::kind(POST_KIND)).await;
    Reader::signed_in(claims.sub.clone(), sees_all)
}

/// Whether the caller may see `post`: by the general rule, or, for a post that is not public, because authz lets
/// the caller edit this very post (a binding on it, say).
pub(super) async fn sees(ctx: &Context<'_>, post: &PostRecord) -> async_graphql::Result<bool> {
    let reader = reader(ctx).await?;
    if reader.sees(post) {
        return Ok(true);
    }
    let caller = ctx.data::<Caller>()?;
    if caller.claims().is_none() {
        return Ok(false);
    }
    let resource = Resource::id(POST_KIND, post.id.to_string()).owned_by(post.author_id.clone());
    ctx.data::<Services>()?
        .guard
        .allows(caller, "edit", &resource)
        .await
        .graphql()
}
