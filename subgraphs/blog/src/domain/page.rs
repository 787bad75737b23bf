//! Reading lists a page at a time. Ids are UUIDv7, ordered as they were made, so a page is ordered by id alone
//! and an opaque cursor naming the last id a page ended on resumes right after it, whatever was written meanwhile.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::{InvalidInput, shown};

/// Most items one page may hold.
pub const MAX_PAGE_SIZE: i32 = 100;
/// Items per page when the client does not say.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// The cursor format's version, so the format can change without misreading old cursors.
const CURSOR_VERSION: &str = "v1";

/// How many items a page holds: 1 to [`MAX_PAGE_SIZE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageSize(u64);

impl PageSize {
    /// Parses the client's `first` (the default when absent), refusing values outside 1..=[`MAX_PAGE_SIZE`]
    /// rather than quietly changing them.
    pub fn new(first: Option<i32>) -> Result<Self, InvalidInput> {
        let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&first) {
            return Err(InvalidInput::new(format!(
                "`first` must be between 1 and {MAX_PAGE_SIZE}, not {first}"
            )));
        }
        // In 1..=MAX_PAGE_SIZE, so the conversion cannot fail.
        Ok(Self(u64::try_from(first).unwrap_or(1)))
    }

    /// The size as a row count.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// What a cursor pages through, so a comment's cursor is not taken for a post's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CursorKind {
    /// Lists of posts, newest first.
    Post,
    /// A post's comments, oldest first.
    Comment,
}

impl CursorKind {
    fn tag(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Comment => "comment",
        }
    }
}

/// A position in a list: the id of the item a page ended on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cursor {
    /// What the list holds.
    pub kind: CursorKind,
    /// The last item's id.
    pub id: Uuid,
}

impl Cursor {
    /// The cursor just after the item `id` of a list of `kind`.
    pub fn after(kind: CursorKind, id: Uuid) -> Self {
        Self { kind, id }
    }

    /// The opaque text handed to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{CURSOR_VERSION}:{}:{}", self.kind.tag(), self.id.simple()))
    }

    /// Reads a cursor of a `kind` list a client sent back; anything this service did not hand out is refused.
    pub fn decode(kind: CursorKind, text: &str) -> Result<Self, InvalidInput> {
        let malformed = || InvalidInput::new(format!("`after` is not a cursor of this list: `{}`", shown(text)));
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| malformed())?;
        let plain = String::from_utf8(bytes).map_err(|_| malformed())?;
        let mut parts = plain.split(':');
        if parts.next() != Some(CURSOR_VERSION) || parts.next() != Some(kind.tag()) {
            return Err(malformed());
        }
        let id = parts
            .next()
            .and_then(|part| Uuid::try_parse(part).ok())
            .ok_or_else(malformed)?;
        if parts.next().is_some() {
            return Err(malformed());
        }
        Ok(Self { kind, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_stays_opaque() {
        let cursor = Cursor::after(CursorKind::Post, Uuid::now_v7());
        let text = cursor.encode();
        assert!(!text.contains(&cursor.id.simple().to_string()));
        assert_eq!(Cursor::decode(CursorKind::Post, &text).unwrap(), cursor);
    }

    #[test]
    fn anything_not_handed_out_is_refused_as_a_cursor() {
        let comment = Cursor::after(CursorKind::Comment, Uuid::now_v7()).encode();
        let foreign = [
            "",
            "not base64!",
            &comment,
            &URL_SAFE_NO_PAD.encode("v2:post:0190f0f0f0f0f0f0f0f0f0f0f0f0f0f0"),
            &URL_SAFE_NO_PAD.encode("v1:post:not-a-uuid"),
            &URL_SAFE_NO_PAD.encode("v1:post:0190f0f0f0f0f0f0f0f0f0f0f0f0f0f0:extra"),
        ];
        for text in foreign {
            assert!(Cursor::decode(CursorKind::Post, text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn page_sizes_outside_the_bound_are_refused() {
        assert_eq!(PageSize::new(None).unwrap().get(), 20);
        assert_eq!(PageSize::new(Some(MAX_PAGE_SIZE)).unwrap().get(), 100);
        assert!(PageSize::new(Some(0)).is_err());
        assert!(PageSize::new(Some(-3)).is_err());
        assert!(PageSize::new(Some(MAX_PAGE_SIZE + 1)).is_err());
    }
}
