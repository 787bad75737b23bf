//! The GraphQL shapes around posts: the status enum, Relay-style connections, and the inputs, each of which
//! parses into the domain's types (so a bad value is refused with `BAD_USER_INPUT` before anything happens).

use async_graphql::{Enum, ID, InputObject, SimpleObject};

use super::post::{CommentObject, PostObject};
use crate::changes::{NewPost, PostEdit};
use crate::domain::{Body, InvalidInput, PostStatus, Slug, Tag, Tags, Title};
use crate::store::PostFilter;

/// Where a post is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "PostStatus")]
pub enum PostStatusValue {
    /// Being written; seen only by those who may edit it.
    Draft,
    /// Public.
    Published,
    /// Withdrawn; seen only by those who may edit it.
    Archived,
}

impl From<PostStatus> for PostStatusValue {
    fn from(status: PostStatus) -> Self {
        match status {
            PostStatus::Draft => Self::Draft,
            PostStatus::Published => Self::Published,
            PostStatus::Archived => Self::Archived,
        }
    }
}

impl From<PostStatusValue> for PostStatus {
    fn from(status: PostStatusValue) -> Self {
        match status {
            PostStatusValue::Draft => Self::Draft,
            PostStatusValue::Published => Self::Published,
            PostStatusValue::Archived => Self::Archived,
        }
    }
}

/// Where a page ended. Named for the blog so it never clashes with another subgraph's page type.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "BlogPageInfo")]
pub struct PageInfo {
    /// Whether more items follow this page.
    pub has_next_page: bool,
    /// The last edge's cursor; null for an empty page.
    pub end_cursor: Option<String>,
}

/// One post of a page, with the cursor that resumes after it.
#[derive(Debug, Clone, SimpleObject)]
pub struct PostEdge {
    /// Pass as `after` to read the posts following this one.
    pub cursor: String,
    /// The post.
    pub node: PostObject,
}

/// A page of posts, newest first.
#[derive(Debug, Clone, SimpleObject)]
pub struct PostConnection {
    /// The page's posts.
    pub edges: Vec<PostEdge>,
    /// Where the page ended.
    pub page_info: PageInfo,
}

/// One comment of a page, with the cursor that resumes after it.
#[derive(Debug, Clone, SimpleObject)]
pub struct CommentEdge {
    /// Pass as `after` to read the comments following this one.
    pub cursor: String,
    /// The comment.
    pub node: CommentObject,
}

/// A page of a post's comments, oldest first.
#[derive(Debug, Clone, SimpleObject)]
pub struct CommentConnection {
    /// The page's comments.
    pub edges: Vec<CommentEdge>,
    /// Where the page ended.
    pub page_info: PageInfo,
}

/// Which posts to list; every field given must match.
#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "PostFilter")]
pub struct PostFilterInput {
    /// Only posts in this status (drafts and archived posts only as far as the caller may see them).
    pub status: Option<PostStatusValue>,
    /// Only posts by this author.
    pub author_id: Option<ID>,
    /// Only posts carrying this tag.
    pub tag: Option<String>,
}

impl PostFilterInput {
    /// The filter, with its tag parsed.
    pub fn parse(self) -> Result<PostFilter, InvalidInput> {
        Ok(PostFilter {
            status: self.status.map(PostStatus::from),
            author_id: self.author_id.map(|id| id.to_string()),
            tag: self.tag.as_deref().map(Tag::parse).transpose()?,
        })
    }
}

/// A new post; it starts as a draft.
#[derive(Debug, Clone, InputObject)]
pub struct CreatePostInput {
    /// The title, 1 to 200 characters.
    pub title: String,
    /// The body in Markdown.
    #[graphql(default)]
    pub body: String,
    /// The post's address; derived from the title when not given. Must not be taken.
    pub slug: Option<String>,
    /// Up to 10 tags.
    #[graphql(default)]
    pub tags: Vec<String>,
}

impl CreatePostInput {
    /// The post to create; the first bad value is refused.
    pub fn parse(&self) -> Result<NewPost, InvalidInput> {
        Ok(NewPost {
            title: Title::parse(&self.title)?,
            slug: self.slug.as_deref().map(Slug::parse).transpose()?,
            body: Body::parse(&self.body)?,
            tags: Tags::parse(&self.tags)?,
        })
    }
}

/// Changes to a post; fields left out stay as they are.
#[derive(Debug, Clone, Default, InputObject)]
pub struct EditPostInput {
    /// A new title.
    pub title: Option<String>,
    /// A new body in Markdown.
    pub body: Option<String>,
    /// A new address; must not be taken.
    pub slug: Option<String>,
    /// New tags, replacing the old ones.
    pub tags: Option<Vec<String>>,
}

impl EditPostInput {
    /// The edit; the first bad value is refused.
    pub fn parse(&self) -> Result<PostEdit, InvalidInput> {
        Ok(PostEdit {
            title: self.title.as_deref().map(Title::parse).transpose()?,
            slug: self.slug.as_deref().map(Slug::parse).transpose()?,
            body: self.body.as_deref().map(Body::parse).transpose()?,
            tags: self.tags.as_deref().map(Tags::parse).transpose()?,
        })
    }
}
