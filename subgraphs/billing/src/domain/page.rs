//! Paging a user's invoices: newest first, ordered by `(created_at, id)`, resumed after an opaque cursor.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{InvalidInput, Invoice, shown};

/// Most invoices one page may hold.
pub const MAX_PAGE_SIZE: i32 = 100;
/// Invoices per page when the client does not say.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// The cursor format's version, so it can change without misreading old cursors.
const CURSOR_VERSION: &str = "inv1";

/// How many invoices a page holds: 1 to [`MAX_PAGE_SIZE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageSize(u32);

impl PageSize {
    /// Parses the client's `first`, refusing values outside 1..=[`MAX_PAGE_SIZE`].
    pub fn new(first: i32) -> Result<Self, InvalidInput> {
        if !(1..=MAX_PAGE_SIZE).contains(&first) {
            return Err(InvalidInput::new(format!(
                "`first` must be between 1 and {MAX_PAGE_SIZE}, not {first}"
            )));
        }
        // In 1..=100, so the conversion cannot fail.
        Ok(Self(u32::try_from(first).unwrap_or(1)))
    }

    /// The size as a count.
    pub fn get(self) -> usize {
        usize::try_from(self.0).unwrap_or(1)
    }
}

/// A position in a user's invoices: the `(created_at, id)` of the invoice a page ended on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cursor {
    /// When that invoice was created, in microseconds.
    pub created_at_micros: i64,
    /// That invoice's id.
    pub id: Uuid,
}

impl Cursor {
    /// The cursor just after `invoice`.
    pub fn after(invoice: &Invoice) -> Self {
        Self {
            created_at_micros: invoice.created_at.timestamp_micros(),
            id: invoice.id,
        }
    }

    /// When the invoice the cursor names was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.created_at_micros).unwrap_or_default()
    }

    /// The opaque text handed to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "{CURSOR_VERSION}:{}:{}",
            self.created_at_micros,
            self.id.simple()
        ))
    }

    /// Reads a cursor a client sent back; anything this service did not hand out is refused.
    pub fn decode(text: &str) -> Result<Self, InvalidInput> {
        let malformed = || InvalidInput::new(format!("`after` is not an invoice cursor: `{}`", shown(text)));
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| malformed())?;
        let plain = String::from_utf8(bytes).map_err(|_| malformed())?;
        let mut parts = plain.split(':');
        if parts.next() != Some(CURSOR_VERSION) {
            return Err(malformed());
        }
        let created_at_micros: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(malformed)?;
        let id = parts
            .next()
            .and_then(|p| Uuid::try_parse(p).ok())
            .ok_or_else(malformed)?;
        if parts.next().is_some() || DateTime::from_timestamp_micros(created_at_micros).is_none() {
            return Err(malformed());
        }
        Ok(Self { created_at_micros, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_foreign_text_is_refused() {
        let cursor = Cursor {
            created_at_micros: 1_764_000_000_123_456,
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        assert!(!cursor.encode().contains(&cursor.id.simple().to_string()));
        for bad in [
            "",
            "nope!",
            &URL_SAFE_NO_PAD.encode("v1:1:x"),
            &URL_SAFE_NO_PAD.encode("inv1:1"),
        ] {
            assert!(Cursor::decode(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn page_sizes_are_capped() {
        assert!(PageSize::new(0).is_err());
        assert!(PageSize::new(MAX_PAGE_SIZE + 1).is_err());
        assert_eq!(PageSize::new(DEFAULT_PAGE_SIZE).unwrap().get(), 20);
    }
}
