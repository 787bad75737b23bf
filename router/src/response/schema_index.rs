//! What response shaping and the executor need to know about the supergraph's types, in a compact form built
//! once per supergraph: each field's named type and list/non-null wrapping, the possible types of every
//! abstract type, and the values of every enum.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use hive_router_query_planner::state::supergraph_state::{SupergraphDefinition, SupergraphState, TypeNode};

/// The kind of a named type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    /// An object type.
    Object,
    /// An interface.
    Interface,
    /// A union.
    Union,
    /// An enum.
    Enum,
    /// A scalar, built-in or custom.
    Scalar,
    /// An input object (never a field's output type).
    InputObject,
}

/// How a field's named type is wrapped: how many list levels, and which levels are non-null. Level 0 is the
/// outermost; level `list_depth` is the named type itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Wrapping {
    /// The number of list levels.
    pub list_depth: u8,
    /// Bit `n` is set when level `n` is non-null.
    non_null: u32,
}

/// The most list levels tracked; deeper nesting is treated as nullable, which is never wrong for output.
const MAX_LEVELS: u8 = 31;

impl Wrapping {
    /// Reads the wrapping of a planner type reference.
    pub fn of(type_node: &TypeNode) -> Self {
        let mut wrapping = Self::default();
        let mut level: u8 = 0;
        let mut current = type_node;
        loop {
            match current {
                TypeNode::NonNull(inner) => {
                    if level <= MAX_LEVELS {
                        wrapping.non_null |= 1 << level;
                    }
                    current = inner;
                }
                TypeNode::List(inner) => {
                    level = level.saturating_add(1);
                    current = inner;
                }
                TypeNode::Named(_) => break,
            }
        }
        wrapping.list_depth = level.min(MAX_LEVELS);
        wrapping
    }

    /// A nullable, unwrapped type.
    pub const NULLABLE: Self = Self {
        list_depth: 0,
        non_null: 0,
    };

    /// A non-null, unwrapped type (e.g. `String!`).
    pub const NON_NULL: Self = Self {
        list_depth: 0,
        non_null: 1,
    };

    /// Whether level `level` is non-null.
    pub fn is_non_null(self, level: u8) -> bool {
        level <= MAX_LEVELS && self.non_null & (1 << level) != 0
    }
}

/// A field's output type.
#[derive(Debug, Clone)]
pub struct FieldType {
    /// The named type under the wrapping.
    pub named: Arc<str>,
    /// The list and non-null wrapping.
    pub wrapping: Wrapping,
}

#[derive(Debug)]
struct TypeEntry {
    kind: TypeKind,
    fields: HashMap<Box<str>, FieldType>,
    /// For interfaces and unions: the object types that may appear, sorted.
    possible_types: Vec<Arc<str>>,
    enum_values: Option<Arc<HashSet<Box<str>>>>,
}

/// The supergraph's types as response shaping reads them. Built once per supergraph; cheap to share.
#[derive(Debug)]
pub struct SchemaIndex {
    types: HashMap<Arc<str>, TypeEntry>,
    query_type: Arc<str>,
    mutation_type: Option<Arc<str>>,
}

const BUILT_IN_SCALARS: [&str; 5] = ["Int", "Float", "String", "Boolean", "ID"];

impl SchemaIndex {
    /// Indexes the planner's view of the supergraph.
    pub fn from_supergraph(state: &SupergraphState) -> Self {
        let mut types: HashMap<Arc<str>, TypeEntry> = HashMap::with_capacity(state.definitions.len() + 5);
        for (name, definition) in &state.definitions {
            let (kind, possible_types, enum_values) = match definition {
                SupergraphDefinition::Object(_) => (TypeKind::Object, Vec::new(), None),
                SupergraphDefinition::Interface(_) => {
                    let members = state.interface_members(name).into_iter().flatten();
                    (
                        TypeKind::Interface,
                        members.map(|m| Arc::from(m.as_str())).collect(),
                        None,
                    )
                }
                SupergraphDefinition::Union(union) => {
                    let members = union.types.iter().map(|m| Arc::from(m.as_str()));
                    (TypeKind::Union, members.collect(), None)
                }
                SupergraphDefinition::Enum(enum_type) => {
                    let values = enum_type.values.iter().map(|v| Box::from(v.name.as_str())).collect();
                    (TypeKind::Enum, Vec::new(), Some(Arc::new(values)))
                }
                SupergraphDefinition::Scalar(_) => (TypeKind::Scalar, Vec::new(), None),
                SupergraphDefinition::InputObject(_) => (TypeKind::InputObject, Vec::new(), None),
            };
            let mut possible_types: Vec<Arc<str>> = possible_types;
            possible_types.sort_unstable();
            possible_types.dedup();
            let fields = match definition {
                SupergraphDefinition::Object(_) | SupergraphDefinition::Interface(_) => definition
                    .fields()
                    .iter()
                    .map(|(field_name, field)| {
                        let field_type = FieldType {
                            named: Arc::from(field.field_type.inner_type()),
                            wrapping: Wrapping::of(&field.field_type),
                        };
                        (Box::from(field_name.as_str()), field_type)
                    })
                    .collect(),
                _ => HashMap::new(),
            };
            types.insert(
                Arc::from(name.as_str()),
                TypeEntry {
                    kind,
                    fields,
                    possible_types,
                    enum_values,
                },
            );
        }
        for scalar in BUILT_IN_SCALARS {
            types.entry(Arc::from(scalar)).or_insert_with(|| TypeEntry {
                kind: TypeKind::Scalar,
                fields: HashMap::new(),
                possible_types: Vec::new(),
                enum_values: None,
            });
        }
        Self {
            types,
            query_type: Arc::from(state.query_type.as_str()),
            mutation_type: state.mutation_type.as_deref().map(Arc::from),
        }
    }

    /// The query root type's name.
    pub fn query_type(&self) -> &Arc<str> {
        &self.query_type
    }

    /// The mutation root type's name, if the schema has one.
    pub fn mutation_type(&self) -> Option<&Arc<str>> {
        self.mutation_type.as_ref()
    }

    /// The kind of the named type, if the schema has it.
    pub fn kind(&self, type_name: &str) -> Option<TypeKind> {
        self.types.get(type_name).map(|entry| entry.kind)
    }

    /// Whether the named type is an interface or a union.
    pub fn is_abstract(&self, type_name: &str) -> bool {
        matches!(self.kind(type_name), Some(TypeKind::Interface | TypeKind::Union))
    }

    /// The object types an interface or union may resolve to (empty for other types), sorted by name.
    pub fn possible_types(&self, type_name: &str) -> &[Arc<str>] {
        self.types
            .get(type_name)
            .map(|entry| entry.possible_types.as_slice())
            .unwrap_or_default()
    }

    /// Whether a fragment on `condition` applies to an object whose `__typename` is `type_name`.
    pub fn type_condition_applies(&self, condition: &str, type_name: &str) -> bool {
        condition == type_name
            || self
                .possible_types(condition)
                .binary_search_by(|candidate| (**candidate).cmp(type_name))
                .is_ok()
    }

    /// The output type of `type_name.field_name`, if the schema has that field.
    pub fn field_type(&self, type_name: &str, field_name: &str) -> Option<&FieldType> {
        self.types.get(type_name)?.fields.get(field_name)
    }

    /// The values of an enum type.
    pub(crate) fn enum_values(&self, type_name: &str) -> Option<&Arc<HashSet<Box<str>>>> {
        self.types.get(type_name)?.enum_values.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::test_schema::schema_index;

    #[test]
    fn wrapping_records_list_levels_and_non_null_levels() {
        let named = || Box::new(TypeNode::Named("Int".into()));
        // [[Int!]]!
        let node = TypeNode::NonNull(Box::new(TypeNode::List(Box::new(TypeNode::List(Box::new(
            TypeNode::NonNull(named()),
        ))))));
        let wrapping = Wrapping::of(&node);
        assert_eq!(wrapping.list_depth, 2);
        assert!(wrapping.is_non_null(0));
        assert!(!wrapping.is_non_null(1));
        assert!(wrapping.is_non_null(2));
    }

    #[test]
    fn the_index_knows_fields_possible_types_and_enum_values() {
        let index = schema_index();
        assert_eq!(index.query_type().as_ref(), "Query");
        let field = index.field_type("Query", "products").expect("Query.products exists");
        assert_eq!(field.named.as_ref(), "Product");
        assert_eq!(field.wrapping.list_depth, 1);
        assert!(index.is_abstract("Product"));
        assert_eq!(index.possible_types("Product"), [Arc::from("Book"), Arc::from("Movie")]);
        assert!(index.type_condition_applies("Product", "Book"));
        assert!(index.type_condition_applies("Book", "Book"));
        assert!(!index.type_condition_applies("Movie", "Book"));
        assert!(index.possible_types("SearchResult").contains(&Arc::from("Movie")));
        let values = index.enum_values("Role").expect("Role is an enum");
        assert!(values.contains("ADMIN"));
        assert_eq!(index.kind("Int"), Some(TypeKind::Scalar));
    }
}
