//! Names: identifiers for resource kinds, actions and roles, and subject ids.

use std::fmt;

use super::InvalidInput;

/// Longest identifier (kind, action, role name) accepted.
const MAX_IDENTIFIER_LEN: usize = 64;
/// Longest subject or resource id accepted.
pub(crate) const MAX_ID_LEN: usize = 128;

/// Checks the identifier grammar shared by kinds, actions and role names: lowercase ASCII letters, digits, `_` and
/// `-`, starting with a letter. `what` names the value in the message.
fn identifier(text: &str, what: &str) -> Result<(), InvalidInput> {
    if text.is_empty() {
        return Err(InvalidInput::new(format!("the {what} is empty")));
    }
    if text.len() > MAX_IDENTIFIER_LEN {
        return Err(InvalidInput::new(format!(
            "the {what} is longer than {MAX_IDENTIFIER_LEN} characters"
        )));
    }
    if text.chars().any(|c| c.is_ascii_uppercase()) && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(InvalidInput::new(format!(
            "the {what} `{text}` has uppercase letters; write it in lowercase (`{}`)",
            text.to_ascii_lowercase()
        )));
    }
    let mut chars = text.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    if !starts_with_letter || !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-') {
        return Err(InvalidInput::new(format!(
            "the {what} `{}` must start with a lowercase letter and hold only lowercase letters, digits, `_` and `-`",
            shown(text)
        )));
    }
    Ok(())
}

/// `text` cut to a length that is safe to echo in a message.
pub(crate) fn shown(text: &str) -> String {
    let mut cut: String = text.chars().take(MAX_ID_LEN).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

macro_rules! identifier_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses a value, refusing anything outside the identifier grammar.
            pub fn parse(text: &str) -> Result<Self, InvalidInput> {
                identifier(text, $what)?;
                Ok(Self(text.to_owned()))
            }

            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

identifier_type!(
    /// A role's name, e.g. `editor`.
    RoleName,
    "role name"
);
identifier_type!(
    /// A resource kind, e.g. `post`.
    Kind,
    "resource kind"
);
identifier_type!(
    /// An action on a resource kind, e.g. `publish`.
    Action,
    "action"
);

/// Who a decision is about: a user id (a JWT `sub`), or `service:<name>` for a service calling as itself, so a
/// service name can never pass for a user id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubjectId(String);

impl SubjectId {
    /// Parses a user id: non-empty, at most 128 characters, no whitespace or control characters.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        opaque_id(text, "subject id")?;
        Ok(Self(text.to_owned()))
    }

    /// The subject of a gRPC `Subject { id, kind }`: kind `""` or `"user"` is a user, `"service"` a service.
    pub fn from_parts(id: &str, kind: &str) -> Result<Self, InvalidInput> {
        match kind {
            "" | "user" => Self::parse(id),
            "service" => {
                opaque_id(id, "service name")?;
                Ok(Self(format!("service:{id}")))
            }
            other => Err(InvalidInput::new(format!(
                "unknown subject kind `{}`; use `user` or `service`",
                shown(other)
            ))),
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks an id chosen by another service (user ids, resource ids): bounded, printable, no whitespace.
pub(crate) fn opaque_id(text: &str, what: &str) -> Result<(), InvalidInput> {
    if text.is_empty() {
        return Err(InvalidInput::new(format!("the {what} is empty")));
    }
    if text.len() > MAX_ID_LEN {
        return Err(InvalidInput::new(format!(
            "the {what} is longer than {MAX_ID_LEN} characters"
        )));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(InvalidInput::new(format!(
            "the {what} `{}` holds whitespace or control characters",
            shown(text).escape_debug()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_are_lowercase_identifiers() {
        for good in ["admin", "post-editor", "level_2"] {
            assert_eq!(RoleName::parse(good).unwrap().as_str(), good);
        }
        for bad in ["", "Admin", "2fast", "has space", "a;DROP", "-x", &"x".repeat(65)] {
            assert!(RoleName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn uppercase_is_refused_with_the_lowercase_spelling_suggested() {
        let error = Kind::parse("Post").unwrap_err();
        assert!(error.0.contains("`post`"), "{error}");
    }

    #[test]
    fn subjects_of_kind_service_are_prefixed_so_they_never_collide_with_users() {
        assert_eq!(SubjectId::from_parts("u1", "").unwrap().as_str(), "u1");
        assert_eq!(SubjectId::from_parts("u1", "user").unwrap().as_str(), "u1");
        assert_eq!(
            SubjectId::from_parts("blog", "service").unwrap().as_str(),
            "service:blog"
        );
        assert!(SubjectId::from_parts("u1", "robot").is_err());
        assert!(SubjectId::parse("").is_err());
        assert!(SubjectId::parse("a b").is_err());
        assert!(SubjectId::parse(&"x".repeat(129)).is_err());
    }
}
