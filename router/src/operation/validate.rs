//! Validation of the document against the API schema with every rule `graphql-tools` implements, plus the checks
//! its rules leave out: fragment spreads form no cycle at any depth, and `__`-prefixed fields are the meta-fields
//! the specification defines, where it defines them (`__typename` a leaf without arguments).

use std::collections::HashMap;

use graphql_tools::static_graphql::query::{
    Definition, Document, FragmentSpread, OperationDefinition, Selection, SelectionSet, TypeCondition,
};
use graphql_tools::validation::validate::validate as run_rules;

use super::error::{Location, RequestError, ValidationIssue};
use super::schema::OperationSchema;

/// Validates the whole document (every operation and fragment), as the specification requires.
pub(crate) fn validate(schema: &OperationSchema, document: &Document) -> Result<(), RequestError> {
    let mut issues: Vec<ValidationIssue> = run_rules(schema.document(), document, schema.validation_plan())
        .into_iter()
        .map(|error| ValidationIssue {
            message: error.message,
            locations: error.locations.into_iter().map(Location::from).collect(),
        })
        .collect();
    issues.extend(misplaced_meta_fields(document, schema.query_type()));
    if !issues.iter().any(|issue| issue.message.contains("within itself")) {
        issues.extend(fragment_cycles(document));
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(RequestError::Validation(issues))
    }
}

/// "Fragment spreads must not form cycles", with spreads found at any depth of a fragment. The `graphql-tools`
/// rule only sees spreads directly in a fragment or one selection below, and a cycle through a deeper spread
/// would reach the planner (which refuses it as an internal failure) and every walk that follows spreads.
/// One issue per fragment that closes a cycle, located at the spread that closes it.
fn fragment_cycles(document: &Document) -> Vec<ValidationIssue> {
    let mut spreads: HashMap<&str, Vec<&FragmentSpread>> = HashMap::new();
    for definition in &document.definitions {
        if let Definition::Fragment(fragment) = definition {
            let found = spreads.entry(fragment.name.as_str()).or_default();
            if found.is_empty() {
                collect_spreads(&fragment.selection_set, found);
            }
        }
    }
    // Depth-first over the spread graph without recursion (a document may chain many fragments): a spread of a
    // fragment still on the path closes a cycle.
    enum State {
        OnPath,
        Done,
    }
    let mut states: HashMap<&str, State> = HashMap::new();
    let mut issues = Vec::new();
    let mut names: Vec<&str> = spreads.keys().copied().collect();
    names.sort_unstable();
    for start in names {
        if states.contains_key(start) {
            continue;
        }
        states.insert(start, State::OnPath);
        // Each frame: a fragment on the path and how many of its spreads were followed.
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        while let Some((name, next)) = path.last_mut() {
            let Some(spread) = spreads.get(*name).and_then(|list| list.get(*next)).copied() else {
                states.insert(*name, State::Done);
                path.pop();
                continue;
            };
            *next += 1;
            let target = spread.fragment_name.as_str();
            match states.get(target) {
                Some(State::Done) => {}
                Some(State::OnPath) => issues.push(cycle_issue(target, &path, spread)),
                // A spread of an unknown fragment is reported by `graphql-tools`.
                None if spreads.contains_key(target) => {
                    states.insert(target, State::OnPath);
                    path.push((target, 0));
                }
                None => {}
            }
        }
    }
    issues
}

fn cycle_issue(target: &str, path: &[(&str, usize)], closing: &FragmentSpread) -> ValidationIssue {
    let from = path.iter().position(|(name, _)| *name == target).unwrap_or(0);
    let via: Vec<&str> = path[from..].iter().skip(1).map(|(name, _)| *name).collect();
    let message = if via.is_empty() {
        format!("Cannot spread fragment \"{target}\" within itself.")
    } else {
        format!(
            "Cannot spread fragment \"{target}\" within itself via {}.",
            via.join(", ")
        )
    };
    ValidationIssue {
        message,
        locations: vec![Location::from(closing.position)],
    }
}

/// Fields whose name starts with `__` that are not `__typename` (on any type), or `__schema` and `__type` at the
/// root of a query (through inline fragments and fragments on the query type). The `graphql-tools` rule lets any
/// `__` name through on any type, and such a field would reach the planner, which has no path for it.
fn misplaced_meta_fields(document: &Document, query_type: &str) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    for definition in &document.definitions {
        let (selection_set, at_query_root) = match definition {
            Definition::Operation(OperationDefinition::SelectionSet(selection_set)) => (selection_set, true),
            Definition::Operation(OperationDefinition::Query(query)) => (&query.selection_set, true),
            Definition::Operation(OperationDefinition::Mutation(mutation)) => (&mutation.selection_set, false),
            Definition::Operation(OperationDefinition::Subscription(subscription)) => {
                (&subscription.selection_set, false)
            }
            Definition::Fragment(fragment) => {
                let TypeCondition::On(on) = &fragment.type_condition;
                (&fragment.selection_set, on == query_type)
            }
        };
        check_meta_fields(selection_set, query_type, at_query_root, &mut issues);
    }
    issues
}

fn check_meta_fields(
    selection_set: &SelectionSet,
    query_type: &str,
    at_query_root: bool,
    issues: &mut Vec<ValidationIssue>,
) {
    for selection in &selection_set.items {
        match selection {
            Selection::Field(field) => {
                let name = field.name.as_str();
                let message = match name {
                    // The library's leaf and argument rules skip meta-fields, so `__typename` is checked here.
                    "__typename" if !field.selection_set.items.is_empty() => Some(
                        "Field \"__typename\" must not have a selection since type \"String!\" has no subfields."
                            .to_owned(),
                    ),
                    "__typename" => field
                        .arguments
                        .first()
                        .map(|(argument, _)| format!("Unknown argument \"{argument}\" on field \"__typename\".")),
                    "__schema" | "__type" if at_query_root => None,
                    "__schema" | "__type" => Some(format!(
                        "The meta-field \"{name}\" can only be selected on the query root type."
                    )),
                    _ if name.starts_with("__") => Some(format!("Cannot query field \"{name}\": no such meta-field.")),
                    _ => None,
                };
                if let Some(message) = message {
                    issues.push(ValidationIssue {
                        message,
                        locations: vec![Location::from(field.position)],
                    });
                }
                // What `__schema` and `__type` select is checked by the library rules against the introspection types.
                if !matches!(name, "__schema" | "__type") {
                    check_meta_fields(&field.selection_set, query_type, false, issues);
                }
            }
            Selection::InlineFragment(fragment) => {
                let stays_at_root = match &fragment.type_condition {
                    None => at_query_root,
                    Some(TypeCondition::On(on)) => at_query_root && on == query_type,
                };
                check_meta_fields(&fragment.selection_set, query_type, stays_at_root, issues);
            }
            // Fragments are checked where they are defined.
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// Every spread in `selection_set`, through fields and inline fragments at any depth (not through other spreads).
fn collect_spreads<'d>(selection_set: &'d SelectionSet, out: &mut Vec<&'d FragmentSpread>) {
    for selection in &selection_set.items {
        match selection {
            Selection::FragmentSpread(spread) => out.push(spread),
            Selection::Field(field) => collect_spreads(&field.selection_set, out),
            Selection::InlineFragment(fragment) => collect_spreads(&fragment.selection_set, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::error_code::ErrorCode;

    use super::super::test_schema::{prepare, schema};

    #[test]
    fn fragment_cycle_through_nested_selections_is_a_validation_error() {
        // The spread closing the cycle sits two selections deep in `B`, where the library rule does not look.
        let error = prepare(
            &schema(),
            "{ me { ...A } }\n\
             fragment A on User { posts { ...B } }\n\
             fragment B on Post { author { posts { author { ...A } } } }",
        )
        .expect_err("the fragments spread each other forever");
        assert_eq!(error.code(), ErrorCode::GraphqlValidationFailed);
        let errors = error.to_graphql_errors();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message, "Cannot spread fragment \"A\" within itself via B.");
        assert_eq!(errors[0].locations.len(), 1);
        assert_eq!(errors[0].locations[0].line, 3);
    }

    #[test]
    fn fragment_spreading_itself_deep_inside_is_a_validation_error() {
        let error = prepare(
            &schema(),
            "{ me { ...A } } fragment A on User { posts { author { posts { author { ...A } } } } }",
        )
        .expect_err("the fragment spreads itself");
        let errors = error.to_graphql_errors();
        assert!(
            errors
                .iter()
                .any(|e| e.message == "Cannot spread fragment \"A\" within itself."),
            "{errors:?}"
        );
    }

    #[test]
    fn unknown_double_underscore_field_is_a_validation_error() {
        let error = prepare(&schema(), "{ __typename me { id __typeaenm } }").expect_err("no such meta-field");
        assert_eq!(error.code(), ErrorCode::GraphqlValidationFailed);
        let errors = error.to_graphql_errors();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("__typeaenm"), "{errors:?}");
    }

    #[test]
    fn schema_and_type_meta_fields_are_refused_below_the_query_root() {
        for text in [
            "{ me { __schema { queryType { name } } } }",
            "{ me { ...F } } fragment F on User { __type(name: \"User\") { name } }",
            "mutation { __schema { queryType { name } } }",
        ] {
            let error = prepare(&schema(), text).expect_err(text);
            let errors = error.to_graphql_errors();
            assert!(
                errors
                    .iter()
                    .any(|e| e.message.contains("only be selected on the query root")),
                "{text}: {errors:?}"
            );
        }
    }

    #[test]
    fn meta_fields_where_the_specification_allows_them_are_valid() {
        prepare(
            &schema(),
            "{ __typename __schema { queryType { name } } ... on Query { __type(name: \"User\") { name } } ...R \
             me { __typename } }\n\
             fragment R on Query { __schema { types { name } } }",
        )
        .expect("meta-fields at the query root and __typename anywhere");
    }

    #[test]
    fn typename_with_a_selection_or_arguments_is_a_validation_error() {
        for (document, expected) in [
            ("{ me { __typename { id } } }", "must not have a selection"),
            (
                "query Me { me { __typename\n { p_ty id email } } }",
                "must not have a selection",
            ),
            ("{ __typename { id } }", "must not have a selection"),
            (
                "{ me { ...F } } fragment F on User { __typename { id } }",
                "must not have a selection",
            ),
            ("{ me { __typename(x: 1) } }", "Unknown argument \"x\""),
        ] {
            let error = prepare(&schema(), document).expect_err(document);
            assert_eq!(error.code(), ErrorCode::GraphqlValidationFailed, "{document}");
            let errors = error.to_graphql_errors();
            assert!(
                errors.iter().any(|error| error.message.contains(expected)),
                "{document}: {errors:?}"
            );
        }
    }

    #[test]
    fn fragments_spread_many_times_without_a_cycle_are_valid() {
        prepare(
            &schema(),
            "{ me { ...A posts { ...P author { ...A } } } }\n\
             fragment A on User { id ...N }\n\
             fragment N on User { name }\n\
             fragment P on Post { title author { ...N } }",
        )
        .expect("a diamond of spreads is no cycle");
    }
}
