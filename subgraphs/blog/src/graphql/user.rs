//! `User.posts`: the blog's contribution to identity's `User @key(fields: "id")` entity, batched so that the posts
//! of N users resolve in one statement.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};

use super::loaders::{AuthorPostsKey, AuthorPostsLoader};
use super::post::PostObject;
use super::reader::reader;
use super::types::{PageInfo, PostConnection, PostEdge, PostStatusValue};
use crate::domain::{Cursor, CursorKind, PageSize};
use crate::error::{BlogError, GraphqlResult};

/// A user, known here only by id; identity owns every other field.
#[derive(Debug, Clone)]
pub struct User {
    id: ID,
}

impl User {
    /// The reference to the user with `id`.
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

    /// The user's posts the caller may see, newest first: `first` (20 when not given, at most 100) after the
    /// cursor `after`, only those in `status` when given.
    async fn posts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<PostStatusValue>,
    ) -> async_graphql::Result<PostConnection> {
        let size = PageSize::new(first).graphql()?;
        let after = after
            .as_deref()
            .map(|text| Cursor::decode(CursorKind::Post, text))
            .transpose()
            .graphql()?;
        let key = AuthorPostsKey {
            author_id: self.id.to_string(),
            status: status.map(Into::into),
            reader: reader(ctx).await?,
            after: after.map(|cursor| cursor.id),
            size,
        };
        let loader = ctx.data::<DataLoader<AuthorPostsLoader>>()?;
        let page = loader
            .load_one(key)
            .await
            .map_err(|error| BlogError::Store(sea_orm::DbErr::Custom(error.to_string())).to_graphql())?
            .unwrap_or_default();
        Ok(connection(page))
    }
}

/// The connection of a page of posts.
pub(super) fn connection(page: crate::store::Page<crate::store::PostRecord>) -> PostConnection {
    let edges: Vec<PostEdge> = page
        .items
        .into_iter()
        .map(|post| PostEdge {
            cursor: Cursor::after(CursorKind::Post, post.id).encode(),
            node: PostObject::new(post),
        })
        .collect();
    let end_cursor = edges.last().map(|edge| edge.cursor.clone());
    PostConnection {
        edges,
        page_info: PageInfo {
            has_next_page: page.has_next_page,
            end_cursor,
        },
    }
}
