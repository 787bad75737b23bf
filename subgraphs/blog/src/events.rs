//! What the blog publishes: every change to a post or comment is written as an event to the outbox in the same
//! transaction as the change ([`enqueue`]), and the kernel's relay publishes it to [`TOPIC`] keyed by the post's
//! id, so one post's events keep their order. Payloads name the resource (`id`), its post and its author, so the
//! audit log can say who did what to what.

use kernel::events::EventEnvelope;
use kernel::outbox::OutboxError;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::store::{CommentRecord, PostRecord};

/// The topic the blog publishes every change to (and its denials, when audit cannot be reached).
pub const TOPIC: &str = "blog.events";
/// The `source` of the blog's envelopes.
pub const SOURCE: &str = "blog";
/// A post was created (as a draft).
pub const POST_CREATED: &str = "post.created";
/// A post's title, slug, body or tags changed.
pub const POST_EDITED: &str = "post.edited";
/// A post was published.
pub const POST_PUBLISHED: &str = "post.published";
/// A post was archived.
pub const POST_ARCHIVED: &str = "post.archived";
/// A comment was written.
pub const COMMENT_CREATED: &str = "comment.created";
/// A comment was deleted.
pub const COMMENT_DELETED: &str = "comment.deleted";

/// One change, as published.
#[derive(Debug, Clone)]
pub enum BlogEvent<'a> {
    /// A post was created, with its tags.
    PostCreated(&'a PostRecord, &'a [String]),
    /// A post was edited; `changed` names the fields that changed.
    PostEdited(&'a PostRecord, &'a [&'static str]),
    /// A post was published.
    PostPublished(&'a PostRecord),
    /// A post was archived.
    PostArchived(&'a PostRecord),
    /// A comment was written.
    CommentCreated(&'a CommentRecord),
    /// A comment was deleted.
    CommentDeleted(&'a CommentRecord),
}

impl BlogEvent<'_> {
    /// The envelope's event type.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::PostCreated(..) => POST_CREATED,
            Self::PostEdited(..) => POST_EDITED,
            Self::PostPublished(_) => POST_PUBLISHED,
            Self::PostArchived(_) => POST_ARCHIVED,
            Self::CommentCreated(_) => COMMENT_CREATED,
            Self::CommentDeleted(_) => COMMENT_DELETED,
        }
    }

    /// The message key: the post's id, for post and comment events alike.
    pub fn key(&self) -> String {
        match self {
            Self::PostCreated(post, _)
            | Self::PostEdited(post, _)
            | Self::PostPublished(post)
            | Self::PostArchived(post) => post.id.to_string(),
            Self::CommentCreated(comment) | Self::CommentDeleted(comment) => comment.post_id.to_string(),
        }
    }

    /// The event's data.
    pub fn payload(&self) -> Value {
        match self {
            Self::PostCreated(post, tags) => json!({
                "id": post.id,
                "post_id": post.id,
                "author_id": post.author_id,
                "slug": post.slug,
                "title": post.title,
                "status": post.status.as_str(),
                "tags": tags,
            }),
            Self::PostEdited(post, changed) => json!({
                "id": post.id,
                "post_id": post.id,
                "author_id": post.author_id,
                "slug": post.slug,
                "title": post.title,
                "changed": changed,
            }),
            Self::PostPublished(post) | Self::PostArchived(post) => json!({
                "id": post.id,
                "post_id": post.id,
                "author_id": post.author_id,
                "slug": post.slug,
                "status": post.status.as_str(),
                "published_at": post.published_at.map(|at| at.to_rfc3339()),
            }),
            Self::CommentCreated(comment) | Self::CommentDeleted(comment) => json!({
                "id": comment.id,
                "comment_id": comment.id,
                "post_id": comment.post_id,
                "author_id": comment.author_id,
            }),
        }
    }
}

/// Writes `event`, done by `actor`, to the outbox of `conn` (the change's transaction).
pub async fn enqueue(conn: &impl ConnectionTrait, event: &BlogEvent<'_>, actor: &str) -> Result<(), OutboxError> {
    let envelope = EventEnvelope::new(event.event_type(), SOURCE, event.payload()).with_actor(actor);
    kernel::outbox::enqueue(conn, TOPIC, &event.key(), &envelope).await
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use uuid::Uuid;

    use super::*;
    use crate::domain::PostStatus;

    #[test]
    fn comment_events_are_keyed_by_their_post_and_name_the_comment() {
        let comment = CommentRecord {
            id: Uuid::now_v7(),
            post_id: Uuid::now_v7(),
            author_id: "u1".to_owned(),
            body: "hi".to_owned(),
            created_at: Utc::now(),
        };
        let event = BlogEvent::CommentDeleted(&comment);
        assert_eq!(event.event_type(), "comment.deleted");
        assert_eq!(event.key(), comment.post_id.to_string());
        assert_eq!(event.payload()["id"], comment.id.to_string());
        assert_eq!(event.payload()["post_id"], comment.post_id.to_string());
        assert_eq!(event.payload()["author_id"], "u1");
    }

    #[test]
    fn post_events_carry_the_post_id_as_key_and_id() {
        let post = PostRecord {
            id: Uuid::now_v7(),
            author_id: "u2".to_owned(),
            slug: "hello".to_owned(),
            title: "Hello".to_owned(),
            body: String::new(),
            status: PostStatus::Published,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            published_at: Some(Utc::now()),
        };
        let event = BlogEvent::PostPublished(&post);
        assert_eq!(event.key(), post.id.to_string());
        assert_eq!(event.payload()["id"], post.id.to_string());
        assert_eq!(event.payload()["status"], "published");
        assert!(event.payload()["published_at"].is_string());
    }
}
