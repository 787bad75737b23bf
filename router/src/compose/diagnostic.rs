//! Composition problems, compiler style: one line each, with a code, a location and the subgraphs involved.

use std::fmt;

use graphql_composition::diagnostics::Diagnostic;
use serde::Serialize;

/// One composition problem (or warning).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// A stable, SCREAMING_SNAKE code a script can branch on (`SHAREABLE_CONFLICT`, `KEY_UNRESOLVABLE`, …).
    pub code: String,
    /// The schema coordinate the problem is about (`User.email`, `Role`), or `-` when the message names none.
    pub location: String,
    /// The subgraphs the message names.
    pub subgraphs: Vec<String>,
    /// The composer's message.
    pub message: String,
}

/// The subgraphs do not compose; every problem found.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", render(.problems))]
pub struct CompositionError {
    /// The problems, in the order the composer found them.
    pub problems: Vec<Problem>,
}

impl CompositionError {
    /// An error made of one problem.
    pub fn single(problem: Problem) -> Self {
        Self {
            problems: vec![problem],
        }
    }
}

fn render(problems: &[Problem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}: {}", self.code, self.location, self.message)?;
        if !self.subgraphs.is_empty() {
            write!(f, " (subgraphs: {})", self.subgraphs.join(", "))?;
        }
        Ok(())
    }
}

/// Codes for messages the composer gives no spec code, matched on the message's wording (first match wins).
const MESSAGE_CODES: &[(&str, &str)] = &[
    ("conflicting types", "FIELD_TYPE_MISMATCH"),
    (
        "not defined in all subgraphs, but it is required",
        "REQUIRED_INPUT_FIELD_MISSING",
    ),
    ("cannot be resolved", "KEY_UNRESOLVABLE"),
    ("not resolvable", "KEY_UNRESOLVABLE"),
    ("@key", "INVALID_KEY"),
    ("shareable", "SHAREABLE_CONFLICT"),
    ("@requires", "INVALID_REQUIRES"),
    ("@provides", "INVALID_PROVIDES"),
    ("@external", "INVALID_EXTERNAL"),
    ("@override", "INVALID_OVERRIDE"),
    ("inaccessible", "INACCESSIBLE_CONFLICT"),
    ("@interfaceObject", "INVALID_INTERFACE_OBJECT"),
    ("interface object", "INVALID_INTERFACE_OBJECT"),
    ("enum", "ENUM_MERGE_CONFLICT"),
    ("input", "INPUT_MERGE_CONFLICT"),
    ("incompatible", "FIELD_TYPE_MISMATCH"),
    ("type mismatch", "FIELD_TYPE_MISMATCH"),
    ("different types", "FIELD_TYPE_MISMATCH"),
    ("argument", "ARGUMENT_CONFLICT"),
];

impl Problem {
    /// Turns one composer diagnostic into a problem, naming whichever of `subgraphs` its message mentions.
    pub fn from_diagnostic(diagnostic: &Diagnostic, subgraphs: &[&str]) -> Self {
        let message = diagnostic.message().trim().to_owned();
        let code = match diagnostic.composite_schemas_error_code() {
            Some(code) => screaming_snake(&format!("{code:?}")),
            None => {
                let lower = message.to_lowercase();
                MESSAGE_CODES
                    .iter()
                    .find(|(needle, _)| lower.contains(&needle.to_lowercase()))
                    .map_or("COMPOSITION_ERROR", |(_, code)| code)
                    .to_owned()
            }
        };
        Self {
            code,
            location: coordinate_in(&message)
                .or_else(|| type_after_at(&message))
                .or_else(|| quoted_type(&message))
                .unwrap_or_else(|| "-".to_owned()),
            subgraphs: subgraphs_in(&message, subgraphs),
            message,
        }
    }

    /// A subgraph whose SDL does not parse.
    pub fn invalid_sdl(subgraph: &str, message: &str) -> Self {
        Self {
            code: "INVALID_SUBGRAPH_SDL".to_owned(),
            location: subgraph.to_owned(),
            subgraphs: vec![subgraph.to_owned()],
            message: message.trim().to_owned(),
        }
    }

    /// The composer succeeded but its output could not be printed.
    pub fn internal(message: &str) -> Self {
        Self {
            code: "INTERNAL".to_owned(),
            location: "-".to_owned(),
            subgraphs: Vec::new(),
            message: message.to_owned(),
        }
    }
}

/// `PostMerge(EnumValuesMismatch)` → `ENUM_VALUES_MISMATCH`: the innermost variant name.
fn screaming_snake(debug: &str) -> String {
    let inner = debug.trim_end_matches(')').rsplit('(').next().unwrap_or(debug);
    let mut out = String::new();
    for (i, ch) in inner.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// The first schema coordinate (`Type.field` or `Type.field(arg:)`) in a message, else the first capitalised
/// quoted or backticked name.
fn coordinate_in(message: &str) -> Option<String> {
    let words: Vec<&str> = message
        .split(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | ',' | ';' | '[' | ']'))
        .filter(|w| !w.is_empty())
        .collect();
    let is_name = |s: &str| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    words
        .iter()
        .map(|w| w.trim_end_matches([':', '.', ')']).trim_start_matches('('))
        .find(|w| {
            let mut parts = w.split('.');
            matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None)
                if is_name(a) && is_name(b.split('(').next().unwrap_or(b)) && a.starts_with(|c: char| c.is_uppercase()))
        })
        .map(ToOwned::to_owned)
}

/// `Error in @key at Product: …` → `Product`.
fn type_after_at(message: &str) -> Option<String> {
    let (_, rest) = message.split_once(" at ")?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    name.starts_with(|c: char| c.is_ascii_uppercase()).then_some(name)
}

/// `The values of enum "Status" …` → `Status`: the first quoted capitalised name.
fn quoted_type(message: &str) -> Option<String> {
    message
        .split('"')
        .skip(1)
        .step_by(2)
        .find(|s| {
            s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .map(ToOwned::to_owned)
}

fn subgraphs_in(message: &str, subgraphs: &[&str]) -> Vec<String> {
    let words: Vec<&str> = message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .collect();
    subgraphs
        .iter()
        .filter(|name| words.contains(name))
        .map(|name| (*name).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{coordinate_in, screaming_snake, type_after_at};

    #[test]
    fn spec_codes_become_screaming_snake() {
        assert_eq!(screaming_snake("PostMerge(EnumValuesMismatch)"), "ENUM_VALUES_MISMATCH");
        assert_eq!(screaming_snake("OverrideFromSelf"), "OVERRIDE_FROM_SELF");
    }

    #[test]
    fn the_first_coordinate_of_a_message_is_its_location() {
        assert_eq!(
            coordinate_in("The field `User.name` is defined in a and b").as_deref(),
            Some("User.name")
        );
        assert_eq!(coordinate_in("no coordinate here."), None);
        assert_eq!(
            type_after_at("[a] Error in @key at Product: no").as_deref(),
            Some("Product")
        );
    }
}
