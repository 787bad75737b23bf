//! Creates `audit_records` with the indexes its reads filter on, and the triggers that make it append-only.
//!
//! PostgreSQL gets one trigger function raising on UPDATE/DELETE (row triggers) and TRUNCATE (a statement trigger);
//! SQLite, which has no TRUNCATE, gets `RAISE(ABORT)` triggers on UPDATE and DELETE. Unqualified names resolve in
//! the service's schema, which the kernel puts first on every connection's `search_path`.

use sea_orm_migration::prelude::{ColumnDef, DbErr, DeriveIden, Index, Table};
// `DeriveIden` expands to paths under `sea_orm`, which this crate reaches through sea_orm_migration.
use sea_orm_migration::sea_orm;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager};

/// The migration; see the module docs.
pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000001_audit_create_audit_records"
    }
}

#[derive(DeriveIden)]
enum AuditRecords {
    Table,
    Id,
    Actor,
    Action,
    Resource,
    Outcome,
    SourceService,
    OccurredAt,
    RecordedAt,
    TraceId,
    RequestMetadata,
    Payload,
}

const POSTGRES_GUARD: &str = r#"
CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_records is append-only: % is not allowed', TG_OP;
END
$$;
CREATE TRIGGER audit_records_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
"#;

const POSTGRES_UNGUARD: &str = r#"
DROP TRIGGER IF EXISTS audit_records_no_truncate ON audit_records;
DROP TRIGGER IF EXISTS audit_records_no_update_or_delete ON audit_records;
DROP FUNCTION IF EXISTS audit_records_append_only();
"#;

const SQLITE_GUARD: [&str; 2] = [
    "CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records \
     BEGIN SELECT RAISE(ABORT, 'audit_records is append-only: UPDATE is not allowed'); END",
    "CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records \
     BEGIN SELECT RAISE(ABORT, 'audit_records is append-only: DELETE is not allowed'); END",
];

const SQLITE_UNGUARD: [&str; 2] = [
    "DROP TRIGGER IF EXISTS audit_records_no_update",
    "DROP TRIGGER IF EXISTS audit_records_no_delete",
];

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditRecords::Table)
                    .col(ColumnDef::new(AuditRecords::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(AuditRecords::Actor).string_len(256).not_null())
                    .col(ColumnDef::new(AuditRecords::Action).string_len(256).not_null())
                    .col(ColumnDef::new(AuditRecords::Resource).string_len(512).not_null())
                    .col(ColumnDef::new(AuditRecords::Outcome).string_len(16).not_null())
                    .col(ColumnDef::new(AuditRecords::SourceService).string_len(128).not_null())
                    .col(
                        ColumnDef::new(AuditRecords::OccurredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditRecords::RecordedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditRecords::TraceId).string_len(32).null())
                    .col(ColumnDef::new(AuditRecords::RequestMetadata).json_binary().not_null())
                    .col(ColumnDef::new(AuditRecords::Payload).json_binary().not_null())
                    .to_owned(),
            )
            .await?;
        // The log is read newest first, alone or filtered by one of these columns; the id breaks ties.
        let indexes = [
            ("idx_audit_records_occurred", None),
            ("idx_audit_records_actor", Some(AuditRecords::Actor)),
            ("idx_audit_records_resource", Some(AuditRecords::Resource)),
            ("idx_audit_records_action", Some(AuditRecords::Action)),
        ];
        for (name, column) in indexes {
            let mut index = Index::create();
            index.name(name).table(AuditRecords::Table);
            if let Some(column) = column {
                index.col(column);
            }
            index.col(AuditRecords::OccurredAt).col(AuditRecords::Id);
            manager.create_index(index.to_owned()).await?;
        }
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(POSTGRES_GUARD).await?;
            }
            _ => {
                for statement in SQLITE_GUARD {
                    db.execute_unprepared(statement).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(POSTGRES_UNGUARD).await?;
            }
            _ => {
                for statement in SQLITE_UNGUARD {
                    db.execute_unprepared(statement).await?;
                }
            }
        }
        manager
            .drop_table(Table::drop().table(AuditRecords::Table).to_owned())
            .await
    }
}
