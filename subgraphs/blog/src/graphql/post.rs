//! `Post @key(fields: "id")` and `Comment`. A post's author and a comment's author are `User` references that
//! the router completes from identity; a post's tags and comments come through data loaders.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};

use super::loaders::{CommentsKey, CommentsLoader, TagsLoader};
use super::types::{CommentConnection, CommentEdge, PageInfo, PostStatusValue};
use super::user::User;
use crate::domain::{Cursor, CursorKind, PageSize};
use crate::error::{BlogError, GraphqlResult};
use crate::store::{CommentRecord, PostRecord};

/// A post the caller may see.
#[derive(Debug, Clone)]
pub struct PostObject {
    record: PostRecord,
}

impl PostObject {
    /// The object for `record`; the caller must already have been found to see it.
    pub fn new(record: PostRecord) -> Self {
        Self { record }
    }
}

fn loader_failed(error: impl std::fmt::Display) -> async_graphql::Error {
    BlogError::Store(sea_orm::DbErr::Custom(error.to_string())).to_graphql()
}

#[Object(name = "Post")]
impl PostObject {
    /// The post's id, the entity key.
    async fn id(&self) -> ID {
        ID(self.record.id.to_string())
    }

    /// The post's unique address.
    async fn slug(&self) -> &str {
        &self.record.slug
    }

    /// The title.
    async fn title(&self) -> &str {
        &self.record.title
    }

    /// The body, in Markdown.
    async fn body(&self) -> &str {
        &self.record.body
    }

    /// Where the post is in its life.
    async fn status(&self) -> PostStatusValue {
        self.record.status.into()
    }

    /// The post's tags, sorted.
    async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let loader = ctx.data::<DataLoader<TagsLoader>>()?;
        let tags = loader.load_one(self.record.id).await.map_err(loader_failed)?;
        Ok(tags.unwrap_or_default())
    }

    /// Who wrote it; identity answers the user's other fields.
    async fn author(&self) -> User {
        User::new(ID(self.record.author_id.clone()))
    }

    /// The post's comments, oldest first: `first` (20 when not given, at most 100) after the cursor `after`.
    async fn comments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<CommentConnection> {
        let size = PageSize::new(first).graphql()?;
        let after = after
            .as_deref()
            .map(|text| Cursor::decode(CursorKind::Comment, text))
            .transpose()
            .graphql()?;
        let key = CommentsKey {
            post_id: self.record.id,
            after: after.map(|cursor| cursor.id),
            size,
        };
        let loader = ctx.data::<DataLoader<CommentsLoader>>()?;
        let page = loader.load_one(key).await.map_err(loader_failed)?.unwrap_or_default();
        let edges: Vec<CommentEdge> = page
            .items
            .into_iter()
            .map(|comment| CommentEdge {
                cursor: Cursor::after(CursorKind::Comment, comment.id).encode(),
                node: CommentObject::new(comment),
            })
            .collect();
        let end_cursor = edges.last().map(|edge| edge.cursor.clone());
        Ok(CommentConnection {
            edges,
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor,
            },
        })
    }

    /// When it was created (RFC 3339).
    async fn created_at(&self) -> String {
        self.record.created_at.to_rfc3339()
    }

    /// When it last changed (RFC 3339).
    async fn updated_at(&self) -> String {
        self.record.updated_at.to_rfc3339()
    }

    /// When it was first published (RFC 3339); null until then.
    async fn published_at(&self) -> Option<String> {
        self.record.published_at.map(|at| at.to_rfc3339())
    }
}

/// A comment under a post.
#[derive(Debug, Clone)]
pub struct CommentObject {
    record: CommentRecord,
}

impl CommentObject {
    /// The object for `record`.
    pub fn new(record: CommentRecord) -> Self {
        Self { record }
    }
}

#[Object(name = "Comment")]
impl CommentObject {
    /// The comment's id.
    async fn id(&self) -> ID {
        ID(self.record.id.to_string())
    }

    /// The id of the post it is under.
    async fn post_id(&self) -> ID {
        ID(self.record.post_id.to_string())
    }

    /// Who wrote it; identity answers the user's other fields.
    async fn author(&self) -> User {
        User::new(ID(self.record.author_id.clone()))
    }

    /// The comment, in Markdown.
    async fn body(&self) -> &str {
        &self.record.body
    }

    /// When it was written (RFC 3339).
    async fn created_at(&self) -> String {
        self.record.created_at.to_rfc3339()
    }
}
