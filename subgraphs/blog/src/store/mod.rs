//! The blog's tables: posts, their tags and comments. Reads ([`reads`]) come one at a time or batched for many
//! posts or authors at once ([`batch`], one statement per batch), so a page of N posts costs the same number of
//! statements as a page of one. Writes ([`writes`]) take the transaction to run in, so callers put a change and
//! its outbox event in one.

pub mod batch;
pub mod entities;
pub mod reads;
pub mod writes;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr};
use uuid::Uuid;

use crate::domain::{PostStatus, Tag};
use entities::{comment, post};

/// A stored post (its tags are read separately, see [`BlogStore::tags_of`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRecord {
    /// The post's id.
    pub id: Uuid,
    /// Who wrote it.
    pub author_id: String,
    /// Its unique address.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Its Markdown body.
    pub body: String,
    /// Where it is in its life.
    pub status: PostStatus,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was first published.
    pub published_at: Option<DateTime<Utc>>,
}

/// A stored comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRecord {
    /// The comment's id.
    pub id: Uuid,
    /// The post it is under.
    pub post_id: Uuid,
    /// Who wrote it.
    pub author_id: String,
    /// Its Markdown body.
    pub body: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// One page of a list, and whether another follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The page's items, in list order.
    pub items: Vec<T>,
    /// Whether more items follow the last one.
    pub has_next_page: bool,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            has_next_page: false,
        }
    }
}

impl<T> Page<T> {
    /// The page made of `rows`, read with one row more than `size` to tell whether another page follows.
    pub(crate) fn from_overfetch(mut rows: Vec<T>, size: u64) -> Self {
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        let has_next_page = rows.len() > size;
        rows.truncate(size);
        Self {
            items: rows,
            has_next_page,
        }
    }
}

/// Which posts a list holds; every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostFilter {
    /// Only posts in this status.
    pub status: Option<PostStatus>,
    /// Only posts by this author.
    pub author_id: Option<String>,
    /// Only posts carrying this tag.
    pub tag: Option<Tag>,
}

/// Which posts a reader sees: published ones always, their own in any status, and every post when they may
/// edit posts in general (an editor or administrator).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Reader {
    viewer: Option<String>,
    sees_all: bool,
}

impl Reader {
    /// An anonymous reader: published posts only.
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// The signed-in `viewer`, who sees every post when `sees_all`.
    pub fn signed_in(viewer: impl Into<String>, sees_all: bool) -> Self {
        Self {
            viewer: Some(viewer.into()),
            sees_all,
        }
    }

    /// Whether this reader sees `post`.
    pub fn sees(&self, post: &PostRecord) -> bool {
        self.sees_all || post.status.is_public() || self.viewer.as_deref() == Some(post.author_id.as_str())
    }

    /// The same rule as a SQL condition; `None` when the reader sees everything.
    pub(crate) fn condition(&self) -> Option<Condition> {
        if self.sees_all {
            return None;
        }
        let mut visible = Condition::any().add(post::Column::Status.eq(PostStatus::Published.as_str()));
        if let Some(viewer) = &self.viewer {
            visible = visible.add(post::Column::AuthorId.eq(viewer.as_str()));
        }
        Some(visible)
    }
}

/// Reads the blog's tables; writes go through [`writes`] in a transaction.
#[derive(Debug, Clone)]
pub struct BlogStore {
    conn: DatabaseConnection,
}

impl BlogStore {
    /// A store over blog's database, already migrated with [`migrations::blog::Migrator`].
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }

    /// The connection, for transactions.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }
}

/// Times are kept to the microsecond, what PostgreSQL stores, so a value reads back as it was written.
pub(crate) fn to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    time.trunc_subsecs(6)
}

pub(crate) fn post_record(row: post::Model) -> Result<PostRecord, DbErr> {
    let status = PostStatus::from_stored(&row.status)
        .ok_or_else(|| DbErr::Custom(format!("post {} has an unknown status `{}`", row.id, row.status)))?;
    Ok(PostRecord {
        id: row.id,
        author_id: row.author_id,
        slug: row.slug,
        title: row.title,
        body: row.body,
        status,
        created_at: row.created_at,
        updated_at: row.updated_at,
        published_at: row.published_at,
    })
}

pub(crate) fn comment_record(row: comment::Model) -> CommentRecord {
    CommentRecord {
        id: row.id,
        post_id: row.post_id,
        author_id: row.author_id,
        body: row.body,
        created_at: row.created_at,
    }
}

/// Posts carrying `tag`, as a condition on `posts.id`.
pub(crate) fn tagged(tag: &Tag) -> Condition {
    use sea_orm::sea_query::Query;
    let tagged_ids = Query::select()
        .column(entities::post_tag::Column::PostId)
        .from(entities::post_tag::Entity)
        .and_where(Expr::col(entities::post_tag::Column::Tag).eq(tag.as_str()))
        .to_owned();
    Condition::all().add(Expr::col((post::Entity, post::Column::Id)).in_subquery(tagged_ids))
}
