//! A service's relational database: PostgreSQL in production, an SQLite file when running embedded.
//!
//! [`connect`] reads a [`DatabaseConfig`], opens a SeaORM pool and prepares the backend: on PostgreSQL the
//! service's own schema is created when missing and every pooled connection searches it first; on SQLite the
//! file is created when missing and runs in WAL mode with foreign keys on. [`migrate`] then brings the schema
//! up to date with the service's migrator. Errors never echo the URL, which may hold a password.

mod config;
mod error;
mod postgres;
pub(crate) mod redact;
mod schema;
mod sqlite;

use std::time::Duration;

use sea_orm::{ConnectOptions, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;
use secrecy::ExposeSecret;

pub use config::DatabaseConfig;
pub use error::DbError;
pub use schema::SchemaName;

use redact::Redactor;

/// An open connection pool to a service's database, already pointed at the service's schema.
///
/// Cloning is cheap and shares the pool.
#[derive(Debug, Clone)]
pub struct Database {
    conn: DatabaseConnection,
    schema: Option<SchemaName>,
}

impl Database {
    /// The SeaORM connection for entities and queries.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Which backend the URL selected.
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// The PostgreSQL schema this pool works in, if one was configured.
    pub fn schema(&self) -> Option<&SchemaName> {
        self.schema.as_ref()
    }

    /// Checks that a pooled connection can reach the database, for readiness probes.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.conn.ping().await.map_err(|error| DbError::Unreachable {
            message: error.to_string(),
        })
    }

    /// Closes every pooled connection, waiting for queries in flight; for an orderly shutdown.
    pub async fn close(self) -> Result<(), DbError> {
        self.conn.close().await.map_err(|error| DbError::Unreachable {
            message: error.to_string(),
        })
    }
}

/// Opens the database described by `config` and prepares it for the service (see the module docs).
pub async fn connect(config: &DatabaseConfig) -> Result<Database, DbError> {
    let url = config.url.expose_secret();
    let redactor = Redactor::for_url(url);
    let schema = config.schema.as_deref().map(SchemaName::parse).transpose()?;
    let conn = match url_scheme(url).as_deref() {
        Some("postgres" | "postgresql") => postgres::connect(config, schema.as_ref(), &redactor).await?,
        Some("sqlite") => {
            if let Some(schema) = &schema {
                tracing::debug!(%schema, "SQLite keeps each service in its own file; the schema setting is unused");
            }
            sqlite::connect(config, &redactor).await?
        }
        other => {
            return Err(DbError::UnsupportedUrl {
                scheme: other.unwrap_or_default().to_owned(),
            });
        }
    };
    let schema = schema.filter(|_| conn.get_database_backend() == DbBackend::Postgres);
    Ok(Database { conn, schema })
}

/// Applies every pending migration of `M`; a service calls this at start-up, before it serves.
///
/// On PostgreSQL the tables, including SeaORM's `seaql_migrations` bookkeeping table, land in the service's
/// schema because the pool's `search_path` starts with it. Running it again with nothing pending is a no-op.
pub async fn migrate<M: MigratorTrait>(db: &Database) -> Result<(), DbError> {
    M::up(db.conn(), None).await.map_err(|error| DbError::Migrate {
        message: error.to_string(),
    })
}

/// The URL's scheme, lower-cased, or `None` when the text does not start with one (so a mistyped secret is never
/// mistaken for a scheme and echoed).
fn url_scheme(url: &str) -> Option<String> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// Pool settings shared by both backends.
fn pool_options(config: &DatabaseConfig) -> ConnectOptions {
    let max_connections = config.max_connections.max(1);
    let idle_timeout = (config.idle_timeout_ms > 0).then(|| millis(config.idle_timeout_ms));
    let mut options = ConnectOptions::new(config.url.expose_secret().to_owned());
    options
        .max_connections(max_connections)
        .min_connections(config.min_connections.min(max_connections))
        .acquire_timeout(millis(config.acquire_timeout_ms))
        .idle_timeout(idle_timeout)
        // Statement text belongs in trace spans, not in the info-level log.
        .sqlx_logging(false);
    options
}

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

#[cfg(test)]
mod tests;
