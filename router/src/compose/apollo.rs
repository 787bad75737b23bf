//! Puts the composer's supergraph into the exact Apollo join v0.3 shape other federation routers validate: the
//! spec's directive definitions (`repeatable` join directives, `@link` with `link__Purpose` and
//! `link__Import`, `@inaccessible`), and a `@join__type` on every object whose fields name subgraphs but that
//! carries none itself (the composer leaves the root types bare).

use std::collections::BTreeSet;

use graphql_tools::static_graphql::schema::{Definition, Directive, Document, Field, TypeDefinition, Value};

use super::diagnostic::Problem;

/// A definition of the owned-string AST (graphql-tools names no alias for it).
type Def = Definition<'static, String>;

/// The definitions of the join v0.3, link v1.0 and inaccessible v0.2 specs, as an Apollo supergraph states them.
const SPEC_DEFINITIONS: &str = r#"
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION

scalar join__FieldSet

scalar link__Import

enum link__Purpose {
  "`SECURITY` features provide metadata necessary to securely resolve fields."
  SECURITY
  "`EXECUTION` features provide metadata necessary for operation execution."
  EXECUTION
}
"#;

/// Definitions the spec block above replaces, and the composer's own `@join__owner` (join v0.1, unused here).
const REPLACED: [&str; 11] = [
    "join__enumValue",
    "join__graph",
    "join__field",
    "join__implements",
    "join__type",
    "join__unionMember",
    "join__owner",
    "link",
    "inaccessible",
    "join__FieldSet",
    "link__Import",
];

/// Rewrites the composer's supergraph SDL into the Apollo join v0.3 shape.
pub fn to_apollo_shape(sdl: &str) -> Result<String, Problem> {
    let parse = |text: &str| {
        graphql_tools::parser::parse_schema::<String>(text)
            .map(|d| d.into_static())
            .map_err(|error| Problem::internal(&format!("composed supergraph does not parse: {error}")))
    };
    let composed: Document = parse(sdl)?;
    let spec: Document = parse(SPEC_DEFINITIONS)?;
    let mut definitions = Vec::with_capacity(composed.definitions.len() + spec.definitions.len());
    let mut spec_placed = false;
    for definition in composed.definitions {
        if is_replaced(&definition) {
            continue;
        }
        let is_schema = matches!(definition, Definition::SchemaDefinition(_));
        definitions.push(add_root_join_types(definition));
        if is_schema && !spec_placed {
            definitions.extend(spec.definitions.iter().cloned());
            spec_placed = true;
        }
    }
    if !spec_placed {
        definitions.splice(0..0, spec.definitions);
    }
    let document = Document { definitions };
    Ok(document.to_string())
}

fn is_replaced(definition: &Def) -> bool {
    let name = match definition {
        Definition::DirectiveDefinition(d) => &d.name,
        Definition::TypeDefinition(TypeDefinition::Scalar(s)) => &s.name,
        Definition::TypeDefinition(TypeDefinition::Enum(e)) => &e.name,
        _ => return false,
    };
    REPLACED.contains(&name.as_str()) || name == "link__Purpose"
}

/// Adds `@join__type(graph: G)` for every graph its fields' `@join__field` name, to objects that have none.
fn add_root_join_types(definition: Def) -> Def {
    let Definition::TypeDefinition(TypeDefinition::Object(mut object)) = definition else {
        return definition;
    };
    if !object.directives.iter().any(|d| d.name == "join__type") {
        let graphs = field_graphs(&object.fields);
        for graph in graphs {
            object.directives.push(Directive {
                position: object.position,
                name: "join__type".to_owned(),
                arguments: vec![("graph".to_owned(), Value::Enum(graph))],
            });
        }
    }
    Definition::TypeDefinition(TypeDefinition::Object(object))
}

fn field_graphs(fields: &[Field]) -> BTreeSet<String> {
    fields
        .iter()
        .flat_map(|field| &field.directives)
        .filter(|d| d.name == "join__field")
        .flat_map(|d| &d.arguments)
        .filter_map(|(name, value)| match (name.as_str(), value) {
            ("graph", Value::Enum(graph)) => Some(graph.clone()),
            _ => None,
        })
        .collect()
}
