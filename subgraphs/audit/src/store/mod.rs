//! The audit log's table: append a record (once per id), read pages of it.
//!
//! There is deliberately no update or delete here; the database refuses both anyway (see the migration).

pub mod entity;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::domain::record::to_micros;
use crate::domain::{AuditRecord, Cursor, LogFilter, NewRecord, Outcome, PageSize};
use entity::{Column, Entity};

/// One page of the log, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The records, newest first.
    pub records: Vec<AuditRecord>,
    /// Whether more records follow the last one.
    pub has_next_page: bool,
}

/// Reads and appends audit records.
#[derive(Debug, Clone)]
pub struct AuditStore {
    conn: DatabaseConnection,
}

impl AuditStore {
    /// A store over audit's database, already migrated with [`migrations::audit::Migrator`].
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }

    /// Appends `record` unless a record with its id exists; returns whether it was stored now.
    pub async fn append(&self, record: &NewRecord) -> Result<bool, DbErr> {
        let row = entity::ActiveModel {
            id: Set(record.id.as_uuid()),
            actor: Set(record.actor.clone()),
            action: Set(record.action.clone()),
            resource: Set(record.resource.clone()),
            outcome: Set(record.outcome.as_str().to_owned()),
            source_service: Set(record.source_service.clone()),
            occurred_at: Set(to_micros(record.occurred_at)),
            recorded_at: Set(to_micros(Utc::now())),
            trace_id: Set(record.trace_id.as_ref().map(|t| t.as_str().to_owned())),
            request_metadata: Set(record.request_metadata.clone()),
            payload: Set(record.payload.clone()),
        };
        // `ON CONFLICT DO NOTHING`: a redelivered event or a retried call is a no-op, and never an update.
        let inserted = Entity::insert(row)
            .on_conflict(OnConflict::column(Column::Id).do_nothing().to_owned())
            .exec_without_returning(&self.conn)
            .await?;
        Ok(inserted > 0)
    }

    /// The record with `id`, if stored.
    pub async fn get(&self, id: Uuid) -> Result<Option<AuditRecord>, DbErr> {
        Entity::find_by_id(id).one(&self.conn).await?.map(record).transpose()
    }

    /// How many records are stored.
    pub async fn count(&self) -> Result<u64, DbErr> {
        Entity::find().count(&self.conn).await
    }

    /// Every stored id, for checks that nothing is missing or doubled.
    pub async fn ids(&self) -> Result<Vec<Uuid>, DbErr> {
        Entity::find()
            .select_only()
            .column(Column::Id)
            .into_tuple()
            .all(&self.conn)
            .await
    }

    /// Every stored record, oldest first; for tests and the benchmark, not for serving.
    pub async fn all(&self) -> Result<Vec<AuditRecord>, DbErr> {
        let rows = Entity::find()
            .order_by_asc(Column::OccurredAt)
            .order_by_asc(Column::Id)
            .all(&self.conn)
            .await?;
        rows.into_iter().map(record).collect()
    }

    /// The records matching `filter`, newest first, starting after `after`, at most `size` of them.
    pub async fn page(&self, filter: &LogFilter, after: Option<Cursor>, size: PageSize) -> Result<Page, DbErr> {
        let mut query = Entity::find();
        if let Some(actor) = &filter.actor {
            query = query.filter(Column::Actor.eq(actor.as_str()));
        }
        if let Some(resource) = &filter.resource {
            query = query.filter(Column::Resource.eq(resource.as_str()));
        }
        if let Some(action) = &filter.action {
            query = query.filter(Column::Action.eq(action.as_str()));
        }
        if let Some(from) = filter.from {
            query = query.filter(Column::OccurredAt.gte(to_micros(from)));
        }
        if let Some(to) = filter.to {
            query = query.filter(Column::OccurredAt.lt(to_micros(to)));
        }
        if let Some(cursor) = after {
            // Strictly older than the cursor in `(occurred_at, id)` order.
            query = query.filter(
                Condition::any().add(Column::OccurredAt.lt(cursor.occurred_at)).add(
                    Condition::all()
                        .add(Column::OccurredAt.eq(cursor.occurred_at))
                        .add(Column::Id.lt(cursor.id)),
                ),
            );
        }
        // One row more than asked tells whether another page follows.
        let mut rows = query
            .order_by_desc(Column::OccurredAt)
            .order_by_desc(Column::Id)
            .limit(size.get() + 1)
            .all(&self.conn)
            .await?;
        let has_next_page = rows.len() as u64 > size.get();
        rows.truncate(usize::try_from(size.get()).unwrap_or(usize::MAX));
        let records = rows.into_iter().map(record).collect::<Result<_, _>>()?;
        Ok(Page { records, has_next_page })
    }
}

fn record(row: entity::Model) -> Result<AuditRecord, DbErr> {
    let outcome = Outcome::from_stored(&row.outcome).ok_or_else(|| {
        DbErr::Custom(format!(
            "audit record {} has an unknown outcome `{}`",
            row.id, row.outcome
        ))
    })?;
    Ok(AuditRecord {
        id: row.id,
        actor: row.actor,
        action: row.action,
        resource: row.resource,
        outcome,
        source_service: row.source_service,
        occurred_at: row.occurred_at,
        recorded_at: row.recorded_at,
        trace_id: row.trace_id,
        request_metadata: row.request_metadata,
        payload: row.payload,
    })
}
