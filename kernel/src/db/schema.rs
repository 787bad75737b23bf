//! The name of a service's PostgreSQL schema, checked once so it can be spliced into DDL safely.

use std::fmt;

use super::DbError;

/// PostgreSQL truncates identifiers longer than this (NAMEDATALEN - 1), which would silently merge schemas.
const MAX_LEN: usize = 63;

/// A schema name matching `[a-z_][a-z0-9_]*`, at most 63 bytes, not reserved by PostgreSQL.
///
/// Only such names are accepted because the name is written into `CREATE SCHEMA` and `SET search_path`, which
/// take no bind parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SchemaName(String);

impl SchemaName {
    /// Accepts `name` if it is a plain lower-case identifier, or says why not.
    pub fn parse(name: &str) -> Result<Self, DbError> {
        let refuse = |reason| {
            Err(DbError::InvalidSchema {
                name: name.to_owned(),
                reason,
            })
        };
        let mut chars = name.chars();
        let Some(first) = chars.next() else {
            return refuse("it is empty");
        };
        if !(first.is_ascii_lowercase() || first == '_') {
            return refuse("it must start with a lower-case ASCII letter or '_'");
        }
        if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return refuse("only lower-case ASCII letters, digits and '_' are allowed");
        }
        if name.len() > MAX_LEN {
            return refuse("it is longer than 63 bytes");
        }
        if name.starts_with("pg_") {
            return refuse("names starting with 'pg_' are reserved by PostgreSQL");
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SchemaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_identifiers_are_accepted() {
        for name in ["identity", "_private", "billing_v2", "a"] {
            assert_eq!(SchemaName::parse(name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn names_that_need_quoting_are_refused() {
        for name in [
            "",
            "Identity",
            "2fa",
            "blog-posts",
            "x; DROP SCHEMA public",
            "a\"b",
            "schéma",
            "a b",
        ] {
            let error = SchemaName::parse(name).unwrap_err();
            assert!(matches!(error, DbError::InvalidSchema { .. }), "{name:?}: {error}");
        }
    }

    #[test]
    fn reserved_and_overlong_names_are_refused() {
        assert!(SchemaName::parse("pg_catalog").is_err());
        assert!(SchemaName::parse(&"a".repeat(64)).is_err());
        assert!(SchemaName::parse(&"a".repeat(63)).is_ok());
    }
}
