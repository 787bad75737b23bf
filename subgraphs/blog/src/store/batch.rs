//! Pages of many lists at once: the first comments of each of N posts, or the first posts of each of N authors,
//! in one statement. Each list is numbered with `ROW_NUMBER() OVER (PARTITION BY …)` (PostgreSQL and SQLite
//! both have window functions) and only the rows a page needs, plus one to tell whether another follows, are kept.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query, SelectStatement, WindowStatement};
use sea_orm::{DbErr, FromQueryResult, Iterable};
use uuid::Uuid;

use super::entities::{comment, post};
use super::{BlogStore, CommentRecord, Page, PostFilter, PostRecord, Reader, comment_record, post_record, tagged};
use crate::domain::PageSize;

const RANK: &str = "page_rank";
const RANKED: &str = "ranked";

/// Keeps the first `size + 1` rows of each partition of `inner`, numbered by `window`, in partition order.
fn first_of_each(mut inner: SelectStatement, window: WindowStatement, size: PageSize) -> SelectStatement {
    inner.expr_window_as(Expr::cust("ROW_NUMBER()"), window, Alias::new(RANK));
    let limit = i64::try_from(size.get() + 1).unwrap_or(i64::MAX);
    Query::select()
        .column(Asterisk)
        .from_subquery(inner, Alias::new(RANKED))
        .and_where(Expr::col(Alias::new(RANK)).lte(limit))
        .order_by(Alias::new(RANK), Order::Asc)
        .to_owned()
}

impl BlogStore {
    /// The first page of comments of each of `post_ids`, oldest first, after the comment `after` (a cursor
    /// belongs to one post, so it is only ever given with one post); one statement for all of them.
    pub async fn comments_of(
        &self,
        post_ids: &[Uuid],
        after: Option<Uuid>,
        size: PageSize,
    ) -> Result<HashMap<Uuid, Page<CommentRecord>>, DbErr> {
        if post_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut inner = Query::select();
        inner
            .columns(comment::Column::iter())
            .from(comment::Entity)
            .and_where(Expr::col(comment::Column::PostId).is_in(post_ids.iter().copied()));
        if let Some(after) = after {
            inner.and_where(Expr::col(comment::Column::Id).gt(after));
        }
        let window = WindowStatement::partition_by(comment::Column::PostId)
            .order_by(comment::Column::Id, Order::Asc)
            .to_owned();
        let statement = self
            .conn
            .get_database_backend()
            .build(&first_of_each(inner, window, size));
        let rows = comment::Model::find_by_statement(statement).all(&self.conn).await?;
        let mut by_post: HashMap<Uuid, Vec<CommentRecord>> = HashMap::new();
        for row in rows {
            by_post.entry(row.post_id).or_default().push(comment_record(row));
        }
        Ok(post_ids
            .iter()
            .map(|id| {
                let rows = by_post.remove(id).unwrap_or_default();
                (*id, Page::from_overfetch(rows, size.get()))
            })
            .collect())
    }

    /// The first page of posts of each of `author_ids` matching `filter` (its author is ignored) that `reader`
    /// sees, newest first, after the post `after`; one statement for all of them.
    pub async fn posts_of(
        &self,
        author_ids: &[String],
        filter: &PostFilter,
        reader: &Reader,
        after: Option<Uuid>,
        size: PageSize,
    ) -> Result<HashMap<String, Page<PostRecord>>, DbErr> {
        if author_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut inner = Query::select();
        inner
            .columns(post::Column::iter().map(|column| (post::Entity, column)))
            .from(post::Entity)
            .and_where(Expr::col(post::Column::AuthorId).is_in(author_ids.iter().map(String::as_str)));
        if let Some(status) = filter.status {
            inner.and_where(Expr::col(post::Column::Status).eq(status.as_str()));
        }
        if let Some(tag) = &filter.tag {
            inner.cond_where(tagged(tag));
        }
        if let Some(visible) = reader.condition() {
            inner.cond_where(visible);
        }
        if let Some(after) = after {
            inner.and_where(Expr::col(post::Column::Id).lt(after));
        }
        let window = WindowStatement::partition_by(post::Column::AuthorId)
            .order_by(post::Column::Id, Order::Desc)
            .to_owned();
        let statement = self
            .conn
            .get_database_backend()
            .build(&first_of_each(inner, window, size));
        let rows = post::Model::find_by_statement(statement).all(&self.conn).await?;
        let mut by_author: HashMap<String, Vec<PostRecord>> = HashMap::new();
        for row in rows {
            by_author
                .entry(row.author_id.clone())
                .or_default()
                .push(post_record(row)?);
        }
        Ok(author_ids
            .iter()
            .map(|author| {
                let rows = by_author.remove(author).unwrap_or_default();
                (author.clone(), Page::from_overfetch(rows, size.get()))
            })
            .collect())
    }
}
