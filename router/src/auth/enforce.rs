//! Removing what a caller may not read from an operation before it is planned: every field the supergraph
//! guards (`@authenticated`, `@requiresScopes`, `@policy`) that the caller's claims do not satisfy is taken out
//! of the document, and reported as an `UNAUTHORIZED_FIELD_OR_TYPE` error at its response path. Response shaping
//! then writes `null` where it was, and the rest of the response is served.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use graphql_tools::static_graphql::query::{
    Definition, Document, Field, FragmentDefinition, OperationDefinition, Selection, SelectionSet, TypeCondition,
};
use kernel::auth::Claims;
use kernel::error_code::ErrorCode;

use super::requirements::{AccessRequirements, PolicyRule};
use crate::operation::{OperationKind, PreparedOperation};
use crate::response::{GraphQLError as ResponseError, PathElement, SchemaIndex};

/// An operation with the fields the caller may not read taken out.
#[derive(Debug, Clone)]
pub struct Restricted {
    /// The document to plan instead of the client's.
    pub document: Document,
    /// One error per removed field occurrence, at its response path.
    pub errors: Vec<ResponseError>,
    /// Identifies the set of removed fields, so plans of the same restriction are reused.
    pub fingerprint: u64,
}

/// Who is asking, and the rules they are held to.
pub struct Caller<'a> {
    /// The verified claims; `None` for an anonymous caller.
    pub claims: Option<&'a Claims>,
    /// The `[auth.policies]` rules.
    pub policies: &'a BTreeMap<String, PolicyRule>,
}

struct Walk<'a> {
    schema: &'a SchemaIndex,
    requirements: &'a AccessRequirements,
    caller: &'a Caller<'a>,
    fragments: HashMap<&'a str, &'a FragmentDefinition>,
    denied: BTreeSet<String>,
    errors: Vec<ResponseError>,
}

impl Walk<'_> {
    fn allows(&self, parent: &str, field: &Field) -> bool {
        if field.name.starts_with("__") {
            return true;
        }
        let returns = self.schema.field_type(parent, &field.name).map(|ty| &*ty.named);
        self.requirements
            .allows(parent, &field.name, returns, self.caller.claims, self.caller.policies)
    }

    /// Records every refused field under `set` (on `parent`), at `path`.
    fn collect(&mut self, set: &SelectionSet, parent: &str, path: &mut Vec<String>, depth: usize) {
        // A validated document has no fragment cycles; the bound only guards against a bug looping forever.
        if depth > 128 {
            return;
        }
        for selection in &set.items {
            match selection {
                Selection::Field(field) => {
                    let key = field.alias.as_deref().unwrap_or(&field.name);
                    path.push(key.to_owned());
                    if self.allows(parent, field) {
                        if let Some(ty) = self.schema.field_type(parent, &field.name) {
                            let named = ty.named.clone();
                            self.collect(&field.selection_set, &named, path, depth + 1);
                        }
                    } else {
                        self.denied.insert(format!("{parent}.{}", field.name));
                        let segments = path.iter().map(|key| PathElement::Key(key.as_str().into())).collect();
                        self.errors.push(
                            ResponseError::new(
                                format!("Unauthorized field or type: `{parent}.{}`", field.name),
                                ErrorCode::UnauthorizedFieldOrType,
                            )
                            .with_path(segments),
                        );
                    }
                    path.pop();
                }
                Selection::InlineFragment(inline) => {
                    let on = match &inline.type_condition {
                        Some(TypeCondition::On(name)) => name.as_str(),
                        None => parent,
                    };
                    let on = on.to_owned();
                    self.collect(&inline.selection_set, &on, path, depth + 1);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self.fragments.get(spread.fragment_name.as_str()).copied() {
                        let TypeCondition::On(on) = &fragment.type_condition;
                        self.collect(&fragment.selection_set, on, path, depth + 1);
                    }
                }
            }
        }
    }

    /// Removes every refused field under `set` (on `parent`), keeping each selection set non-empty.
    fn prune(&self, set: &mut SelectionSet, parent: &str) {
        // Leaves have no selection set; only a set that had selections and lost them all needs a stand-in.
        let had_selections = !set.items.is_empty();
        set.items.retain(|selection| match selection {
            Selection::Field(field) => self.allows(parent, field),
            _ => true,
        });
        for selection in &mut set.items {
            match selection {
                Selection::Field(field) => {
                    if let Some(ty) = self.schema.field_type(parent, &field.name) {
                        let named = ty.named.clone();
                        self.prune(&mut field.selection_set, &named);
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = match &inline.type_condition {
                        Some(TypeCondition::On(name)) => name.clone(),
                        None => parent.to_owned(),
                    };
                    self.prune(&mut inline.selection_set, &on);
                }
                Selection::FragmentSpread(_) => {}
            }
        }
        if had_selections && set.items.is_empty() {
            set.items.push(Selection::Field(typename_field()));
        }
    }
}

/// The operation as `caller` may run it, or `None` when nothing in it is refused (the common case, which costs
/// one walk of the selection and no allocation beyond it).
pub fn restrict(
    operation: &PreparedOperation,
    schema: &SchemaIndex,
    requirements: &AccessRequirements,
    caller: &Caller<'_>,
) -> Option<Restricted> {
    if requirements.is_empty() {
        return None;
    }
    let root = match operation.kind() {
        OperationKind::Query => schema.query_type().to_string(),
        OperationKind::Mutation => schema.mutation_type()?.to_string(),
        OperationKind::Subscription => return None,
    };
    let document = operation.document();
    let mut walk = Walk {
        schema,
        requirements,
        caller,
        fragments: crate::operation::fragments_of(document),
        denied: BTreeSet::new(),
        errors: Vec::new(),
    };
    walk.collect(selection_set(operation.operation()), &root, &mut Vec::new(), 0);
    if walk.denied.is_empty() {
        return None;
    }
    let mut restricted = document.clone();
    for definition in &mut restricted.definitions {
        match definition {
            Definition::Operation(operation) => {
                let root = match operation {
                    OperationDefinition::Mutation(_) => schema.mutation_type().map(ToString::to_string),
                    OperationDefinition::Subscription(_) => None,
                    _ => Some(schema.query_type().to_string()),
                };
                if let Some(root) = root {
                    walk.prune(selection_set_mut(operation), &root);
                }
            }
            Definition::Fragment(fragment) => {
                let TypeCondition::On(on) = &fragment.type_condition;
                let on = on.clone();
                walk.prune(&mut fragment.selection_set, &on);
            }
        }
    }
    let fingerprint = xxhash_rust::xxh3::xxh3_64(walk.denied.iter().cloned().collect::<Vec<_>>().join("\n").as_bytes());
    Some(Restricted {
        document: restricted,
        errors: walk.errors,
        fingerprint,
    })
}

fn selection_set(operation: &OperationDefinition) -> &SelectionSet {
    match operation {
        OperationDefinition::SelectionSet(set) => set,
        OperationDefinition::Query(query) => &query.selection_set,
        OperationDefinition::Mutation(mutation) => &mutation.selection_set,
        OperationDefinition::Subscription(subscription) => &subscription.selection_set,
    }
}

fn selection_set_mut(operation: &mut OperationDefinition) -> &mut SelectionSet {
    match operation {
        OperationDefinition::SelectionSet(set) => set,
        OperationDefinition::Query(query) => &mut query.selection_set,
        OperationDefinition::Mutation(mutation) => &mut mutation.selection_set,
        OperationDefinition::Subscription(subscription) => &mut subscription.selection_set,
    }
}

fn typename_field() -> Field {
    Field {
        position: Default::default(),
        alias: None,
        name: "__typename".to_owned(),
        arguments: Vec::new(),
        directives: Vec::new(),
        selection_set: SelectionSet {
            span: Default::default(),
            items: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests;
