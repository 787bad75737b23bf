//! The query root: one post by id or slug, pages of posts, and the `Post` and `User` entity resolvers.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};

use super::Services;
use super::loaders::PostLoader;
use super::post::PostObject;
use super::reader::{reader, sees};
use super::types::{PostConnection, PostFilterInput};
use super::user::{User, connection};
use crate::domain::{Cursor, CursorKind, PageSize, Slug, parse_id};
use crate::error::{BlogError, GraphqlResult};
use crate::store::PostRecord;

/// The subgraph's query root.
#[derive(Debug, Default)]
pub struct Query;

/// `post` as an object when the caller may see it; absent otherwise, as if it did not exist.
async fn visible(ctx: &Context<'_>, post: Option<PostRecord>) -> async_graphql::Result<Option<PostObject>> {
    match post {
        Some(post) if sees(ctx, &post).await? => Ok(Some(PostObject::new(post))),
        _ => Ok(None),
    }
}

#[Object]
impl Query {
    /// The post with `id`, or null when there is none the caller may see.
    async fn post(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<PostObject>> {
        let id = parse_id(&id, "post").graphql()?;
        let post = ctx.data::<Services>()?.store.post(id).await.graphql()?;
        visible(ctx, post).await
    }

    /// The post at `slug`, or null when there is none the caller may see.
    async fn post_by_slug(&self, ctx: &Context<'_>, slug: String) -> async_graphql::Result<Option<PostObject>> {
        let slug = Slug::parse(&slug).graphql()?;
        let post = ctx
            .data::<Services>()?
            .store
            .post_by_slug(slug.as_str())
            .await
            .graphql()?;
        visible(ctx, post).await
    }

    /// Posts the caller may see, newest first: `first` (20 when not given, at most 100) after the cursor `after`,
    /// matching `filter`.
    async fn posts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<PostFilterInput>,
    ) -> async_graphql::Result<PostConnection> {
        let size = PageSize::new(first).graphql()?;
        let after = after
            .as_deref()
            .map(|text| Cursor::decode(CursorKind::Post, text))
            .transpose()
            .graphql()?;
        let filter = filter.unwrap_or_default().parse().graphql()?;
        let reader = reader(ctx).await?;
        let page = ctx
            .data::<Services>()?
            .store
            .posts(&filter, &reader, after.map(|cursor| cursor.id), size)
            .await
            .graphql()?;
        Ok(connection(page))
    }

    /// Resolves `Post` references from other subgraphs; null for a post the caller may not see.
    #[graphql(entity)]
    async fn find_post_by_id(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<PostObject>> {
        let Ok(id) = parse_id(&id, "post") else {
            return Ok(None);
        };
        let loader = ctx.data::<DataLoader<PostLoader>>()?;
        let post = loader
            .load_one(id)
            .await
            .map_err(|error| BlogError::Store(sea_orm::DbErr::Custom(error.to_string())).to_graphql())?;
        visible(ctx, post).await
    }

    /// Resolves `User` references from other subgraphs: the blog adds `posts` to identity's users.
    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User::new(id)
    }
}
