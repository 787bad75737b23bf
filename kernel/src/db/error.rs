//! What can go wrong opening, preparing or migrating a service's database.

/// A database failure, worded for an operator. Messages never carry the connection URL or its password.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no backend the platform supports.
    #[error("database URL has an unsupported scheme {scheme:?}; expected postgres://, postgresql:// or sqlite:")]
    UnsupportedUrl {
        /// The scheme found (the text before the first `:`), which holds no secret.
        scheme: String,
    },
    /// The configured schema is not a plain lower-case identifier.
    #[error("database schema name {name:?} is invalid: {reason}")]
    InvalidSchema {
        /// The refused name.
        name: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The first connection could not be opened.
    #[error("could not connect to the {backend} database: {message}")]
    Connect {
        /// `postgres` or `sqlite`.
        backend: &'static str,
        /// The driver's reason, with the URL and password removed.
        message: String,
    },
    /// The first connection did not open within `connect_timeout_ms`.
    #[error("connecting to the {backend} database timed out after {timeout_ms} ms: {reason}")]
    ConnectTimeout {
        /// `postgres` or `sqlite`.
        backend: &'static str,
        /// The configured limit.
        timeout_ms: u64,
        /// The last failed attempt's reason (the server refusing, say), or that nothing answered.
        reason: String,
    },
    /// The directory that should hold the SQLite file could not be created.
    #[error("could not create the directory {path} for the SQLite database: {source}")]
    CreateDirectory {
        /// The directory.
        path: std::path::PathBuf,
        /// The file-system error.
        source: std::io::Error,
    },
    /// The service's schema could not be created.
    #[error("could not create the database schema {schema:?}: {message}")]
    CreateSchema {
        /// The schema.
        schema: String,
        /// The server's reason.
        message: String,
    },
    /// A migration failed; the database is left at the last migration that succeeded.
    #[error("database migration failed: {message}")]
    Migrate {
        /// The migrator's reason.
        message: String,
    },
    /// The readiness probe could not reach the database.
    #[error("database is not reachable: {message}")]
    Unreachable {
        /// The driver's reason.
        message: String,
    },
}
