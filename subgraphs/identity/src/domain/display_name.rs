//! The name a user is shown under.

use super::InvalidInput;

/// Longest display name, in characters.
const MAX_CHARS: usize = 100;

/// A display name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Accepts any printable text of 1 to 100 characters after trimming.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(InvalidInput::new("displayName", "a display name is required"));
        }
        if text.chars().count() > MAX_CHARS {
            return Err(InvalidInput::new(
                "displayName",
                "the display name is longer than 100 characters",
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(InvalidInput::new(
                "displayName",
                "the display name contains control characters",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Ada ").unwrap().as_str(), "Ada");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
        assert!(DisplayName::parse("a\u{0}b").is_err());
        assert_eq!(
            DisplayName::parse("Robert'); DROP TABLE users;--").unwrap().as_str(),
            "Robert'); DROP TABLE users;--"
        );
    }
}
