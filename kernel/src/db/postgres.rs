//! PostgreSQL: one schema per service, created on start-up and first on every pooled connection's `search_path`.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::{self, Connection as _};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use secrecy::ExposeSecret;

use super::redact::Redactor;
use super::{DatabaseConfig, DbError, SchemaName};

const BACKEND: &str = "postgres";

/// SQLSTATE `cannot_connect_now`: the server is starting up or shutting down.
const CANNOT_CONNECT_NOW: &str = "57P03";

const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Waits for the server, opens the pool and makes sure the service's schema exists, all within
/// `connect_timeout_ms`.
pub(super) async fn connect(
    config: &DatabaseConfig,
    schema: Option<&SchemaName>,
    redactor: &Redactor,
) -> Result<DatabaseConnection, DbError> {
    let mut options = super::pool_options(config);
    if let Some(schema) = schema {
        // Applied by the pool to each new connection (sea-orm quotes the name), so every connection — not just
        // the first — resolves unqualified names in the service's schema.
        options.set_schema_search_path(schema.as_str());
    }
    let mut last_error = None;
    let open = async {
        wait_for_server(config.url.expose_secret(), redactor, &mut last_error).await?;
        let conn = sea_orm::Database::connect(options)
            .await
            .map_err(|error| connect_error(redactor, error))?;
        if let Some(schema) = schema {
            create_schema(&conn, schema).await?;
        }
        Ok(conn)
    };
    let outcome = tokio::time::timeout(super::millis(config.connect_timeout_ms), open).await;
    outcome.unwrap_or_else(|_| {
        Err(DbError::ConnectTimeout {
            backend: BACKEND,
            timeout_ms: config.connect_timeout_ms,
            reason: last_error.unwrap_or_else(|| "the server did not answer".to_owned()),
        })
    })
}

/// Opens one connection outside the pool, retrying while the server refuses (it may still be starting), so a
/// failure reports the server's own reason rather than the pool's generic "timed out".
async fn wait_for_server(url: &str, redactor: &Redactor, last_error: &mut Option<String>) -> Result<(), DbError> {
    let options = PgConnectOptions::from_str(url).map_err(|error| connect_error(redactor, error))?;
    let mut backoff = Duration::from_millis(25);
    loop {
        match PgConnection::connect_with(&options).await {
            Ok(conn) => {
                // The probe has done its job; a failure to say goodbye politely changes nothing.
                let _ = conn.close().await;
                return Ok(());
            }
            Err(error) if is_transient(&error) => {
                *last_error = Some(redactor.scrub(&error));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            Err(error) => return Err(connect_error(redactor, error)),
        }
    }
}

fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(io) => io.kind() == std::io::ErrorKind::ConnectionRefused,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| code == CANNOT_CONNECT_NOW),
        _ => false,
    }
}

fn connect_error(redactor: &Redactor, error: impl std::fmt::Display) -> DbError {
    DbError::Connect {
        backend: BACKEND,
        message: redactor.scrub(error),
    }
}

async fn create_schema(conn: &DatabaseConnection, schema: &SchemaName) -> Result<(), DbError> {
    // The name was validated as a plain identifier, so quoting it is enough to splice it in.
    let sql = format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"");
    let Err(error) = conn.execute_unprepared(&sql).await else {
        return Ok(());
    };
    // Two replicas starting together can both pass the IF NOT EXISTS check; the one that loses the race fails
    // with a duplicate key although the schema is there, which is all this step needs.
    if schema_exists(conn, schema).await.unwrap_or(false) {
        return Ok(());
    }
    Err(DbError::CreateSchema {
        schema: schema.to_string(),
        message: error.to_string(),
    })
}

async fn schema_exists(conn: &DatabaseConnection, schema: &SchemaName) -> Result<bool, sea_orm::DbErr> {
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT 1 AS found FROM pg_namespace WHERE nspname = $1",
        [schema.as_str().into()],
    );
    Ok(conn.query_one_raw(statement).await?.is_some())
}
