//! The `audit_records` table as a SeaORM entity; only inserts and reads are ever issued through it.

use sea_orm::entity::prelude::*;

/// One stored audit record.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_records")]
pub struct Model {
    /// The event id, or the gRPC caller's record id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Who did it.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub resource: String,
    /// `success`, `denied` or `failure`.
    pub outcome: String,
    /// The service that reported it.
    pub source_service: String,
    /// When it happened.
    pub occurred_at: DateTimeUtc,
    /// When audit stored it.
    pub recorded_at: DateTimeUtc,
    /// The trace of the request that did it.
    pub trace_id: Option<String>,
    /// Where the request came from, as a JSON object.
    #[sea_orm(column_type = "JsonBinary")]
    pub request_metadata: Json,
    /// The event's data.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
}

/// No relations: the log refers to other services' data by id only.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
