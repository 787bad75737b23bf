//! A user's id and lifecycle state.

use std::fmt;

use super::InvalidInput;

/// A user's id: a UUIDv7, so ids sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(uuid::Uuid);

impl UserId {
    /// A fresh id.
    pub fn new() -> Self {
        Self(uuid::Uuid::now_v7())
    }

    /// Reads an id from its text form.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        uuid::Uuid::parse_str(raw.trim())
            .map(Self)
            .map_err(|_| InvalidInput::new("id", "not a user id"))
    }

    /// The id as a UUID.
    pub fn as_uuid(&self) -> uuid::Uuid {
        self.0
    }
}

impl Default for UserId {
    fn default() -> Self {
        Self::new()
    }
}

impl From<uuid::Uuid> for UserId {
    fn from(id: uuid::Uuid) -> Self {
        Self(id)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Whether a user may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    /// The user may sign in and refresh sessions.
    Active,
    /// An administrator disabled the user; every session is revoked and sign-in is refused.
    Disabled,
}

impl UserStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    /// Reads the stored form; anything unknown reads as disabled, so a corrupt row never grants access.
    pub fn from_stored(text: &str) -> Self {
        match text {
            "active" => Self::Active,
            _ => Self::Disabled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_round_trip_through_text() {
        let id = UserId::new();
        assert_eq!(id.as_uuid().get_version_num(), 7);
        assert_eq!(UserId::parse(&id.to_string()).unwrap(), id);
        assert!(UserId::parse("1 OR 1=1").is_err());
    }

    #[test]
    fn unknown_status_reads_as_disabled() {
        assert_eq!(UserStatus::from_stored("active"), UserStatus::Active);
        assert_eq!(UserStatus::from_stored("disabled"), UserStatus::Disabled);
        assert_eq!(UserStatus::from_stored("admin"), UserStatus::Disabled);
    }
}
