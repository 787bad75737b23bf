//! CollectFields from the specification: the fields a selection set asks of one object, grouped by response
//! key in document order, through fragments and `@skip`/`@include`.

use std::collections::HashMap;

use graphql_tools::static_graphql::query::{
    Directive, Field, FragmentDefinition, Selection, SelectionSet, TypeCondition,
};
use serde_json::{Map, Value};

use crate::operation::literal;
use crate::operation::schema::OperationSchema;

/// The fields selected on one object, grouped by response key.
pub(super) type FieldGroups<'a> = Vec<(&'a str, Vec<&'a Field>)>;

/// What collection reads besides the selection sets.
pub(super) struct Context<'a> {
    pub(super) schema: &'a OperationSchema,
    pub(super) fragments: &'a HashMap<&'a str, &'a FragmentDefinition>,
    pub(super) variables: &'a Map<String, Value>,
}

impl<'a> Context<'a> {
    /// Collects the fields `selection_sets` select on an object of type `object_type`.
    pub(super) fn collect(&self, object_type: &str, selection_sets: &[&'a SelectionSet]) -> FieldGroups<'a> {
        let mut groups = FieldGroups::new();
        let mut visited = Vec::new();
        for selection_set in selection_sets {
            self.collect_into(object_type, selection_set, &mut groups, &mut visited);
        }
        groups
    }

    fn collect_into(
        &self,
        object_type: &str,
        selection_set: &'a SelectionSet,
        groups: &mut FieldGroups<'a>,
        visited: &mut Vec<&'a str>,
    ) {
        for selection in &selection_set.items {
            match selection {
                Selection::Field(field) => {
                    if !self.included(&field.directives) {
                        continue;
                    }
                    let key = field.alias.as_deref().unwrap_or(&field.name);
                    match groups.iter_mut().find(|(existing, _)| *existing == key) {
                        Some((_, fields)) => fields.push(field),
                        None => groups.push((key, vec![field])),
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let applies = fragment
                        .type_condition
                        .as_ref()
                        .is_none_or(|TypeCondition::On(condition)| {
                            self.schema.fragment_applies(condition, object_type)
                        });
                    if applies && self.included(&fragment.directives) {
                        self.collect_into(object_type, &fragment.selection_set, groups, visited);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.fragment_name.as_str();
                    if visited.contains(&name) || !self.included(&spread.directives) {
                        continue;
                    }
                    visited.push(name);
                    let Some(fragment) = self.fragments.get(name) else {
                        continue;
                    };
                    let TypeCondition::On(condition) = &fragment.type_condition;
                    if self.schema.fragment_applies(condition, object_type) {
                        self.collect_into(object_type, &fragment.selection_set, groups, visited);
                    }
                }
            }
        }
    }

    /// Whether `@skip`/`@include` keep the selection.
    fn included(&self, directives: &[Directive]) -> bool {
        directives.iter().all(|directive| match directive.name.as_str() {
            "skip" => !self.condition(directive),
            "include" => self.condition(directive),
            _ => true,
        })
    }

    fn condition(&self, directive: &Directive) -> bool {
        directive
            .arguments
            .iter()
            .find(|(name, _)| name == "if")
            .is_some_and(|(_, value)| literal::to_json(value, self.variables) == Value::Bool(true))
    }

    /// The value of `field`'s argument `name`, variables resolved.
    pub(super) fn argument(&self, field: &Field, name: &str) -> Option<Value> {
        field
            .arguments
            .iter()
            .find(|(argument, _)| argument == name)
            .map(|(_, value)| literal::to_json(value, self.variables))
    }
}
