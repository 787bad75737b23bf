//! SQLite: one file per service, created when missing, in WAL mode with foreign keys enforced.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use secrecy::ExposeSecret;

use super::redact::Redactor;
use super::{DatabaseConfig, DbError};

const BACKEND: &str = "sqlite";

/// How long a statement waits for another connection's write lock before failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens the file (creating it and its directory when missing) within `connect_timeout_ms`.
pub(super) async fn connect(config: &DatabaseConfig, redactor: &Redactor) -> Result<DatabaseConnection, DbError> {
    let url = config.url.expose_secret();
    let mut options = super::pool_options(config);
    if is_in_memory(url) {
        // Each in-memory database vanishes with its last connection, so exactly one connection lives forever.
        options
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    } else {
        create_parent_directory(url, redactor).await?;
    }
    options.map_sqlx_sqlite_opts(|sqlite| {
        sqlite
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
    });
    let open = sea_orm::Database::connect(options);
    tokio::time::timeout(super::millis(config.connect_timeout_ms), open)
        .await
        .map_err(|_| DbError::ConnectTimeout {
            backend: BACKEND,
            timeout_ms: config.connect_timeout_ms,
            reason: "the database file could not be opened in time".to_owned(),
        })?
        .map_err(|error| DbError::Connect {
            backend: BACKEND,
            message: redactor.scrub(error),
        })
}

fn is_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

async fn create_parent_directory(url: &str, redactor: &Redactor) -> Result<(), DbError> {
    let options = SqliteConnectOptions::from_str(url).map_err(|error| DbError::Connect {
        backend: BACKEND,
        message: redactor.scrub(error),
    })?;
    let Some(parent) = options
        .get_filename()
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
    else {
        return Ok(());
    };
    tokio::fs::create_dir_all(parent)
        .await
        .map_err(|source| DbError::CreateDirectory {
            path: parent.to_path_buf(),
            source,
        })
}
