//! The audit log's rules, free of I/O: what a record holds and which values it refuses ([`record`]), how an
//! event becomes a record ([`from_event`]), and how the log is paged and filtered ([`page`]).

pub mod from_event;
pub mod page;
pub mod record;

pub use from_event::record_from_event;
pub use page::{Cursor, LogFilter, MAX_PAGE_SIZE, PageSize};
pub use record::{AuditRecord, NewRecord, Outcome, RecordId, TraceId};

/// A value the audit service refuses; the message is safe to show to the client who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(String);

impl InvalidInput {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
