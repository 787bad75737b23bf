//! Data loaders: the posts, tags, comment pages and author post pages that many resolvers of one request ask
//! for are read together, one statement per kind (per distinct page shape), instead of one per parent.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::DbErr;
use uuid::Uuid;

use crate::domain::{PageSize, PostStatus};
use crate::store::{BlogStore, CommentRecord, Page, PostFilter, PostRecord, Reader};

/// Loads posts by id, whatever their status (visibility is decided by the resolver).
#[derive(Debug, Clone)]
pub struct PostLoader {
    store: BlogStore,
}

impl PostLoader {
    /// A loader reading `store`.
    pub fn new(store: BlogStore) -> Self {
        Self { store }
    }
}

impl Loader<Uuid> for PostLoader {
    type Value = PostRecord;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let posts = self.store.posts_by_ids(keys).await.map_err(Arc::new)?;
        Ok(posts.into_iter().map(|post| (post.id, post)).collect())
    }
}

/// Loads the tags of posts by post id.
#[derive(Debug, Clone)]
pub struct TagsLoader {
    store: BlogStore,
}

impl TagsLoader {
    /// A loader reading `store`.
    pub fn new(store: BlogStore) -> Self {
        Self { store }
    }
}

impl Loader<Uuid> for TagsLoader {
    type Value = Vec<String>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        self.store.tags_of(keys).await.map_err(Arc::new)
    }
}

/// One post's page of comments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommentsKey {
    /// The post.
    pub post_id: Uuid,
    /// The comment the page starts after.
    pub after: Option<Uuid>,
    /// The page's size.
    pub size: PageSize,
}

/// Loads pages of comments, one statement per distinct `(after, size)`.
#[derive(Debug, Clone)]
pub struct CommentsLoader {
    store: BlogStore,
}

impl CommentsLoader {
    /// A loader reading `store`.
    pub fn new(store: BlogStore) -> Self {
        Self { store }
    }
}

impl Loader<CommentsKey> for CommentsLoader {
    type Value = Page<CommentRecord>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[CommentsKey]) -> Result<HashMap<CommentsKey, Self::Value>, Self::Error> {
        let mut shapes: HashMap<(Option<Uuid>, PageSize), Vec<Uuid>> = HashMap::new();
        for key in keys {
            shapes.entry((key.after, key.size)).or_default().push(key.post_id);
        }
        let mut pages = HashMap::new();
        for ((after, size), post_ids) in shapes {
            let found = self.store.comments_of(&post_ids, after, size).await.map_err(Arc::new)?;
            for (post_id, page) in found {
                pages.insert(CommentsKey { post_id, after, size }, page);
            }
        }
        Ok(pages)
    }
}

/// One author's page of posts, as one reader sees them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuthorPostsKey {
    /// The author.
    pub author_id: String,
    /// Only posts in this status.
    pub status: Option<PostStatus>,
    /// Who reads, which decides which posts are visible.
    pub reader: Reader,
    /// The post the page starts after.
    pub after: Option<Uuid>,
    /// The page's size.
    pub size: PageSize,
}

type PostsShape = (Option<PostStatus>, Reader, Option<Uuid>, PageSize);

/// Loads pages of authors' posts, one statement per distinct page shape.
#[derive(Debug, Clone)]
pub struct AuthorPostsLoader {
    store: BlogStore,
}

impl AuthorPostsLoader {
    /// A loader reading `store`.
    pub fn new(store: BlogStore) -> Self {
        Self { store }
    }
}

impl Loader<AuthorPostsKey> for AuthorPostsLoader {
    type Value = Page<PostRecord>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[AuthorPostsKey]) -> Result<HashMap<AuthorPostsKey, Self::Value>, Self::Error> {
        let mut shapes: HashMap<PostsShape, Vec<String>> = HashMap::new();
        for key in keys {
            let shape = (key.status, key.reader.clone(), key.after, key.size);
            shapes.entry(shape).or_default().push(key.author_id.clone());
        }
        let mut pages = HashMap::new();
        for ((status, reader, after, size), authors) in shapes {
            let filter = PostFilter {
                status,
                ..PostFilter::default()
            };
            let found = self
                .store
                .posts_of(&authors, &filter, &reader, after, size)
                .await
                .map_err(Arc::new)?;
            for (author_id, page) in found {
                let key = AuthorPostsKey {
                    author_id,
                    status,
                    reader: reader.clone(),
                    after,
                    size,
                };
                pages.insert(key, page);
            }
        }
        Ok(pages)
    }
}
