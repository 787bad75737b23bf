//! A parsed, validated operation ready for planning or for answering introspection.

use std::collections::HashMap;

use graphql_tools::static_graphql::query::{
    Definition, Document, FragmentDefinition, OperationDefinition, Selection, SelectionSet, VariableDefinition,
};

use super::error::Location;
use super::parse::operation_name;

/// The kind of operation a request runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// `query` or a bare selection set.
    Query,
    /// `mutation`.
    Mutation,
    /// `subscription` (refused by [`super::prepare_document`]).
    Subscription,
}

impl OperationKind {
    pub(crate) fn of(operation: &OperationDefinition) -> Self {
        match operation {
            OperationDefinition::SelectionSet(_) | OperationDefinition::Query(_) => Self::Query,
            OperationDefinition::Mutation(_) => Self::Mutation,
            OperationDefinition::Subscription(_) => Self::Subscription,
        }
    }
}

/// What the root selection set asks for, through fragments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RootFields {
    /// Locations of `__schema` and `__type` selections.
    pub(crate) introspection: Vec<Location>,
    /// Whether any field other than `__schema`, `__type` and `__typename` is selected.
    pub(crate) has_data_fields: bool,
}

impl RootFields {
    pub(crate) fn of(document: &Document, selection_set: &SelectionSet) -> Self {
        let fragments = fragments(document);
        let mut root = Self::default();
        let mut visited = Vec::new();
        root.collect(&fragments, selection_set, &mut visited);
        root
    }

    fn collect<'d>(
        &mut self,
        fragments: &HashMap<&'d str, &'d FragmentDefinition>,
        selection_set: &'d SelectionSet,
        visited: &mut Vec<&'d str>,
    ) {
        for selection in &selection_set.items {
            match selection {
                Selection::Field(field) => match field.name.as_str() {
                    "__schema" | "__type" => self.introspection.push(field.position.into()),
                    "__typename" => {}
                    _ => self.has_data_fields = true,
                },
                Selection::InlineFragment(fragment) => self.collect(fragments, &fragment.selection_set, visited),
                Selection::FragmentSpread(spread) => {
                    let name = spread.fragment_name.as_str();
                    if visited.contains(&name) {
                        continue;
                    }
                    visited.push(name);
                    if let Some(fragment) = fragments.get(name) {
                        self.collect(fragments, &fragment.selection_set, visited);
                    }
                }
            }
        }
    }
}

/// The fragments of `document` by name (the first definition wins; validation refuses duplicates).
pub(crate) fn fragments(document: &Document) -> HashMap<&str, &FragmentDefinition> {
    let mut fragments = HashMap::new();
    for definition in &document.definitions {
        if let Definition::Fragment(fragment) = definition {
            fragments.entry(fragment.name.as_str()).or_insert(fragment);
        }
    }
    fragments
}

/// A validated operation: the document, which of its operations runs, and what that operation selects at the
/// root. Independent of variable values, so it is cached and shared between requests.
#[derive(Debug, Clone)]
pub struct PreparedOperation {
    document: Document,
    operation: usize,
    kind: OperationKind,
    root: RootFields,
}

impl PreparedOperation {
    /// Wraps `document` whose definition at `operation` is an operation; `None` if it is not.
    pub(crate) fn new(document: Document, operation: usize) -> Option<Self> {
        let Some(Definition::Operation(definition)) = document.definitions.get(operation) else {
            return None;
        };
        let kind = OperationKind::of(definition);
        let root = RootFields::of(&document, definition.selection_set());
        Some(Self {
            document,
            operation,
            kind,
            root,
        })
    }

    /// The whole document, with its fragments (what the planner normalizes).
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The operation that runs.
    pub fn operation(&self) -> &OperationDefinition {
        match &self.document.definitions[self.operation] {
            Definition::Operation(operation) => operation,
            // `new` only accepts an index pointing at an operation, and the document is never mutated.
            Definition::Fragment(_) => unreachable!("PreparedOperation::new checked the index"),
        }
    }

    /// The operation's name, if it has one.
    pub fn name(&self) -> Option<&str> {
        operation_name(self.operation())
    }

    /// Query, mutation or subscription.
    pub fn kind(&self) -> OperationKind {
        self.kind
    }

    /// The operation's variable definitions.
    pub fn variable_definitions(&self) -> &[VariableDefinition] {
        self.operation().variable_definitions()
    }

    /// The fragment named `name`.
    pub fn fragment(&self, name: &str) -> Option<&FragmentDefinition> {
        self.document
            .definitions
            .iter()
            .find_map(|definition| match definition {
                Definition::Fragment(fragment) if fragment.name == name => Some(fragment),
                _ => None,
            })
    }

    /// Whether the root selects only `__schema`, `__type` and `__typename`: the router answers it alone,
    /// without planning or subgraph requests.
    pub fn is_introspection_only(&self) -> bool {
        !self.root.has_data_fields
    }

    /// Whether the root selects `__schema` or `__type` (alone or next to other fields).
    pub fn selects_introspection(&self) -> bool {
        !self.root.introspection.is_empty()
    }

    pub(crate) fn introspection_locations(&self) -> &[Location] {
        &self.root.introspection
    }
}
