//! The API schema as the operation stage reads it: the document plus the lookups validation, limits, variable
//! coercion and introspection need, built once per schema.

use std::collections::HashMap;
use std::sync::Arc;

use graphql_tools::static_graphql::schema::{Definition, DirectiveDefinition, Document, TypeDefinition};
use graphql_tools::validation::rules::default_rules_validation_plan;
use graphql_tools::validation::validate::ValidationPlan;
use hive_router_query_planner::utils::parsing::safe_parse_schema;

/// The spec's built-in scalars, directives and introspection types, added when the schema lacks them.
const BUILTINS: &str = include_str!("builtins.graphql");
/// The type in [`BUILTINS`] holding `__schema` and `__type`, which belong on the query type.
const ROOT_META_FIELDS: &str = "__RootMetaFields";

/// Why an API schema cannot serve operations.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The schema has no query root type, or it is not an object type.
    #[error("the API schema has no query type")]
    NoQueryType,
    /// The built-in definitions failed to parse (a defect of this crate, caught by its tests).
    #[error("the built-in schema definitions do not parse: {0}")]
    Builtins(String),
}

/// The API schema with name indexes and the validation rules; cheap to share behind an `Arc`.
pub struct OperationSchema {
    document: Arc<Document>,
    types: HashMap<String, usize>,
    directives: HashMap<String, usize>,
    /// Abstract type → the object types it may resolve to, in schema order.
    possible_types: HashMap<String, Vec<String>>,
    query_type: String,
    mutation_type: Option<String>,
    subscription_type: Option<String>,
    validation_plan: ValidationPlan,
}

impl std::fmt::Debug for OperationSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperationSchema")
            .field("types", &self.types.len())
            .field("query_type", &self.query_type)
            .field("mutation_type", &self.mutation_type)
            .finish_non_exhaustive()
    }
}

impl OperationSchema {
    /// Indexes `document` (the API schema, e.g. the supergraph's). Built-in scalars, directives, introspection
    /// types and the `__schema`/`__type` root fields are added if the document does not declare them.
    pub fn new(document: Arc<Document>) -> Result<Self, SchemaError> {
        let document = with_builtins(document)?;
        let mut types = HashMap::new();
        let mut directives = HashMap::new();
        for (at, definition) in document.definitions.iter().enumerate() {
            match definition {
                Definition::TypeDefinition(definition) => {
                    types.entry(definition.name().to_owned()).or_insert(at);
                }
                Definition::DirectiveDefinition(directive) => {
                    directives.entry(directive.name.clone()).or_insert(at);
                }
                Definition::SchemaDefinition(_) | Definition::TypeExtension(_) => {}
            }
        }
        let query_type = document.query_type_name().cloned().ok_or(SchemaError::NoQueryType)?;
        let is_object = |name: &str| {
            types.get(name).is_some_and(|&at| {
                matches!(
                    document.definitions[at],
                    Definition::TypeDefinition(TypeDefinition::Object(_))
                )
            })
        };
        if !is_object(&query_type) {
            return Err(SchemaError::NoQueryType);
        }
        let mutation_type = document.mutation_type_name().filter(|name| is_object(name)).cloned();
        let subscription_type = document
            .subscription_type_name()
            .filter(|name| is_object(name))
            .cloned();
        let possible_types = possible_types(&document);
        Ok(Self {
            document,
            types,
            directives,
            possible_types,
            query_type,
            mutation_type,
            subscription_type,
            validation_plan: default_rules_validation_plan(),
        })
    }

    /// The schema document, including the built-in definitions.
    pub fn document(&self) -> &Arc<Document> {
        &self.document
    }

    /// The type named `name`.
    pub fn type_definition(&self, name: &str) -> Option<&TypeDefinition> {
        match self.document.definitions.get(*self.types.get(name)?) {
            Some(Definition::TypeDefinition(definition)) => Some(definition),
            _ => None,
        }
    }

    /// Every type, in document order.
    pub fn type_definitions(&self) -> impl Iterator<Item = &TypeDefinition> {
        self.document
            .definitions
            .iter()
            .filter_map(|definition| match definition {
                Definition::TypeDefinition(definition) => Some(definition),
                _ => None,
            })
    }

    /// The directive named `name` (without `@`).
    pub fn directive(&self, name: &str) -> Option<&DirectiveDefinition> {
        match self.document.definitions.get(*self.directives.get(name)?) {
            Some(Definition::DirectiveDefinition(directive)) => Some(directive),
            _ => None,
        }
    }

    /// Every directive definition, in document order.
    pub fn directives(&self) -> impl Iterator<Item = &DirectiveDefinition> {
        self.document
            .definitions
            .iter()
            .filter_map(|definition| match definition {
                Definition::DirectiveDefinition(directive) => Some(directive),
                _ => None,
            })
    }

    /// The name of the query root type.
    pub fn query_type(&self) -> &str {
        &self.query_type
    }

    /// The name of the mutation root type, if the schema has one.
    pub fn mutation_type(&self) -> Option<&str> {
        self.mutation_type.as_deref()
    }

    /// The name of the subscription root type, if the schema has one.
    pub fn subscription_type(&self) -> Option<&str> {
        self.subscription_type.as_deref()
    }

    /// The object types an interface or union may resolve to; empty for other types.
    pub fn possible_types(&self, abstract_type: &str) -> &[String] {
        self.possible_types.get(abstract_type).map_or(&[], Vec::as_slice)
    }

    /// Whether a fragment on `condition` applies to an object of type `object_type`.
    pub fn fragment_applies(&self, condition: &str, object_type: &str) -> bool {
        condition == object_type || self.possible_types(condition).iter().any(|name| name == object_type)
    }

    pub(crate) fn validation_plan(&self) -> &ValidationPlan {
        &self.validation_plan
    }
}

fn possible_types(document: &Document) -> HashMap<String, Vec<String>> {
    let mut possible: HashMap<String, Vec<String>> = HashMap::new();
    for definition in &document.definitions {
        match definition {
            Definition::TypeDefinition(TypeDefinition::Object(object)) => {
                for interface in &object.implements_interfaces {
                    possible.entry(interface.clone()).or_default().push(object.name.clone());
                }
            }
            Definition::TypeDefinition(TypeDefinition::Union(union)) => {
                possible
                    .entry(union.name.clone())
                    .or_default()
                    .extend(union.types.iter().cloned());
            }
            _ => {}
        }
    }
    possible
}

/// Returns `document` with whichever built-in definitions it lacks; the same `Arc` when it lacks none.
fn with_builtins(document: Arc<Document>) -> Result<Arc<Document>, SchemaError> {
    let builtins = safe_parse_schema(BUILTINS).map_err(|error| SchemaError::Builtins(error.to_string()))?;
    let declared = |name: &str| {
        document.definitions.iter().any(|definition| match definition {
            Definition::TypeDefinition(definition) => definition.name() == name,
            Definition::DirectiveDefinition(directive) => directive.name == name,
            _ => false,
        })
    };
    let mut missing = Vec::new();
    let mut meta_fields = Vec::new();
    for definition in builtins.definitions {
        match definition {
            Definition::TypeDefinition(TypeDefinition::Object(object)) if object.name == ROOT_META_FIELDS => {
                meta_fields = object.fields;
            }
            Definition::TypeDefinition(ref type_definition) if !declared(type_definition.name()) => {
                missing.push(definition);
            }
            Definition::DirectiveDefinition(ref directive) if !declared(&directive.name) => missing.push(definition),
            _ => {}
        }
    }
    let query_type = document.query_type_name().cloned().ok_or(SchemaError::NoQueryType)?;
    let query_has = |field: &str| {
        document.definitions.iter().any(|definition| match definition {
            Definition::TypeDefinition(TypeDefinition::Object(object)) if object.name == query_type => {
                object.fields.iter().any(|f| f.name == field)
            }
            _ => false,
        })
    };
    meta_fields.retain(|field| !query_has(&field.name));
    if missing.is_empty() && meta_fields.is_empty() {
        return Ok(document);
    }
    let mut extended = Document::clone(&document);
    extended.definitions.extend(missing);
    for definition in &mut extended.definitions {
        if let Definition::TypeDefinition(TypeDefinition::Object(object)) = definition
            && object.name == query_type
        {
            object.fields.append(&mut meta_fields);
            break;
        }
    }
    Ok(Arc::new(extended))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(sdl: &str) -> OperationSchema {
        let document = safe_parse_schema(sdl).expect("test SDL parses");
        OperationSchema::new(Arc::new(document)).expect("schema indexes")
    }

    #[test]
    fn builtins_are_added_when_missing() {
        let schema = schema("type Query { a: Int }");
        for name in [
            "Int",
            "String",
            "Boolean",
            "Float",
            "ID",
            "__Schema",
            "__Type",
            "__TypeKind",
        ] {
            assert!(schema.type_definition(name).is_some(), "{name} missing");
        }
        assert!(schema.type_definition(ROOT_META_FIELDS).is_none());
        for name in ["skip", "include", "deprecated", "specifiedBy", "oneOf"] {
            assert!(schema.directive(name).is_some(), "@{name} missing");
        }
        let query = schema.type_definition("Query").expect("query type");
        assert!(query.field_by_name("__schema").is_some());
        assert!(query.field_by_name("__type").is_some());
    }

    #[test]
    fn complete_schema_is_kept_as_is() {
        let first = schema("type Query { a: Int }");
        let again = OperationSchema::new(Arc::clone(first.document())).expect("indexes");
        assert!(Arc::ptr_eq(first.document(), again.document()));
    }

    #[test]
    fn roots_and_possible_types_are_indexed() {
        let schema = schema(
            "schema { query: Root mutation: Change }
             type Root { node: Node }
             type Change { touch: Boolean }
             interface Node { id: ID! }
             type User implements Node { id: ID! }
             type Post implements Node { id: ID! }
             union Result = User | Post",
        );
        assert_eq!(schema.query_type(), "Root");
        assert_eq!(schema.mutation_type(), Some("Change"));
        assert_eq!(schema.subscription_type(), None);
        assert_eq!(schema.possible_types("Node"), ["User", "Post"]);
        assert_eq!(schema.possible_types("Result"), ["User", "Post"]);
        assert!(schema.fragment_applies("Node", "User"));
        assert!(!schema.fragment_applies("Post", "User"));
    }

    #[test]
    fn schema_without_query_type_is_refused() {
        let document = safe_parse_schema("type Mutation { a: Int }").expect("parses");
        assert!(matches!(
            OperationSchema::new(Arc::new(document)),
            Err(SchemaError::NoQueryType)
        ));
    }
}
