//! The result of `router check`, printed for a person or as JSON, and the exit decision.

use std::fmt::Write as _;

use serde::Serialize;

use super::classify::Severity;
use super::diff::Change;
use crate::compose::Problem;

/// A breaking change and the recorded operations it breaks.
#[derive(Debug, Clone, Serialize)]
pub struct BreakingUse {
    /// The change's coordinate.
    pub coordinate: String,
    /// Names of the recorded operations that use it; empty when none does.
    pub operations: Vec<String>,
}

/// Everything `router check` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The checked subgraph.
    pub subgraph: String,
    /// Composition errors of the changed subgraph with the others; when any, there is no diff.
    pub composition_errors: Vec<Problem>,
    /// Composition warnings.
    pub composition_warnings: Vec<Problem>,
    /// API schema changes, breaking first.
    pub changes: Vec<Change>,
    /// How many recorded operations were matched against the changes; present when operations were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operations_checked: Option<usize>,
    /// Per breaking change, which recorded operations it breaks (only when operations were given).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breaking_uses: Vec<BreakingUse>,
}

impl CheckReport {
    /// Whether any change is breaking.
    pub fn has_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.severity == Severity::Breaking)
    }

    /// Whether the check passes: it composes, and nothing breaks unless breaking changes are allowed.
    pub fn passes(&self, allow_breaking: bool) -> bool {
        self.composition_errors.is_empty() && (allow_breaking || !self.has_breaking())
    }

    /// The report as a JSON document.
    pub fn to_json(&self) -> String {
        // A report is strings, numbers and lists only, so serialising it cannot fail; an empty object is
        // the harmless fallback.
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// The report as lines for a person: one line per problem or change.
    pub fn to_human(&self) -> String {
        let mut out = String::new();
        for problem in &self.composition_errors {
            let _ = writeln!(out, "{problem}");
        }
        for problem in &self.composition_warnings {
            let _ = writeln!(
                out,
                "warning[{}]: {}: {}",
                problem.code, problem.location, problem.message
            );
        }
        if !self.composition_errors.is_empty() {
            let _ = writeln!(
                out,
                "subgraph {} does not compose: {} error(s)",
                self.subgraph,
                self.composition_errors.len()
            );
            return out;
        }
        for change in &self.changes {
            let label = match change.severity {
                Severity::Breaking => "breaking",
                Severity::Dangerous => "dangerous",
                Severity::Safe => "safe",
            };
            let _ = write!(
                out,
                "{label}[{}]: {}: {}",
                serde_code(change),
                change.coordinate,
                change.message
            );
            if let Some(used) = self.breaking_uses.iter().find(|u| u.coordinate == change.coordinate)
                && change.severity == Severity::Breaking
            {
                if used.operations.is_empty() {
                    let _ = write!(out, " (no recorded operation uses it)");
                } else {
                    let _ = write!(out, " (breaks: {})", used.operations.join(", "));
                }
            }
            out.push('\n');
        }
        let count = |s| self.changes.iter().filter(|c| c.severity == s).count();
        let _ = writeln!(
            out,
            "subgraph {} composes; {} breaking, {} dangerous, {} safe change(s)",
            self.subgraph,
            count(Severity::Breaking),
            count(Severity::Dangerous),
            count(Severity::Safe)
        );
        out
    }
}

fn serde_code(change: &Change) -> String {
    serde_json::to_value(change.kind)
        .ok()
        .and_then(|v| v.as_str().map(ToOwned::to_owned))
        .unwrap_or_default()
}
