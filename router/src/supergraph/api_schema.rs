//! The API schema: what clients see — the supergraph minus `@inaccessible` elements and the join/link machinery.

use std::sync::Arc;

use graphql_tools::static_graphql::schema::{Definition, Document, TypeDefinition};

/// The client-facing schema, derived once per supergraph.
#[derive(Debug, Clone)]
pub struct ApiSchema {
    document: Arc<Document>,
    sdl: Arc<str>,
}

/// Built-in scalars and directives that the planner's API schema declares explicitly so validation and
/// introspection find them; a printed SDL leaves them implicit, as every GraphQL tool expects.
const BUILT_IN_SCALARS: [&str; 5] = ["Boolean", "Float", "Int", "ID", "String"];
const BUILT_IN_DIRECTIVES: [&str; 5] = ["skip", "include", "deprecated", "specifiedBy", "oneOf"];

impl ApiSchema {
    /// Wraps the planner's API schema document (which includes the introspection types and the
    /// `__schema`/`__type` root fields) and prints its client-facing SDL.
    pub(crate) fn new(document: Arc<Document>) -> Self {
        let sdl = print_client_sdl(&document).into();
        Self { document, sdl }
    }

    /// The schema document to validate operations and answer introspection against. It declares the built-in
    /// scalars and directives, the `__*` introspection types, and `__schema`/`__type` on the query type.
    pub fn document(&self) -> &Arc<Document> {
        &self.document
    }

    /// The API schema as SDL, without the introspection machinery: what a client or a schema registry sees.
    pub fn sdl(&self) -> &str {
        &self.sdl
    }
}

fn print_client_sdl(document: &Document) -> String {
    let query_type = document.query_type_name().cloned();
    let definitions = document
        .definitions
        .iter()
        .filter_map(|definition| match definition {
            Definition::TypeDefinition(type_definition) => {
                let name = type_name(type_definition);
                if name.starts_with("__") || BUILT_IN_SCALARS.contains(&name) {
                    return None;
                }
                let mut type_definition = type_definition.clone();
                if let TypeDefinition::Object(object) = &mut type_definition
                    && query_type.as_deref() == Some(object.name.as_str())
                {
                    object.fields.retain(|field| !field.name.starts_with("__"));
                }
                Some(Definition::TypeDefinition(type_definition))
            }
            Definition::DirectiveDefinition(directive) if BUILT_IN_DIRECTIVES.contains(&directive.name.as_str()) => {
                None
            }
            other => Some(other.clone()),
        })
        .collect();
    Document { definitions }.to_string()
}

fn type_name(definition: &TypeDefinition) -> &str {
    match definition {
        TypeDefinition::Scalar(t) => &t.name,
        TypeDefinition::Object(t) => &t.name,
        TypeDefinition::Interface(t) => &t.name,
        TypeDefinition::Union(t) => &t.name,
        TypeDefinition::Enum(t) => &t.name,
        TypeDefinition::InputObject(t) => &t.name,
    }
}
