//! Changing posts and comments: check the state the change needs, write the change and its event in one
//! transaction. Who may make a change is decided before these are called (the GraphQL layer asks authz); every
//! method takes the `actor` it records in the event.

use chrono::Utc;
use sea_orm::{DbErr, SqlErr};
use uuid::Uuid;

use crate::domain::{Body, CommentBody, PostStatus, Slug, Tags, Title};
use crate::error::BlogError;
use crate::events::{BlogEvent, enqueue};
use crate::store::{BlogStore, CommentRecord, PostRecord, to_micros, writes};

/// A post to create, already parsed.
#[derive(Debug, Clone)]
pub struct NewPost {
    /// Its title.
    pub title: Title,
    /// Its slug; derived from the title when `None`.
    pub slug: Option<Slug>,
    /// Its Markdown body.
    pub body: Body,
    /// Its tags.
    pub tags: Tags,
}

/// The changes of an edit, already parsed; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PostEdit {
    /// A new title.
    pub title: Option<Title>,
    /// A new slug.
    pub slug: Option<Slug>,
    /// A new body.
    pub body: Option<Body>,
    /// New tags, replacing the old.
    pub tags: Option<Tags>,
}

/// Makes changes to posts and comments.
#[derive(Debug, Clone)]
pub struct Changes {
    store: BlogStore,
}

impl Changes {
    /// Changes written through `store`'s connection.
    pub fn new(store: BlogStore) -> Self {
        Self { store }
    }

    /// Creates a draft by `actor`; CONFLICT when its slug (given or derived) is taken.
    pub async fn create_post(&self, actor: &str, new: NewPost) -> Result<(PostRecord, Vec<String>), BlogError> {
        let id = Uuid::now_v7();
        let slug = new.slug.unwrap_or_else(|| Slug::from_title(&new.title, id));
        let now = to_micros(Utc::now());
        let post = PostRecord {
            id,
            author_id: actor.to_owned(),
            slug: slug.to_string(),
            title: new.title.as_str().to_owned(),
            body: new.body.as_str().to_owned(),
            status: PostStatus::Draft,
            created_at: now,
            updated_at: now,
            published_at: None,
        };
        let tags = new.tags.to_strings();
        let tx = writes::begin_write(self.store.conn()).await?;
        if writes::slug_taken(&tx, &post.slug, None).await? {
            return Err(slug_conflict(&post.slug));
        }
        writes::insert_post(&tx, &post)
            .await
            .map_err(|error| conflict_on_unique(error, &post.slug))?;
        writes::replace_tags(&tx, id, &new.tags).await?;
        enqueue(&tx, &BlogEvent::PostCreated(&post, &tags), actor).await?;
        tx.commit().await?;
        Ok((post, tags))
    }

    /// Applies `edit` to post `id`; archived posts cannot be edited, and a new slug must be free.
    pub async fn edit_post(&self, actor: &str, id: Uuid, edit: PostEdit) -> Result<PostRecord, BlogError> {
        let tx = writes::begin_write(self.store.conn()).await?;
        let before = writes::lock_post(&tx, id).await?.ok_or_else(|| missing_post(id))?;
        before.status.edit()?;
        let mut after = before.clone();
        let mut changed = Vec::new();
        if let Some(title) = edit.title.filter(|title| title.as_str() != before.title) {
            after.title = title.as_str().to_owned();
            changed.push("title");
        }
        if let Some(body) = edit.body.filter(|body| body.as_str() != before.body) {
            after.body = body.as_str().to_owned();
            changed.push("body");
        }
        if let Some(slug) = edit.slug.filter(|slug| slug.as_str() != before.slug) {
            if writes::slug_taken(&tx, slug.as_str(), Some(id)).await? {
                return Err(slug_conflict(slug.as_str()));
            }
            after.slug = slug.to_string();
            changed.push("slug");
        }
        if let Some(tags) = &edit.tags {
            let old = writes::tags_of_post(&tx, id).await?;
            if old != tags.to_strings() {
                writes::replace_tags(&tx, id, tags).await?;
                changed.push("tags");
            }
        }
        if changed.is_empty() {
            // Nothing changed: no write, no event.
            return Ok(before);
        }
        after.updated_at = to_micros(Utc::now());
        writes::update_post(&tx, &after)
            .await
            .map_err(|error| conflict_on_unique(error, &after.slug))?;
        enqueue(&tx, &BlogEvent::PostEdited(&after, &changed), actor).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Publishes post `id` (a draft, or an archived post brought back); it keeps its first publication time.
    pub async fn publish_post(&self, actor: &str, id: Uuid) -> Result<PostRecord, BlogError> {
        let tx = writes::begin_write(self.store.conn()).await?;
        let mut post = writes::lock_post(&tx, id).await?.ok_or_else(|| missing_post(id))?;
        post.status = post.status.publish()?;
        let now = to_micros(Utc::now());
        post.updated_at = now;
        post.published_at = post.published_at.or(Some(now));
        writes::update_post(&tx, &post).await?;
        enqueue(&tx, &BlogEvent::PostPublished(&post), actor).await?;
        tx.commit().await?;
        Ok(post)
    }

    /// Archives post `id`, withdrawing it from readers.
    pub async fn archive_post(&self, actor: &str, id: Uuid) -> Result<PostRecord, BlogError> {
        let tx = writes::begin_write(self.store.conn()).await?;
        let mut post = writes::lock_post(&tx, id).await?.ok_or_else(|| missing_post(id))?;
        post.status = post.status.archive()?;
        post.updated_at = to_micros(Utc::now());
        writes::update_post(&tx, &post).await?;
        enqueue(&tx, &BlogEvent::PostArchived(&post), actor).await?;
        tx.commit().await?;
        Ok(post)
    }

    /// Writes a comment by `actor` under post `post_id`, which must be published.
    pub async fn add_comment(&self, actor: &str, post_id: Uuid, body: CommentBody) -> Result<CommentRecord, BlogError> {
        let tx = writes::begin_write(self.store.conn()).await?;
        // Locking the post keeps it from being archived while the comment is written.
        let post = writes::lock_post(&tx, post_id)
            .await?
            .ok_or_else(|| missing_post(post_id))?;
        post.status.accepts_comments()?;
        let comment = CommentRecord {
            id: Uuid::now_v7(),
            post_id,
            author_id: actor.to_owned(),
            body: body.as_str().to_owned(),
            created_at: to_micros(Utc::now()),
        };
        writes::insert_comment(&tx, &comment).await?;
        enqueue(&tx, &BlogEvent::CommentCreated(&comment), actor).await?;
        tx.commit().await?;
        Ok(comment)
    }

    /// Deletes `comment` (as read by the caller, who decided `actor` may delete it).
    pub async fn delete_comment(&self, actor: &str, comment: &CommentRecord) -> Result<(), BlogError> {
        let tx = writes::begin_write(self.store.conn()).await?;
        if !writes::delete_comment(&tx, comment.id).await? {
            return Err(BlogError::NotFound(format!("there is no comment `{}`", comment.id)));
        }
        enqueue(&tx, &BlogEvent::CommentDeleted(comment), actor).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn missing_post(id: Uuid) -> BlogError {
    BlogError::NotFound(format!("there is no post `{id}`"))
}

fn slug_conflict(slug: &str) -> BlogError {
    BlogError::Conflict(format!(
        "the slug `{slug}` is taken by another post; choose another with `slug`"
    ))
}

/// A unique violation raced past the check before it: report it as the conflict it is.
fn conflict_on_unique(error: DbErr, slug: &str) -> BlogError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => slug_conflict(slug),
        _ => BlogError::Store(error),
    }
}
