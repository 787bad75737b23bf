//! Reading the log a page at a time: newest first, ordered by `(occurred_at, id)`, with an opaque cursor naming
//! the last record a page ended on, so the next page starts right after it whatever was recorded meanwhile.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::InvalidInput;
use super::record::{AuditRecord, shown};

/// Most records one page may hold.
pub const MAX_PAGE_SIZE: i32 = 100;
/// Records per page when the client does not say.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// The cursor format's version, so the format can change without misreading old cursors.
const CURSOR_VERSION: &str = "v1";

/// How many records a page holds: 1 to [`MAX_PAGE_SIZE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(u64);

impl PageSize {
    /// Parses the client's `first`, refusing values outside 1..=[`MAX_PAGE_SIZE`] rather than quietly changing them.
    pub fn new(first: i32) -> Result<Self, InvalidInput> {
        if !(1..=MAX_PAGE_SIZE).contains(&first) {
            return Err(InvalidInput::new(format!(
                "`first` must be between 1 and {MAX_PAGE_SIZE}, not {first}"
            )));
        }
        // In 1..=100, so the conversion cannot fail.
        Ok(Self(u64::try_from(first).unwrap_or(1)))
    }

    /// The size as a row count.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// A position in the log: the `(occurred_at, id)` of the record a page ended on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// When that record happened.
    pub occurred_at: DateTime<Utc>,
    /// That record's id.
    pub id: Uuid,
}

impl Cursor {
    /// The cursor just after `record`.
    pub fn after(record: &AuditRecord) -> Self {
        Self {
            occurred_at: record.occurred_at,
            id: record.id,
        }
    }

    /// The opaque text handed to clients.
    pub fn encode(&self) -> String {
        let plain = format!(
            "{CURSOR_VERSION}:{}:{}",
            self.occurred_at.timestamp_micros(),
            self.id.simple()
        );
        URL_SAFE_NO_PAD.encode(plain)
    }

    /// Reads a cursor a client sent back; anything this service did not hand out is refused.
    pub fn decode(text: &str) -> Result<Self, InvalidInput> {
        let malformed = || InvalidInput::new(format!("`after` is not a cursor of this log: `{}`", shown(text)));
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| malformed())?;
        let plain = String::from_utf8(bytes).map_err(|_| malformed())?;
        let mut parts = plain.split(':');
        if parts.next() != Some(CURSOR_VERSION) {
            return Err(malformed());
        }
        let micros: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(malformed)?;
        let id = parts
            .next()
            .and_then(|p| Uuid::try_parse(p).ok())
            .ok_or_else(malformed)?;
        if parts.next().is_some() {
            return Err(malformed());
        }
        let occurred_at = DateTime::from_timestamp_micros(micros).ok_or_else(malformed)?;
        Ok(Self { occurred_at, id })
    }
}

/// Which records a read returns; every set field must match (`from` inclusive, `to` exclusive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Only records by this actor.
    pub actor: Option<String>,
    /// Only records about this resource.
    pub resource: Option<String>,
    /// Only records of this action.
    pub action: Option<String>,
    /// Only records that happened at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only records that happened before this time.
    pub to: Option<DateTime<Utc>>,
}

/// Reads an RFC 3339 time a client sent as the `what` bound of a filter.
pub fn parse_time(text: &str, what: &str) -> Result<DateTime<Utc>, InvalidInput> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| InvalidInput::new(format!("`{what}` is not an RFC 3339 time: `{}`", shown(text))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_stays_opaque() {
        let cursor = Cursor {
            occurred_at: DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap(),
            id: Uuid::now_v7(),
        };
        let text = cursor.encode();
        assert!(!text.contains(&cursor.id.simple().to_string()));
        assert_eq!(Cursor::decode(&text).unwrap(), cursor);
    }

    #[test]
    fn anything_not_handed_out_is_refused_as_a_cursor() {
        let foreign = [
            "",
            "not base64!",
            &URL_SAFE_NO_PAD.encode("v2:1:0190f0f0f0f0f0f0f0f0f0f0f0f0f0f0"),
            &URL_SAFE_NO_PAD.encode("v1:abc:0190f0f0f0f0f0f0f0f0f0f0f0f0f0f0"),
            &URL_SAFE_NO_PAD.encode("v1:1:not-a-uuid"),
            &URL_SAFE_NO_PAD.encode("v1:1:0190f0f0f0f0f0f0f0f0f0f0f0f0f0f0:extra"),
        ];
        for text in foreign {
            assert!(Cursor::decode(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn page_sizes_outside_the_cap_are_refused() {
        assert!(PageSize::new(0).is_err());
        assert!(PageSize::new(-1).is_err());
        assert!(PageSize::new(MAX_PAGE_SIZE + 1).is_err());
        assert_eq!(PageSize::new(MAX_PAGE_SIZE).unwrap().get(), 100);
        assert_eq!(PageSize::new(DEFAULT_PAGE_SIZE).unwrap().get(), 20);
    }

    #[test]
    fn filter_times_must_be_rfc_3339() {
        assert!(parse_time("2026-11-26T10:00:00Z", "from").is_ok());
        assert!(parse_time("yesterday", "from").is_err());
    }
}
