//! Removes a connection URL and its password from driver messages before they reach an error or a log.

use std::borrow::Cow;

/// The secret parts of one connection URL, to be cut out of any text that might echo them.
pub(crate) struct Redactor {
    secrets: Vec<String>,
}

const REDACTED: &str = "[REDACTED]";

impl Redactor {
    /// Collects the whole URL and every password it carries, both as written and percent-decoded.
    pub(crate) fn for_url(url: &str) -> Self {
        let mut secrets = vec![url.to_owned()];
        for password in passwords(url) {
            if let Cow::Owned(decoded) = percent_decode(password) {
                secrets.push(decoded);
            }
            secrets.push(password.to_owned());
        }
        secrets.retain(|secret| !secret.is_empty());
        // Longest first, so the whole URL is replaced before the password inside it.
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        Self { secrets }
    }

    /// Returns `message` with every secret replaced by `[REDACTED]`.
    pub(crate) fn scrub(&self, message: impl std::fmt::Display) -> String {
        let mut text = message.to_string();
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        text
    }
}

/// The password in the URL's user info and any `password`-like query parameter.
fn passwords(url: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let Some((_, rest)) = url.split_once("://") else {
        return found;
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if let Some((user_info, _)) = rest[..authority_end].rsplit_once('@')
        && let Some((_, password)) = user_info.split_once(':')
    {
        found.push(password);
    }
    if let Some((_, query)) = rest.split_once('?') {
        let query = query.split('#').next().unwrap_or_default();
        for pair in query.split('&') {
            if let Some((key, value)) = pair.split_once('=')
                && key.to_ascii_lowercase().contains("password")
            {
                found.push(value);
            }
        }
    }
    found
}

/// Decodes `%XX` escapes; text that is not valid after decoding is left as written.
fn percent_decode(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[index], escaped) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    match String::from_utf8(decoded) {
        Ok(decoded) => Cow::Owned(decoded),
        Err(_) => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_in_user_info_is_removed() {
        let redactor = Redactor::for_url("postgres://app:s3cret@db:5432/app");
        let scrubbed = redactor.scrub("password authentication failed: s3cret");
        assert_eq!(scrubbed, "password authentication failed: [REDACTED]");
    }

    #[test]
    fn whole_url_is_removed() {
        let url = "postgres://app:s3cret@db:5432/app";
        let scrubbed = Redactor::for_url(url).scrub(format!("The connection string '{url}' cannot be parsed."));
        assert_eq!(scrubbed, "The connection string '[REDACTED]' cannot be parsed.");
    }

    #[test]
    fn percent_encoded_password_is_removed_in_both_forms() {
        let redactor = Redactor::for_url("postgres://app:p%40ss%2Fword@db/app");
        assert_eq!(
            redactor.scrub("p@ss/word and p%40ss%2Fword"),
            "[REDACTED] and [REDACTED]"
        );
    }

    #[test]
    fn password_query_parameter_is_removed() {
        let redactor = Redactor::for_url("postgres://db/app?user=app&password=qwerty&sslmode=disable");
        assert_eq!(redactor.scrub("bad password qwerty"), "bad password [REDACTED]");
    }

    #[test]
    fn url_without_password_leaves_text_alone() {
        let redactor = Redactor::for_url("sqlite://data/identity.db");
        assert_eq!(
            redactor.scrub("unable to open database file"),
            "unable to open database file"
        );
    }

    #[test]
    fn user_name_alone_is_not_treated_as_a_password() {
        let redactor = Redactor::for_url("postgres://app@db/app");
        assert_eq!(redactor.scrub("role app does not exist"), "role app does not exist");
    }
}
