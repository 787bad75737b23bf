//! The client's selection, compiled once per operation into the shape response shaping walks: for every
//! selection set, the fields each possible object type answers (fragments already applied and same-key fields
//! merged), with each field's output type and its `@skip`/`@include` guards.

use std::collections::HashSet;
use std::sync::Arc;

use hive_router_query_planner::ast::operation::OperationDefinition;
use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::ast::selection_set::{
    FieldSelection as PlannerField, SelectionSet as PlannerSelections,
};
use hive_router_query_planner::ast::value::Value as PlannerValue;
use hive_router_query_planner::state::supergraph_state::OperationKind;

use super::json;
use super::schema_index::{SchemaIndex, TypeKind, Wrapping};

/// Why an operation cannot be projected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProjectionError {
    /// The schema has no root type for the operation's kind.
    #[error("the schema has no {0} root type")]
    NoRootType(&'static str),
    /// Subscriptions are not executed by this router.
    #[error("subscriptions are not supported")]
    Subscription,
}

/// One `@skip`/`@include` test: the selection is kept when `variable` equals `kept_when`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Guard {
    pub(crate) variable: Arc<str>,
    pub(crate) kept_when: bool,
}

/// How a field's value is checked and written.
#[derive(Debug)]
pub(crate) enum FieldKind {
    /// `__typename`; the name is the fallback when the object has no `__typename` of its own.
    Typename(Arc<str>),
    /// A scalar or enum.
    Leaf(LeafKind),
    /// An object, interface or union, with its sub-selection.
    Composite(SelectionPlan),
    /// A field the schema does not describe (e.g. introspection answered elsewhere): written as it is.
    Raw,
}

/// The result coercion a leaf gets.
#[derive(Debug)]
pub(crate) enum LeafKind {
    Int,
    Float,
    String,
    Boolean,
    Id,
    /// An enum and its values.
    Enum(Arc<HashSet<Box<str>>>),
    /// A custom scalar: any JSON passes.
    Custom,
}

/// One field of a compiled selection set.
#[derive(Debug)]
pub(crate) struct ProjectedField {
    /// The response key (alias or name).
    pub(crate) key: Arc<str>,
    /// `"key":`, escaped once at build time.
    pub(crate) key_json: Box<[u8]>,
    /// `Type.field`, for error messages.
    pub(crate) coordinate: Box<str>,
    pub(crate) wrapping: Wrapping,
    pub(crate) kind: FieldKind,
    /// `None` when always kept; otherwise kept when any of the conjunctions holds.
    pub(crate) guards: Option<Box<[Box<[Guard]>]>>,
    /// Selected only so the subgraph query was not empty; never written.
    pub(crate) omitted: bool,
}

/// The fields one object type answers, in response order.
pub(crate) type Fields = Box<[ProjectedField]>;

/// A compiled selection set on one named type.
#[derive(Debug)]
pub(crate) struct SelectionPlan {
    /// The fields for objects whose `__typename` has no entry in `by_type`.
    pub(crate) default: Fields,
    /// The fields for object types that fragments single out.
    pub(crate) by_type: Box<[(Arc<str>, Fields)]>,
}

impl SelectionPlan {
    /// The fields an object with this `__typename` answers.
    pub(crate) fn fields_for(&self, type_name: Option<&str>) -> &[ProjectedField] {
        if let Some(type_name) = type_name {
            for (candidate, fields) in self.by_type.iter() {
                if **candidate == *type_name {
                    return fields;
                }
            }
        }
        &self.default
    }
}

/// The client's operation compiled for response shaping. Built once per operation and cached with its plan.
#[derive(Debug)]
pub struct Projection {
    pub(crate) root: SelectionPlan,
    /// Default values of the boolean variables the guards read.
    pub(crate) defaults: Box<[(Arc<str>, bool)]>,
}

impl Projection {
    /// Compiles the normalized `operation` against `schema`.
    pub fn build(schema: &SchemaIndex, operation: &OperationDefinition) -> Result<Self, ProjectionError> {
        let (kind, selections) = operation.parts();
        let root_type = match kind {
            OperationKind::Query => schema.query_type().clone(),
            OperationKind::Mutation => schema
                .mutation_type()
                .cloned()
                .ok_or(ProjectionError::NoRootType("mutation"))?,
            OperationKind::Subscription => return Err(ProjectionError::Subscription),
        };
        let defaults = operation
            .variable_definitions
            .iter()
            .flatten()
            .filter_map(|definition| match definition.default_value {
                Some(PlannerValue::Boolean(value)) => Some((Arc::from(definition.name.as_str()), value)),
                _ => None,
            })
            .collect();
        let builder = Builder { schema };
        let root = builder.plan(&[(selections, Vec::new())], &root_type);
        Ok(Self { root, defaults })
    }
}

/// A field found while flattening fragments, with everything that gates it.
struct FlatField<'o> {
    field: &'o PlannerField,
    guards: Vec<Guard>,
    type_conditions: Vec<&'o str>,
}

struct Builder<'s> {
    schema: &'s SchemaIndex,
}

impl Builder<'_> {
    /// Compiles the selection sets `occurrences` (each with the guards it inherits) on `type_name`.
    fn plan(&self, occurrences: &[(&PlannerSelections, Vec<Guard>)], type_name: &Arc<str>) -> SelectionPlan {
        let mut flat = Vec::new();
        for (selections, guards) in occurrences {
            flatten(selections, guards, &mut Vec::new(), &mut flat);
        }
        let schema = self.schema;
        if !schema.is_abstract(type_name) {
            let default = self.collect(&flat, type_name, type_name, |condition| {
                schema.type_condition_applies(condition, type_name)
            });
            return SelectionPlan {
                default,
                by_type: Box::default(),
            };
        }
        let default = self.collect(&flat, type_name, type_name, |condition| condition == &**type_name);
        let by_type = schema
            .possible_types(type_name)
            .iter()
            .filter(|object| {
                flat.iter().any(|entry| {
                    entry
                        .type_conditions
                        .iter()
                        .any(|condition| *condition != &**type_name && schema.type_condition_applies(condition, object))
                })
            })
            .map(|object| {
                let fields = self.collect(&flat, object, type_name, |condition| {
                    schema.type_condition_applies(condition, object)
                });
                (object.clone(), fields)
            })
            .collect();
        SelectionPlan { default, by_type }
    }

    /// The fields an object of `object_type` (or of the abstract `static_type`, when they are equal) answers.
    fn collect(
        &self,
        flat: &[FlatField<'_>],
        object_type: &Arc<str>,
        static_type: &Arc<str>,
        applies: impl Fn(&str) -> bool,
    ) -> Fields {
        let mut groups: Vec<(&str, Vec<&FlatField<'_>>)> = Vec::new();
        for entry in flat {
            if !entry.type_conditions.iter().all(|condition| applies(condition)) {
                continue;
            }
            let key = entry.field.selection_identifier();
            match groups.iter_mut().find(|(existing, _)| *existing == key) {
                Some((_, members)) => members.push(entry),
                None => groups.push((key, vec![entry])),
            }
        }
        groups
            .into_iter()
            .map(|(key, members)| self.field(key, &members, object_type, static_type))
            .collect()
    }

    fn field(
        &self,
        key: &str,
        members: &[&FlatField<'_>],
        object_type: &Arc<str>,
        static_type: &Arc<str>,
    ) -> ProjectedField {
        let name = members[0].field.name.as_str();
        let field_type = self
            .schema
            .field_type(object_type, name)
            .or_else(|| self.schema.field_type(static_type, name));
        let (wrapping, kind) = if name == "__typename" {
            (Wrapping::NON_NULL, FieldKind::Typename(object_type.clone()))
        } else if let Some(field_type) = field_type {
            let kind = match self.schema.kind(&field_type.named) {
                Some(TypeKind::Object | TypeKind::Interface | TypeKind::Union) => {
                    let children: Vec<(&PlannerSelections, Vec<Guard>)> = members
                        .iter()
                        .map(|member| (&member.field.selections, member.guards.clone()))
                        .collect();
                    FieldKind::Composite(self.plan(&children, &field_type.named))
                }
                _ => FieldKind::Leaf(self.leaf(&field_type.named)),
            };
            (field_type.wrapping, kind)
        } else {
            (Wrapping::NULLABLE, FieldKind::Raw)
        };
        let mut key_json = Vec::with_capacity(key.len() + 3);
        json::write_key(&mut key_json, key);
        ProjectedField {
            key: Arc::from(key),
            key_json: key_json.into_boxed_slice(),
            coordinate: format!("{object_type}.{name}").into_boxed_str(),
            wrapping,
            kind,
            guards: merge_guards(members),
            omitted: members.iter().all(|member| member.field.omit_from_response),
        }
    }

    fn leaf(&self, type_name: &str) -> LeafKind {
        match type_name {
            "Int" => LeafKind::Int,
            "Float" => LeafKind::Float,
            "String" => LeafKind::String,
            "Boolean" => LeafKind::Boolean,
            "ID" => LeafKind::Id,
            _ => match self.schema.enum_values(type_name) {
                Some(values) => LeafKind::Enum(values.clone()),
                None => LeafKind::Custom,
            },
        }
    }
}

/// Lists the fields of `selections` in document order, descending into inline fragments.
fn flatten<'o>(
    selections: &'o PlannerSelections,
    guards: &[Guard],
    type_conditions: &mut Vec<&'o str>,
    out: &mut Vec<FlatField<'o>>,
) {
    for item in &selections.items {
        match item {
            SelectionItem::Field(field) => {
                let mut own = guards.to_vec();
                push_guards(&mut own, field.skip_if.as_deref(), field.include_if.as_deref());
                out.push(FlatField {
                    field,
                    guards: own,
                    type_conditions: type_conditions.clone(),
                });
            }
            SelectionItem::InlineFragment(fragment) => {
                let mut own = guards.to_vec();
                push_guards(&mut own, fragment.skip_if.as_deref(), fragment.include_if.as_deref());
                type_conditions.push(&fragment.type_condition);
                flatten(&fragment.selections, &own, type_conditions, out);
                type_conditions.pop();
            }
            // Normalization inlines every spread; one left over has nothing to contribute.
            SelectionItem::FragmentSpread(_) => {}
        }
    }
}

fn push_guards(guards: &mut Vec<Guard>, skip_if: Option<&str>, include_if: Option<&str>) {
    for (variable, kept_when) in [(skip_if, false), (include_if, true)] {
        if let Some(variable) = variable {
            let guard = Guard {
                variable: Arc::from(variable),
                kept_when,
            };
            if !guards.contains(&guard) {
                guards.push(guard);
            }
        }
    }
}

/// A field selected several times is kept when any of its selections is.
fn merge_guards(members: &[&FlatField<'_>]) -> Option<Box<[Box<[Guard]>]>> {
    if members.iter().any(|member| member.guards.is_empty()) {
        return None;
    }
    let mut alternatives: Vec<Box<[Guard]>> = Vec::with_capacity(members.len());
    for member in members {
        if !alternatives.iter().any(|existing| **existing == *member.guards) {
            alternatives.push(member.guards.clone().into_boxed_slice());
        }
    }
    Some(alternatives.into_boxed_slice())
}
