//! Builders for hand-written plans in the executor's tests.

use std::sync::Arc;

use crate::plan::model::{
    FetchKind, FetchNode, FieldSelection, FlattenNode, InlineFragment, PathSegment, PlanNode, ResponsePath, Selection,
    SelectionSet,
};

/// A leaf field.
pub(crate) fn field(name: &str) -> Selection {
    Selection::Field(FieldSelection {
        name: name.into(),
        alias: None,
        selections: SelectionSet::default(),
    })
}

/// `... on type_name { selections }`.
pub(crate) fn on(type_name: &str, selections: Vec<Selection>) -> Selection {
    Selection::InlineFragment(InlineFragment {
        type_condition: Some(type_name.into()),
        selections: SelectionSet(selections),
    })
}

/// `... on T { __typename id }` for each type.
pub(crate) fn key_of(types: &[&str]) -> SelectionSet {
    SelectionSet(
        types
            .iter()
            .map(|t| on(t, vec![field("__typename"), field("id")]))
            .collect(),
    )
}

/// A response path in the plan's notation: `users.@.author`, `products.@|[Book|Movie]`.
pub(crate) fn path(text: &str) -> ResponsePath {
    let mut segments = Vec::new();
    for part in text.split('.').filter(|part| !part.is_empty()) {
        let (head, condition) = match part.split_once("|[") {
            Some((head, types)) => (head, Some(types.trim_end_matches(']'))),
            None => (part, None),
        };
        match head {
            "@" => segments.push(PathSegment::List),
            "" => {}
            name => segments.push(PathSegment::Field(name.into())),
        }
        if let Some(types) = condition {
            segments.push(PathSegment::TypeCondition(types.split('|').map(Arc::from).collect()));
        }
    }
    ResponsePath(segments)
}

/// A root query fetch.
pub(crate) fn fetch(id: i64, subgraph: &str, operation: &str) -> FetchNode {
    FetchNode {
        id,
        subgraph: subgraph.into(),
        kind: FetchKind::Query,
        operation: operation.into(),
        operation_name: None,
        variable_usages: Vec::new(),
        requires: None,
        input_rewrites: Vec::new(),
        output_rewrites: Vec::new(),
    }
}

/// An entity fetch under a flatten node at `at`.
pub(crate) fn entities(id: i64, subgraph: &str, at: &str, requires: SelectionSet, selection: &str) -> PlanNode {
    let operation =
        format!("query($representations:[_Any!]!){{_entities(representations:$representations){selection}}}");
    let mut node = fetch(id, subgraph, &operation);
    node.requires = Some(requires);
    PlanNode::Flatten(FlattenNode {
        path: path(at),
        node: Box::new(PlanNode::Fetch(node)),
    })
}
