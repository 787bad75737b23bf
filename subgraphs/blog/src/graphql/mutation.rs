//! Mutations. Each asks authz through the [`AccessGuard`](kernel::access::AccessGuard) before it writes, naming
//! the post's (or comment's) author as owner, so authz's ownership rule applies; a refusal is `FORBIDDEN` and is
//! recorded by the guard. Anonymous callers are refused with `UNAUTHENTICATED` before anything is read.

use async_graphql::{Context, ID, Object};
use kernel::access::Resource;
use kernel::graphql::Caller;

use super::Services;
use super::post::{CommentObject, PostObject};
use super::reader::{COMMENT_KIND, POST_KIND, sees};
use super::types::{CreatePostInput, EditPostInput};
use crate::domain::{CommentBody, parse_id};
use crate::error::{BlogError, GraphqlResult};
use crate::store::PostRecord;

/// The subgraph's mutation root.
#[derive(Debug, Default)]
pub struct Mutation;

/// The post `id` for a change by the caller: NOT_FOUND when there is none the caller may see.
async fn post_to_change(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<PostRecord> {
    let id = parse_id(id, "post").graphql()?;
    let post = ctx.data::<Services>()?.store.post(id).await.graphql()?;
    match post {
        Some(post) if sees(ctx, &post).await? => Ok(post),
        _ => Err(BlogError::NotFound(format!("there is no post `{id}`")).to_graphql()),
    }
}

/// The post as authz sees it: this post, owned by its author.
fn post_resource(post: &PostRecord) -> Resource {
    Resource::id(POST_KIND, post.id.to_string()).owned_by(post.author_id.clone())
}

#[Object]
impl Mutation {
    /// Creates a draft written by the caller. Needs `post:create`.
    async fn create_post(&self, ctx: &Context<'_>, input: CreatePostInput) -> async_graphql::Result<PostObject> {
        let services = ctx.data::<Services>()?;
        let caller = ctx.data::<Caller>()?;
        let claims = services
            .guard
            .authorize(caller, "create", &Resource::kind(POST_KIND))
            .await?;
        let new = input.parse().graphql()?;
        let (post, _) = services.changes.create_post(&claims.sub, new).await.graphql()?;
        Ok(PostObject::new(post))
    }

    /// Changes a post's title, body, slug or tags. Needs `post:edit` (authors may edit their own).
    async fn edit_post(&self, ctx: &Context<'_>, id: ID, input: EditPostInput) -> async_graphql::Result<PostObject> {
        let services = ctx.data::<Services>()?;
        ctx.data::<Caller>()?.require()?;
        let edit = input.parse().graphql()?;
        let post = post_to_change(ctx, &id).await?;
        let claims = services
            .guard
            .authorize(ctx.data::<Caller>()?, "edit", &post_resource(&post))
            .await?;
        let post = services.changes.edit_post(&claims.sub, post.id, edit).await.graphql()?;
        Ok(PostObject::new(post))
    }

    /// Publishes a draft (or brings back an archived post). Needs `post:publish`.
    async fn publish_post(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PostObject> {
        let services = ctx.data::<Services>()?;
        ctx.data::<Caller>()?.require()?;
        let post = post_to_change(ctx, &id).await?;
        let claims = services
            .guard
            .authorize(ctx.data::<Caller>()?, "publish", &post_resource(&post))
            .await?;
        let post = services.changes.publish_post(&claims.sub, post.id).await.graphql()?;
        Ok(PostObject::new(post))
    }

    /// Archives a post, withdrawing it from readers. Needs `post:archive` (authors may archive their own).
    async fn archive_post(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PostObject> {
        let services = ctx.data::<Services>()?;
        ctx.data::<Caller>()?.require()?;
        let post = post_to_change(ctx, &id).await?;
        let claims = services
            .guard
            .authorize(ctx.data::<Caller>()?, "archive", &post_resource(&post))
            .await?;
        let post = services.changes.archive_post(&claims.sub, post.id).await.graphql()?;
        Ok(PostObject::new(post))
    }

    /// Writes a comment by the caller under a published post. Needs `comment:create`.
    async fn add_comment(&self, ctx: &Context<'_>, post_id: ID, body: String) -> async_graphql::Result<CommentObject> {
        let services = ctx.data::<Services>()?;
        ctx.data::<Caller>()?.require()?;
        let body = CommentBody::parse(&body).graphql()?;
        let post = post_to_change(ctx, &post_id).await?;
        let claims = services
            .guard
            .authorize(ctx.data::<Caller>()?, "create", &Resource::kind(COMMENT_KIND))
            .await?;
        let comment = services
            .changes
            .add_comment(&claims.sub, post.id, body)
            .await
            .graphql()?;
        Ok(CommentObject::new(comment))
    }

    /// Deletes a comment and returns it. Needs `comment:delete` (commenters may delete their own).
    async fn delete_comment(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<CommentObject> {
        let services = ctx.data::<Services>()?;
        let caller = ctx.data::<Caller>()?;
        caller.require()?;
        let id = parse_id(&id, "comment").graphql()?;
        let comment = services
            .store
            .comment(id)
            .await
            .graphql()?
            .ok_or_else(|| BlogError::NotFound(format!("there is no comment `{id}`")).to_graphql())?;
        let resource = Resource::id(COMMENT_KIND, id.to_string()).owned_by(comment.author_id.clone());
        let claims = services.guard.authorize(caller, "delete", &resource).await?;
        services.changes.delete_comment(&claims.sub, &comment).await.graphql()?;
        Ok(CommentObject::new(comment))
    }
}
