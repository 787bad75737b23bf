//! Changing posts, tags and comments. Each function takes the connection to run on, so callers put the change
//! and its outbox event in one transaction (see [`begin_write`]).

use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use uuid::Uuid;

use super::entities::{comment, post, post_tag};
use super::{CommentRecord, PostRecord, post_record};
use crate::domain::Tags;

/// Begins a transaction that will write. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`): a
/// transaction that reads first and writes later would fail at once with "database is locked" when another
/// connection (the outbox relay, say) wrote in between, whereas waiting at `BEGIN` honours the busy timeout.
pub async fn begin_write(conn: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let sqlite_transaction_mode =
        (conn.get_database_backend() == DbBackend::Sqlite).then_some(SqliteTransactionMode::Immediate);
    conn.begin_with_options(TransactionOptions {
        sqlite_transaction_mode,
        ..TransactionOptions::default()
    })
    .await
}

/// Reads the post `id` inside the caller's transaction and, on PostgreSQL, locks its row until the transaction
/// ends, so two changes of one post run one after the other (and their events keep that order).
pub async fn lock_post(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<PostRecord>, DbErr> {
    let mut query = post::Entity::find_by_id(id);
    if conn.get_database_backend() == DbBackend::Postgres {
        query = query.lock(LockType::Update);
    }
    query.one(conn).await?.map(post_record).transpose()
}

/// Whether a post other than `except` has `slug`.
pub async fn slug_taken(conn: &impl ConnectionTrait, slug: &str, except: Option<Uuid>) -> Result<bool, DbErr> {
    let mut query = post::Entity::find().filter(post::Column::Slug.eq(slug));
    if let Some(except) = except {
        query = query.filter(post::Column::Id.ne(except));
    }
    Ok(query.count(conn).await? > 0)
}

/// Inserts `post`.
pub async fn insert_post(conn: &impl ConnectionTrait, post: &PostRecord) -> Result<(), DbErr> {
    post::Entity::insert(active_post(post))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Writes every column of `post` over the stored row with its id.
pub async fn update_post(conn: &impl ConnectionTrait, post: &PostRecord) -> Result<(), DbErr> {
    post::Entity::update(active_post(post)).exec(conn).await?;
    Ok(())
}

fn active_post(post: &PostRecord) -> post::ActiveModel {
    post::ActiveModel {
        id: Set(post.id),
        author_id: Set(post.author_id.clone()),
        slug: Set(post.slug.clone()),
        title: Set(post.title.clone()),
        body: Set(post.body.clone()),
        status: Set(post.status.as_str().to_owned()),
        created_at: Set(post.created_at),
        updated_at: Set(post.updated_at),
        published_at: Set(post.published_at),
    }
}

/// Replaces the tags of post `id` with `tags`.
pub async fn replace_tags(conn: &impl ConnectionTrait, id: Uuid, tags: &Tags) -> Result<(), DbErr> {
    post_tag::Entity::delete_many()
        .filter(post_tag::Column::PostId.eq(id))
        .exec(conn)
        .await?;
    if tags.as_slice().is_empty() {
        return Ok(());
    }
    let rows = tags.as_slice().iter().map(|tag| post_tag::ActiveModel {
        post_id: Set(id),
        tag: Set(tag.as_str().to_owned()),
    });
    post_tag::Entity::insert_many(rows).exec_without_returning(conn).await?;
    Ok(())
}

/// The tags of post `id`, sorted, read inside the caller's transaction.
pub async fn tags_of_post(conn: &impl ConnectionTrait, id: Uuid) -> Result<Vec<String>, DbErr> {
    Ok(post_tag::Entity::find()
        .filter(post_tag::Column::PostId.eq(id))
        .order_by_asc(post_tag::Column::Tag)
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.tag)
        .collect())
}

/// Inserts `comment`.
pub async fn insert_comment(conn: &impl ConnectionTrait, comment: &CommentRecord) -> Result<(), DbErr> {
    comment::Entity::insert(comment::ActiveModel {
        id: Set(comment.id),
        post_id: Set(comment.post_id),
        author_id: Set(comment.author_id.clone()),
        body: Set(comment.body.clone()),
        created_at: Set(comment.created_at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Deletes the comment `id`; `true` when it existed.
pub async fn delete_comment(conn: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let deleted = comment::Entity::delete_by_id(id).exec(conn).await?;
    Ok(deleted.rows_affected > 0)
}
