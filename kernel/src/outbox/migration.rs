//! The migration creating the `outbox` table; every service's migrator lists it first.

use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager};

/// Creates the `outbox` table and its indexes, on PostgreSQL (in the schema first on the connection's
/// `search_path`, i.e. the service's own) or on SQLite.
#[derive(Debug, Clone, Copy, Default)]
pub struct CreateOutboxTable;

impl MigrationName for CreateOutboxTable {
    fn name(&self) -> &str {
        // Dated before any service migration, so it also sorts first in `seaql_migrations`.
        "m20260101_000000_kernel_create_outbox_table"
    }
}

// Names are never schema-qualified: the pool's `search_path` puts the table in the service's schema.
const POSTGRES_TABLE: &str = "CREATE TABLE outbox (
    sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id UUID NOT NULL UNIQUE,
    topic TEXT NOT NULL,
    event_key TEXT NOT NULL,
    envelope TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_attempt_at TIMESTAMPTZ
)";

// AUTOINCREMENT, unlike a plain rowid, never hands out a number again after the newest rows were purged.
// Timestamps are RFC 3339 text and the event id a 16-byte blob, as the SQLite driver writes them.
const SQLITE_TABLE: &str = "CREATE TABLE outbox (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BLOB NOT NULL UNIQUE,
    topic TEXT NOT NULL,
    event_key TEXT NOT NULL,
    envelope TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_attempt_at TEXT
)";

/// Partial indexes, valid on both backends: the relay scans only pending rows (oldest first, and per key to keep
/// each key's order), and the purge only published ones, so retained rows cost neither.
const INDEXES: [&str; 3] = [
    "CREATE INDEX outbox_pending ON outbox (sequence) WHERE sent_at IS NULL",
    "CREATE INDEX outbox_pending_by_key ON outbox (event_key, sequence) WHERE sent_at IS NULL",
    "CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL",
];

#[async_trait::async_trait]
impl MigrationTrait for CreateOutboxTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_TABLE,
            DbBackend::Sqlite => SQLITE_TABLE,
            other => {
                return Err(DbErr::Migration(format!(
                    "the outbox supports PostgreSQL and SQLite, not {other:?}"
                )));
            }
        };
        let conn = manager.get_connection();
        conn.execute_unprepared(table).await?;
        for index in INDEXES {
            conn.execute_unprepared(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table drops its indexes with it.
        manager.get_connection().execute_unprepared("DROP TABLE outbox").await?;
        Ok(())
    }
}
