//! A comment's text: what readers may write under a published post.

use super::InvalidInput;

/// Longest comment accepted, in characters.
pub const MAX_COMMENT_LEN: usize = 10_000;

/// A comment's body in Markdown: not blank, at most [`MAX_COMMENT_LEN`] characters, no NUL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

impl CommentBody {
    /// Trims `text` and refuses a blank, overlong or NUL-holding comment.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let body = text.trim();
        if body.is_empty() {
            return Err(InvalidInput::new("the comment must not be empty"));
        }
        if body.chars().count() > MAX_COMMENT_LEN {
            return Err(InvalidInput::new(format!(
                "the comment is longer than {MAX_COMMENT_LEN} characters"
            )));
        }
        if body.contains('\0') {
            return Err(InvalidInput::new("the comment must not contain NUL characters"));
        }
        Ok(Self(body.to_owned()))
    }

    /// The comment as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_trimmed_and_bounded() {
        assert_eq!(CommentBody::parse("  nice post \n").unwrap().as_str(), "nice post");
        assert!(CommentBody::parse(" \n ").is_err());
        assert!(CommentBody::parse(&"x".repeat(MAX_COMMENT_LEN + 1)).is_err());
        assert!(CommentBody::parse("a\0b").is_err());
    }
}
