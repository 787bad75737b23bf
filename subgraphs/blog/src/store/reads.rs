//! Reading posts and comments one at a time, and pages of posts.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::entities::{comment, post, post_tag};
use super::{BlogStore, CommentRecord, Page, PostFilter, PostRecord, Reader, comment_record, post_record, tagged};
use crate::domain::PageSize;

impl BlogStore {
    /// The post with `id`, whatever its status.
    pub async fn post(&self, id: Uuid) -> Result<Option<PostRecord>, DbErr> {
        post::Entity::find_by_id(id)
            .one(&self.conn)
            .await?
            .map(post_record)
            .transpose()
    }

    /// The post at `slug`, whatever its status.
    pub async fn post_by_slug(&self, slug: &str) -> Result<Option<PostRecord>, DbErr> {
        post::Entity::find()
            .filter(post::Column::Slug.eq(slug))
            .one(&self.conn)
            .await?
            .map(post_record)
            .transpose()
    }

    /// The posts among `ids` that exist, whatever their status, in one statement.
    pub async fn posts_by_ids(&self, ids: &[Uuid]) -> Result<Vec<PostRecord>, DbErr> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        post::Entity::find()
            .filter(post::Column::Id.is_in(ids.iter().copied()))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(post_record)
            .collect()
    }

    /// The posts matching `filter` that `reader` sees, newest first, starting after the post `after`.
    pub async fn posts(
        &self,
        filter: &PostFilter,
        reader: &Reader,
        after: Option<Uuid>,
        size: PageSize,
    ) -> Result<Page<PostRecord>, DbErr> {
        let mut query = post::Entity::find();
        if let Some(status) = filter.status {
            query = query.filter(post::Column::Status.eq(status.as_str()));
        }
        if let Some(author) = &filter.author_id {
            query = query.filter(post::Column::AuthorId.eq(author.as_str()));
        }
        if let Some(tag) = &filter.tag {
            query = query.filter(tagged(tag));
        }
        if let Some(visible) = reader.condition() {
            query = query.filter(visible);
        }
        if let Some(after) = after {
            query = query.filter(post::Column::Id.lt(after));
        }
        // One row more than asked tells whether another page follows.
        let rows = query
            .order_by_desc(post::Column::Id)
            .limit(size.get() + 1)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(post_record)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(rows, size.get()))
    }

    /// The tags of each of `post_ids`, sorted, in one statement; a post without tags maps to an empty list.
    pub async fn tags_of(&self, post_ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<String>>, DbErr> {
        let mut tags: HashMap<Uuid, Vec<String>> = post_ids.iter().map(|id| (*id, Vec::new())).collect();
        if post_ids.is_empty() {
            return Ok(tags);
        }
        let rows = post_tag::Entity::find()
            .filter(post_tag::Column::PostId.is_in(post_ids.iter().copied()))
            .order_by_asc(post_tag::Column::PostId)
            .order_by_asc(post_tag::Column::Tag)
            .all(&self.conn)
            .await?;
        for row in rows {
            tags.entry(row.post_id).or_default().push(row.tag);
        }
        Ok(tags)
    }

    /// The comment with `id`.
    pub async fn comment(&self, id: Uuid) -> Result<Option<CommentRecord>, DbErr> {
        Ok(comment::Entity::find_by_id(id)
            .one(&self.conn)
            .await?
            .map(comment_record))
    }
}
