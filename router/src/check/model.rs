//! A flat model of an API schema — types, fields, arguments, values, members — that the diff compares; built
//! from the graphql-tools AST so that SDL ordering and formatting never show up as changes.

use std::collections::{BTreeMap, BTreeSet};

use graphql_tools::static_graphql::schema::{
    Definition, Directive, Document, Field, InputValue, Type, TypeDefinition, Value,
};

/// What kind of type a definition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    /// `scalar`.
    Scalar,
    /// `type`.
    Object,
    /// `interface`.
    Interface,
    /// `union`.
    Union,
    /// `enum`.
    Enum,
    /// `input`.
    InputObject,
}

/// An argument or input field.
#[derive(Debug, Clone, PartialEq)]
pub struct InputModel {
    /// Its type, as SDL (`[ID!]!`).
    pub ty: Type,
    /// Its default value, printed, if any.
    pub default: Option<String>,
    /// The deprecation reason, if deprecated.
    pub deprecated: Option<String>,
    /// Its description.
    pub description: Option<String>,
}

/// An output field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldModel {
    /// Its type.
    pub ty: Type,
    /// Its arguments by name.
    pub arguments: BTreeMap<String, InputModel>,
    /// The deprecation reason, if deprecated.
    pub deprecated: Option<String>,
    /// Its description.
    pub description: Option<String>,
}

/// One named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeModel {
    /// Its kind.
    pub kind: TypeKind,
    /// Output fields (objects, interfaces).
    pub fields: BTreeMap<String, FieldModel>,
    /// Input fields (input objects).
    pub input_fields: BTreeMap<String, InputModel>,
    /// Implemented interfaces (objects, interfaces).
    pub interfaces: BTreeSet<String>,
    /// Union members.
    pub members: BTreeSet<String>,
    /// Enum values and their deprecation reasons.
    pub values: BTreeMap<String, Option<String>>,
    /// Its description.
    pub description: Option<String>,
}

/// An API schema as the diff sees it.
#[derive(Debug, Clone, Default)]
pub struct SchemaModel {
    /// Named types, introspection and built-in scalars left out.
    pub types: BTreeMap<String, TypeModel>,
    /// Root operation type names: query, mutation, subscription.
    pub roots: [Option<String>; 3],
}

/// The API SDL could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("API schema does not parse: {0}")]
pub struct ModelError(pub String);

const BUILT_IN_SCALARS: [&str; 5] = ["Boolean", "Float", "Int", "ID", "String"];

impl SchemaModel {
    /// Parses an API schema SDL into the model.
    pub fn parse(sdl: &str) -> Result<Self, ModelError> {
        let document: Document = graphql_tools::parser::parse_schema::<String>(sdl)
            .map_err(|error| ModelError(error.to_string()))?
            .into_static();
        Ok(Self::from_document(&document))
    }

    fn from_document(document: &Document) -> Self {
        let mut model = Self {
            roots: [
                Some("Query".into()),
                Some("Mutation".into()),
                Some("Subscription".into()),
            ],
            ..Self::default()
        };
        for definition in &document.definitions {
            match definition {
                Definition::SchemaDefinition(schema) => {
                    model.roots = [
                        schema.query.clone(),
                        schema.mutation.clone(),
                        schema.subscription.clone(),
                    ];
                }
                Definition::TypeDefinition(definition) => {
                    if let Some((name, ty)) = type_model(definition) {
                        model.types.insert(name, ty);
                    }
                }
                _ => {}
            }
        }
        model
    }

    /// The named type at the bottom of list and non-null wrappers.
    pub fn named(ty: &Type) -> &str {
        match ty {
            Type::NamedType(name) => name,
            Type::ListType(inner) | Type::NonNullType(inner) => Self::named(inner),
        }
    }
}

fn type_model(definition: &TypeDefinition) -> Option<(String, TypeModel)> {
    let empty = |kind, description: &Option<String>| TypeModel {
        kind,
        fields: BTreeMap::new(),
        input_fields: BTreeMap::new(),
        interfaces: BTreeSet::new(),
        members: BTreeSet::new(),
        values: BTreeMap::new(),
        description: description.clone(),
    };
    let (name, model) = match definition {
        TypeDefinition::Scalar(t) => (&t.name, empty(TypeKind::Scalar, &t.description)),
        TypeDefinition::Object(t) => {
            let mut m = empty(TypeKind::Object, &t.description);
            m.fields = fields(&t.fields);
            m.interfaces = t.implements_interfaces.iter().cloned().collect();
            (&t.name, m)
        }
        TypeDefinition::Interface(t) => {
            let mut m = empty(TypeKind::Interface, &t.description);
            m.fields = fields(&t.fields);
            m.interfaces = t.implements_interfaces.iter().cloned().collect();
            (&t.name, m)
        }
        TypeDefinition::Union(t) => {
            let mut m = empty(TypeKind::Union, &t.description);
            m.members = t.types.iter().cloned().collect();
            (&t.name, m)
        }
        TypeDefinition::Enum(t) => {
            let mut m = empty(TypeKind::Enum, &t.description);
            m.values = t
                .values
                .iter()
                .map(|v| (v.name.clone(), deprecation(&v.directives)))
                .collect();
            (&t.name, m)
        }
        TypeDefinition::InputObject(t) => {
            let mut m = empty(TypeKind::InputObject, &t.description);
            m.input_fields = inputs(&t.fields);
            (&t.name, m)
        }
    };
    if name.starts_with("__") || BUILT_IN_SCALARS.contains(&name.as_str()) {
        return None;
    }
    Some((name.clone(), model))
}

fn fields(fields: &[Field]) -> BTreeMap<String, FieldModel> {
    fields
        .iter()
        .filter(|f| !f.name.starts_with("__"))
        .map(|f| {
            let model = FieldModel {
                ty: f.field_type.clone(),
                arguments: inputs(&f.arguments),
                deprecated: deprecation(&f.directives),
                description: f.description.clone(),
            };
            (f.name.clone(), model)
        })
        .collect()
}

fn inputs(values: &[InputValue]) -> BTreeMap<String, InputModel> {
    values
        .iter()
        .map(|v| {
            let model = InputModel {
                ty: v.value_type.clone(),
                default: v.default_value.as_ref().map(ToString::to_string),
                deprecated: deprecation(&v.directives),
                description: v.description.clone(),
            };
            (v.name.clone(), model)
        })
        .collect()
}

/// `@deprecated(reason:)` → the reason (the spec's default when none is given).
fn deprecation(directives: &[Directive]) -> Option<String> {
    directives.iter().find(|d| d.name == "deprecated").map(|d| {
        d.arguments
            .iter()
            .find_map(|(name, value)| match (name.as_str(), value) {
                ("reason", Value::String(reason)) => Some(reason.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "No longer supported".to_owned())
    })
}
