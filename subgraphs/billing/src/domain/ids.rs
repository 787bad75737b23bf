//! Identifiers: billing's own records are UUIDv7s; users are identity's, opaque here.

use uuid::Uuid;

use super::{InvalidInput, bounded_text, shown};

/// Longest user id accepted, in characters.
const MAX_USER_ID_LEN: usize = 256;

/// The id of one of billing's records (plan, subscription, invoice, payment) as a client sent it.
pub fn parse_id(text: &str, what: &str) -> Result<Uuid, InvalidInput> {
    Uuid::try_parse(text.trim()).map_err(|_| InvalidInput::new(format!("`{}` is not a {what} id", shown(text))))
}

/// A user's id, as identity issues it; billing never interprets it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

impl UserId {
    /// Refuses an empty or overlong id.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        bounded_text(text, "user id", MAX_USER_ID_LEN).map(Self)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_must_be_uuids_and_user_ids_must_be_present() {
        assert!(parse_id(&Uuid::now_v7().to_string(), "invoice").is_ok());
        assert!(
            parse_id("inv-1", "invoice")
                .unwrap_err()
                .to_string()
                .contains("invoice id")
        );
        assert!(UserId::parse(" ").is_err());
        assert!(UserId::parse(&"u".repeat(300)).is_err());
        assert_eq!(UserId::parse(" u1 ").unwrap().as_str(), "u1");
    }
}
