//! The `outbox` table as a SeaORM entity; only this module's siblings query it.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// One event waiting to be published (`sent_at` is null) or already published.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    /// Assigned by the database on insert and only ever growing, so it orders the events.
    #[sea_orm(primary_key)]
    pub sequence: i64,
    /// The envelope's id; unique, so one event cannot be enqueued twice.
    pub event_id: Uuid,
    /// The topic the event goes to.
    pub topic: String,
    /// The message key (the changed aggregate's id), which keeps one aggregate's events in order.
    pub event_key: String,
    /// The envelope as JSON, exactly as it will be published.
    pub envelope: String,
    /// When the event was enqueued.
    pub created_at: DateTime<Utc>,
    /// When the bus accepted the event; null while it waits.
    pub sent_at: Option<DateTime<Utc>>,
    /// Failed publishing attempts so far.
    pub attempts: i32,
    /// The last publishing failure, for whoever looks into a stuck outbox.
    pub last_error: Option<String>,
    /// When publishing last failed.
    pub last_attempt_at: Option<DateTime<Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
