//! The blog's rules, free of I/O: what a post and a comment hold and which values they refuse ([`post`],
//! [`comment`]), how a post moves between draft, published and archived, and how lists are paged ([`page`]).

pub mod comment;
pub mod page;
pub mod post;

pub use comment::CommentBody;
pub use page::{Cursor, CursorKind, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageSize};
pub use post::{Body, PostStatus, Slug, Tag, Tags, Title, TransitionRefused};

/// A value the blog refuses; the message is safe to show to the client who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(String);

impl InvalidInput {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Parses a post or comment id sent by a client: a UUID in any of its text forms.
pub fn parse_id(text: &str, what: &str) -> Result<uuid::Uuid, InvalidInput> {
    uuid::Uuid::try_parse(text.trim())
        .ok()
        .filter(|id| !id.is_nil())
        .ok_or_else(|| InvalidInput::new(format!("`{}` is not a {what} id", shown(text))))
}

/// `text` cut short and escaped, for echoing a refused value back in a message.
pub(crate) fn shown(text: &str) -> String {
    let cut: String = text.chars().take(40).collect();
    let cut = cut.escape_debug().to_string();
    if text.chars().count() > 40 {
        format!("{cut}…")
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_must_be_uuids_and_not_nil() {
        assert!(parse_id("0190f0f0-f0f0-7f0f-8f0f-f0f0f0f0f0f0", "post").is_ok());
        assert!(parse_id("00000000-0000-0000-0000-000000000000", "post").is_err());
        let error = parse_id("p-1", "comment").unwrap_err();
        assert_eq!(error.to_string(), "`p-1` is not a comment id");
    }
}
