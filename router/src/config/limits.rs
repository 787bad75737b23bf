//! The limits section: how large an operation and a request may be.

use serde::Deserialize;

/// Limits an operation must stay within before it is validated and planned; each violation is refused with
/// `OPERATION_LIMIT_EXCEEDED`. Fragments count as if written out where they are spread.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Deepest field nesting (`{ a { b } }` has depth 2).
    #[serde(default = "default_max_depth")]
    pub max_depth: usize,
    /// Most aliased fields in one operation.
    #[serde(default = "default_max_aliases")]
    pub max_aliases: usize,
    /// Most fields selected directly on the root type.
    #[serde(default = "default_max_root_fields")]
    pub max_root_fields: usize,
    /// Most lexical tokens in the document; checked while parsing, so huge documents are cut short.
    #[serde(default = "default_max_tokens")]
    pub max_tokens: usize,
    /// Largest request body accepted on the GraphQL endpoint; larger bodies get 413.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
}

fn default_max_depth() -> usize {
    32
}

fn default_max_aliases() -> usize {
    128
}

fn default_max_root_fields() -> usize {
    64
}

fn default_max_tokens() -> usize {
    15_000
}

fn default_max_body_bytes() -> usize {
    2 * 1024 * 1024
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_depth: default_max_depth(),
            max_aliases: default_max_aliases(),
            max_root_fields: default_max_root_fields(),
            max_tokens: default_max_tokens(),
            max_body_bytes: default_max_body_bytes(),
        }
    }
}
