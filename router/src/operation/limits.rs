//! Operation limits: depth, aliases and root fields, counted with fragments written out where they are spread.
//!
//! Each fragment is measured once and its measure reused at every spread, so a document whose fragments spread
//! each other many times over (an exponential expansion) is measured in time linear in its size. Counts
//! saturate rather than overflow.

use std::collections::HashMap;

use graphql_tools::static_graphql::query::{Document, FragmentDefinition, Selection, SelectionSet};

use super::error::{LimitKind, RequestError};
use super::prepared::fragments;
use crate::config::LimitsConfig;

/// What a selection set contributes, relative to where it is used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Measure {
    /// Deepest field nesting inside it (1 for a set of leaf fields).
    depth: u64,
    /// Aliased fields inside it, at any depth.
    aliases: u64,
    /// Fields at its own level (through inline fragments and spreads).
    fields: u64,
}

impl Measure {
    /// Adds a fragment's measure at the level of the fields next to it.
    fn absorb(&mut self, other: Measure) {
        self.depth = self.depth.max(other.depth);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.fields = self.fields.saturating_add(other.fields);
    }
}

enum FragmentState {
    InProgress,
    Done(Measure),
}

struct Measurer<'d> {
    fragments: HashMap<&'d str, &'d FragmentDefinition>,
    measured: HashMap<&'d str, FragmentState>,
}

impl<'d> Measurer<'d> {
    fn selection_set(&mut self, selection_set: &'d SelectionSet) -> Measure {
        let mut measure = Measure::default();
        for selection in &selection_set.items {
            match selection {
                Selection::Field(field) => {
                    let inner = self.selection_set(&field.selection_set);
                    measure.depth = measure.depth.max(inner.depth.saturating_add(1));
                    measure.aliases = measure.aliases.saturating_add(inner.aliases);
                    if field.alias.is_some() {
                        measure.aliases = measure.aliases.saturating_add(1);
                    }
                    measure.fields = measure.fields.saturating_add(1);
                }
                Selection::InlineFragment(fragment) => {
                    let inner = self.selection_set(&fragment.selection_set);
                    measure.absorb(inner);
                }
                Selection::FragmentSpread(spread) => {
                    let inner = self.fragment(spread.fragment_name.as_str());
                    measure.absorb(inner);
                }
            }
        }
        measure
    }

    /// A fragment's measure; unknown fragments and cycles (both refused by validation) count as empty.
    fn fragment(&mut self, name: &str) -> Measure {
        let Some(&fragment) = self.fragments.get(name) else {
            return Measure::default();
        };
        let name = fragment.name.as_str();
        match self.measured.get(name) {
            Some(FragmentState::Done(measure)) => return *measure,
            Some(FragmentState::InProgress) => return Measure::default(),
            None => {}
        }
        self.measured.insert(name, FragmentState::InProgress);
        let measure = self.selection_set(&fragment.selection_set);
        self.measured.insert(name, FragmentState::Done(measure));
        measure
    }
}

/// Checks the operation whose root selection set is `root` (in `document`) against `limits`.
pub(crate) fn check(document: &Document, root: &SelectionSet, limits: &LimitsConfig) -> Result<(), RequestError> {
    let mut measurer = Measurer {
        fragments: fragments(document),
        measured: HashMap::new(),
    };
    let measure = measurer.selection_set(root);
    let checks = [
        (LimitKind::Depth, measure.depth, limits.max_depth),
        (LimitKind::Aliases, measure.aliases, limits.max_aliases),
        (LimitKind::RootFields, measure.fields, limits.max_root_fields),
    ];
    for (kind, actual, max) in checks {
        if actual > u64::try_from(max).unwrap_or(u64::MAX) {
            return Err(RequestError::Limit { kind, actual, max });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use graphql_tools::static_graphql::query::Definition;

    use super::*;
    use crate::operation::parse::parse;

    fn measure(text: &str) -> Measure {
        let document = parse(text, 100_000).expect("test operation parses");
        let root = document
            .definitions
            .iter()
            .find_map(|definition| match definition {
                Definition::Operation(operation) => Some(operation.selection_set()),
                Definition::Fragment(_) => None,
            })
            .expect("an operation");
        Measurer {
            fragments: fragments(&document),
            measured: HashMap::new(),
        }
        .selection_set(root)
    }

    #[test]
    fn depth_counts_nested_fields() {
        assert_eq!(measure("{ a }").depth, 1);
        assert_eq!(measure("{ a { b { c } } d }").depth, 3);
        assert_eq!(measure("{ a { ... on A { b { c } } } }").depth, 3);
    }

    #[test]
    fn fragments_count_where_they_are_spread() {
        let m = measure("{ a { ...F } x: a { ...F } } fragment F on A { b { c } y: d z: e }");
        assert_eq!(m.depth, 3);
        assert_eq!(m.aliases, 1 + 2 * 2);
        assert_eq!(m.fields, 2);
    }

    #[test]
    fn root_fields_include_those_from_fragments() {
        assert_eq!(
            measure("{ a b ...R ... on Query { c } } fragment R on Query { d e }").fields,
            5
        );
    }

    #[test]
    fn exponential_fragment_expansion_is_measured_without_expanding() {
        let mut text = String::from("{ ...F0 }\n");
        for i in 0..40 {
            text.push_str(&format!(
                "fragment F{i} on Query {{ a{i}: f ...F{n} b{i}: f ...F{n} }}\n",
                n = i + 1
            ));
        }
        text.push_str("fragment F40 on Query { leaf }\n");
        let m = measure(&text);
        assert!(m.aliases > 1 << 40, "{m:?}");
        assert!(m.fields > 1 << 40, "{m:?}");
    }

    #[test]
    fn fragment_cycles_and_unknown_fragments_do_not_loop() {
        let m = measure("{ ...A ...Missing } fragment A on Query { a ...B } fragment B on Query { b ...A }");
        assert_eq!(m.fields, 2);
    }

    #[test]
    fn each_limit_is_enforced_with_its_kind() {
        let document = parse("{ a { b { c } } x: d y: e }", 1000).expect("parses");
        let Some(Definition::Operation(operation)) = document.definitions.first() else {
            panic!("operation")
        };
        let root = operation.selection_set();
        let limits = LimitsConfig {
            max_depth: 3,
            max_aliases: 2,
            max_root_fields: 3,
            ..LimitsConfig::default()
        };
        assert_eq!(check(&document, root, &limits), Ok(()));
        let too_deep = LimitsConfig {
            max_depth: 2,
            ..limits.clone()
        };
        assert_eq!(
            check(&document, root, &too_deep),
            Err(RequestError::Limit {
                kind: LimitKind::Depth,
                actual: 3,
                max: 2
            })
        );
        let few_aliases = LimitsConfig {
            max_aliases: 1,
            ..limits.clone()
        };
        assert!(matches!(
            check(&document, root, &few_aliases),
            Err(RequestError::Limit {
                kind: LimitKind::Aliases,
                ..
            })
        ));
        let few_roots = LimitsConfig {
            max_root_fields: 2,
            ..limits
        };
        assert!(matches!(
            check(&document, root, &few_roots),
            Err(RequestError::Limit {
                kind: LimitKind::RootFields,
                actual: 3,
                ..
            })
        ));
    }
}
