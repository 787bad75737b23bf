//! Why a soak run could not be carried out (as opposed to a run that finished and found a problem, which is a
//! [`crate::report::SoakReport`] that does not pass).

use std::path::PathBuf;

/// A failure to set up, seed or inspect the stack.
#[derive(Debug, thiserror::Error)]
pub enum SoakError {
    /// A binary the stack needs is not where it was looked for.
    #[error("{} not found; build it first (scripts/soak does: cargo build --release -p {name})", path.display())]
    MissingBinary {
        /// The binary's name.
        name: String,
        /// Where it was expected.
        path: PathBuf,
    },
    /// Reading or writing a file, or starting a process, failed.
    #[error("{action}: {source}")]
    Io {
        /// What was being done.
        action: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A process exited before it became ready, or never became ready.
    #[error("{name} did not become ready: {reason}\n--- last lines of {log} ---\n{tail}")]
    NotReady {
        /// The process's name.
        name: String,
        /// What was seen.
        reason: String,
        /// Its log file.
        log: String,
        /// The end of its log.
        tail: String,
    },
    /// A PostgreSQL statement failed.
    #[error("PostgreSQL: {action}: {source}")]
    Postgres {
        /// What was being done.
        action: String,
        /// The underlying error.
        source: sea_orm::DbErr,
    },
    /// A Redis command failed.
    #[error("Redis: {action}: {source}")]
    Redis {
        /// What was being done.
        action: String,
        /// The underlying error.
        source: redis::RedisError,
    },
    /// A URL given in the options is not usable.
    #[error("invalid {what} URL: {reason}")]
    InvalidUrl {
        /// Which URL.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// Seeding through the router did not get the answer it needed.
    #[error("seeding: {step}: {detail}")]
    Seed {
        /// The step that failed.
        step: String,
        /// What came back.
        detail: String,
    },
    /// No broker was named and no broker binary was given to start one.
    #[error("no Kafka broker: pass --kafka-brokers HOST:PORT for a running one, or --tansu-bin PATH to start one")]
    NoBroker,
}

impl SoakError {
    /// An [`SoakError::Io`] for `action`.
    pub fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let action = action.into();
        move |source| Self::Io { action, source }
    }

    /// A [`SoakError::Postgres`] for `action`.
    pub fn postgres(action: impl Into<String>) -> impl FnOnce(sea_orm::DbErr) -> Self {
        let action = action.into();
        move |source| Self::Postgres { action, source }
    }

    /// A [`SoakError::Redis`] for `action`.
    pub fn redis(action: impl Into<String>) -> impl FnOnce(redis::RedisError) -> Self {
        let action = action.into();
        move |source| Self::Redis { action, source }
    }
}
