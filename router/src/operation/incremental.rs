//! Detects incremental delivery (`@defer`, `@stream`), which the router refuses with `OPERATION_NOT_SUPPORTED`.

use graphql_tools::static_graphql::query::{Definition, Directive, Document, Selection, SelectionSet};

const INCREMENTAL: [&str; 2] = ["defer", "stream"];

/// The first incremental-delivery directive the document uses anywhere (operations and fragments), if any.
pub(super) fn requested(document: &Document) -> Option<&'static str> {
    document.definitions.iter().find_map(|definition| match definition {
        Definition::Operation(operation) => in_selection_set(operation.selection_set()),
        Definition::Fragment(fragment) => in_selection_set(&fragment.selection_set),
    })
}

fn in_selection_set(selection_set: &SelectionSet) -> Option<&'static str> {
    // An explicit stack keeps hostile nesting from exhausting the thread's stack.
    let mut pending = vec![selection_set];
    while let Some(set) = pending.pop() {
        for selection in &set.items {
            let (directives, children) = match selection {
                Selection::Field(field) => (&field.directives, Some(&field.selection_set)),
                Selection::InlineFragment(fragment) => (&fragment.directives, Some(&fragment.selection_set)),
                Selection::FragmentSpread(spread) => (&spread.directives, None),
            };
            if let Some(found) = incremental(directives) {
                return Some(found);
            }
            pending.extend(children);
        }
    }
    None
}

fn incremental(directives: &[Directive]) -> Option<&'static str> {
    directives
        .iter()
        .find_map(|directive| INCREMENTAL.into_iter().find(|name| directive.name == *name))
}

#[cfg(test)]
mod tests {
    use super::requested;

    fn document(text: &str) -> graphql_tools::static_graphql::query::Document {
        graphql_tools::parser::parse_query::<String>(text)
            .expect("valid syntax")
            .into_static()
    }

    #[test]
    fn defer_on_an_inline_fragment_is_found() {
        assert_eq!(requested(&document("{ me { id ... @defer { name } } }")), Some("defer"));
    }

    #[test]
    fn stream_inside_a_fragment_definition_is_found() {
        let text = "query { ...F } fragment F on Query { users @stream(initialCount: 1) { id } }";
        assert_eq!(requested(&document(text)), Some("stream"));
    }

    #[test]
    fn other_directives_are_not_incremental() {
        assert_eq!(
            requested(&document("query($a: Boolean!) { me @include(if: $a) { id } }")),
            None
        );
    }
}
