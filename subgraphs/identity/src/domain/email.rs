//! E-mail addresses, unique regardless of letter case.

use super::InvalidInput;

/// The longest address SMTP can carry (RFC 5321's path limit less the angle brackets).
const MAX_LEN: usize = 254;

/// A syntactically plausible e-mail address, as the user wrote it (trimmed).
///
/// Uniqueness is decided by [`Email::key`], the lower-cased form, so `Ada@Example.org` and `ada@example.org`
/// name one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain` with a dotted domain, no spaces or control characters, at most 254 bytes.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let refuse = |reason| Err(InvalidInput::new("email", reason));
        let text = raw.trim();
        if text.is_empty() {
            return refuse("an e-mail address is required");
        }
        if text.len() > MAX_LEN {
            return refuse("the e-mail address is too long");
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return refuse("the e-mail address must not contain spaces");
        }
        let Some((local, domain)) = text.rsplit_once('@') else {
            return refuse("the e-mail address needs an @");
        };
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return refuse("the part before @ is not valid");
        }
        let labels_ok = domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        let chars_ok = domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if !domain.contains('.') || !labels_ok || !chars_ok {
            return refuse("the domain is not valid");
        }
        Ok(Self(text.to_owned()))
    }

    /// The address as the user wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive form that uniqueness and look-ups use.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_addresses_are_accepted_and_keyed_in_lower_case() {
        let email = Email::parse("  Ada.Lovelace+x@Example.ORG ").unwrap();
        assert_eq!(email.as_str(), "Ada.Lovelace+x@Example.ORG");
        assert_eq!(email.key(), "ada.lovelace+x@example.org");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for raw in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a da@example.org",
            "ada@exa_mple.org",
            "ada@.org",
            "ada@-x.org",
            "a@b@c.org",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?}");
        }
        assert!(Email::parse(&format!("{}@example.org", "a".repeat(250))).is_err());
    }
}
