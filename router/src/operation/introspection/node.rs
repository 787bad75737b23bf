//! The introspection objects (`__Schema`, `__Type`, `__Field`, …) over the schema document, and their fields.

use graphql_tools::static_graphql::schema::{
    Directive, DirectiveDefinition, EnumValue, Field, InputValue, Type, TypeDefinition, Value,
};

use crate::operation::schema::OperationSchema;

/// What `@deprecated` reports when it is given no reason.
const DEFAULT_DEPRECATION_REASON: &str = "No longer supported";

/// One introspection object.
#[derive(Clone, Copy)]
pub(super) enum Node<'s> {
    Schema,
    Type(TypeRef<'s>),
    Field(&'s Field),
    InputValue(&'s InputValue),
    EnumValue(&'s EnumValue),
    Directive(&'s DirectiveDefinition),
}

/// A `__Type`: a named type, or a list or non-null wrapper around the type it holds.
#[derive(Clone, Copy)]
pub(super) enum TypeRef<'s> {
    Named(&'s TypeDefinition),
    List(&'s Type),
    NonNull(&'s Type),
}

impl<'s> TypeRef<'s> {
    /// The `__Type` of a type reference in the schema; `None` if it names an unknown type.
    pub(super) fn of(schema: &'s OperationSchema, ty: &'s Type) -> Option<Self> {
        match ty {
            Type::NamedType(name) => schema.type_definition(name).map(Self::Named),
            Type::ListType(inner) => Some(Self::List(inner)),
            Type::NonNullType(inner) => Some(Self::NonNull(inner)),
        }
    }
}

/// The value of one field of an introspection object.
pub(super) enum Resolved<'s> {
    Null,
    Bool(bool),
    Str(&'s str),
    Owned(String),
    Node(Node<'s>),
    Nodes(Vec<Node<'s>>),
    Names(Vec<&'static str>),
}

impl<'s> Node<'s> {
    /// The object's `__typename`.
    pub(super) fn typename(&self) -> &'static str {
        match self {
            Self::Schema => "__Schema",
            Self::Type(_) => "__Type",
            Self::Field(_) => "__Field",
            Self::InputValue(_) => "__InputValue",
            Self::EnumValue(_) => "__EnumValue",
            Self::Directive(_) => "__Directive",
        }
    }

    /// The object's field `name`; `include_deprecated` is the field's `includeDeprecated` argument.
    pub(super) fn resolve(&self, schema: &'s OperationSchema, name: &str, include_deprecated: bool) -> Resolved<'s> {
        match *self {
            Self::Schema => schema_field(schema, name),
            Self::Type(TypeRef::Named(definition)) => named_type_field(schema, definition, name, include_deprecated),
            Self::Type(TypeRef::List(inner)) => wrapper_field(schema, "LIST", inner, name),
            Self::Type(TypeRef::NonNull(inner)) => wrapper_field(schema, "NON_NULL", inner, name),
            Self::Field(field) => match name {
                "name" => Resolved::Str(&field.name),
                "description" => description(&field.description),
                "args" => Resolved::Nodes(input_values(&field.arguments, include_deprecated)),
                "type" => type_of(schema, &field.field_type),
                _ => deprecation_field(&field.directives, name),
            },
            Self::InputValue(value) => match name {
                "name" => Resolved::Str(&value.name),
                "description" => description(&value.description),
                "type" => type_of(schema, &value.value_type),
                "defaultValue" => value
                    .default_value
                    .as_ref()
                    .map_or(Resolved::Null, |v| Resolved::Owned(v.to_string())),
                _ => deprecation_field(&value.directives, name),
            },
            Self::EnumValue(value) => match name {
                "name" => Resolved::Str(&value.name),
                "description" => description(&value.description),
                _ => deprecation_field(&value.directives, name),
            },
            Self::Directive(directive) => match name {
                "name" => Resolved::Str(&directive.name),
                "description" => description(&directive.description),
                "locations" => Resolved::Names(directive.locations.iter().map(|location| location.as_str()).collect()),
                "args" => Resolved::Nodes(input_values(&directive.arguments, include_deprecated)),
                "isRepeatable" => Resolved::Bool(directive.repeatable),
                _ => Resolved::Null,
            },
        }
    }
}

fn schema_field<'s>(schema: &'s OperationSchema, name: &str) -> Resolved<'s> {
    let root = |name: Option<&str>| match name.and_then(|name| schema.type_definition(name)) {
        Some(definition) => Resolved::Node(Node::Type(TypeRef::Named(definition))),
        None => Resolved::Null,
    };
    match name {
        "types" => Resolved::Nodes(
            schema
                .type_definitions()
                .map(|t| Node::Type(TypeRef::Named(t)))
                .collect(),
        ),
        "queryType" => root(Some(schema.query_type())),
        "mutationType" => root(schema.mutation_type()),
        "subscriptionType" => root(schema.subscription_type()),
        "directives" => Resolved::Nodes(schema.directives().map(Node::Directive).collect()),
        // The schema document keeps no description of the schema itself.
        _ => Resolved::Null,
    }
}

fn named_type_field<'s>(
    schema: &'s OperationSchema,
    definition: &'s TypeDefinition,
    name: &str,
    include_deprecated: bool,
) -> Resolved<'s> {
    let named = |names: &'s [String]| {
        Resolved::Nodes(
            names
                .iter()
                .filter_map(|name| schema.type_definition(name))
                .map(|t| Node::Type(TypeRef::Named(t)))
                .collect(),
        )
    };
    match (name, definition) {
        ("kind", _) => Resolved::Str(kind(definition)),
        ("name", _) => Resolved::Str(definition.name()),
        ("description", _) => description(type_description(definition)),
        ("specifiedByURL", TypeDefinition::Scalar(scalar)) => {
            match argument(&scalar.directives, "specifiedBy", "url") {
                Some(Value::String(url)) => Resolved::Str(url),
                _ => Resolved::Null,
            }
        }
        ("fields", TypeDefinition::Object(object)) => fields(&object.fields, include_deprecated),
        ("fields", TypeDefinition::Interface(interface)) => fields(&interface.fields, include_deprecated),
        ("interfaces", TypeDefinition::Object(object)) => named(&object.implements_interfaces),
        ("interfaces", TypeDefinition::Interface(interface)) => named(&interface.implements_interfaces),
        ("possibleTypes", TypeDefinition::Interface(_) | TypeDefinition::Union(_)) => {
            named(schema.possible_types(definition.name()))
        }
        ("enumValues", TypeDefinition::Enum(enumeration)) => Resolved::Nodes(
            enumeration
                .values
                .iter()
                .filter(|value| include_deprecated || deprecation(&value.directives).is_none())
                .map(Node::EnumValue)
                .collect(),
        ),
        ("inputFields", TypeDefinition::InputObject(input)) => {
            Resolved::Nodes(input_values(&input.fields, include_deprecated))
        }
        ("isOneOf", TypeDefinition::InputObject(input)) => {
            Resolved::Bool(input.directives.iter().any(|directive| directive.name == "oneOf"))
        }
        _ => Resolved::Null,
    }
}

fn wrapper_field<'s>(schema: &'s OperationSchema, kind: &'static str, inner: &'s Type, name: &str) -> Resolved<'s> {
    match name {
        "kind" => Resolved::Str(kind),
        "ofType" => type_of(schema, inner),
        _ => Resolved::Null,
    }
}

fn kind(definition: &TypeDefinition) -> &'static str {
    match definition {
        TypeDefinition::Scalar(_) => "SCALAR",
        TypeDefinition::Object(_) => "OBJECT",
        TypeDefinition::Interface(_) => "INTERFACE",
        TypeDefinition::Union(_) => "UNION",
        TypeDefinition::Enum(_) => "ENUM",
        TypeDefinition::InputObject(_) => "INPUT_OBJECT",
    }
}

fn type_description(definition: &TypeDefinition) -> &Option<String> {
    match definition {
        TypeDefinition::Scalar(t) => &t.description,
        TypeDefinition::Object(t) => &t.description,
        TypeDefinition::Interface(t) => &t.description,
        TypeDefinition::Union(t) => &t.description,
        TypeDefinition::Enum(t) => &t.description,
        TypeDefinition::InputObject(t) => &t.description,
    }
}

fn type_of<'s>(schema: &'s OperationSchema, ty: &'s Type) -> Resolved<'s> {
    TypeRef::of(schema, ty).map_or(Resolved::Null, |t| Resolved::Node(Node::Type(t)))
}

fn description(description: &Option<String>) -> Resolved<'_> {
    description.as_deref().map_or(Resolved::Null, Resolved::Str)
}

/// An object's fields as introspection lists them: without the `__` meta-fields.
fn fields(fields: &[Field], include_deprecated: bool) -> Resolved<'_> {
    Resolved::Nodes(
        fields
            .iter()
            .filter(|field| !field.name.starts_with("__"))
            .filter(|field| include_deprecated || deprecation(&field.directives).is_none())
            .map(Node::Field)
            .collect(),
    )
}

fn input_values(values: &[InputValue], include_deprecated: bool) -> Vec<Node<'_>> {
    values
        .iter()
        .filter(|value| include_deprecated || deprecation(&value.directives).is_none())
        .map(Node::InputValue)
        .collect()
}

fn deprecation_field<'s>(directives: &'s [Directive], name: &str) -> Resolved<'s> {
    match name {
        "isDeprecated" => Resolved::Bool(deprecation(directives).is_some()),
        "deprecationReason" => deprecation(directives).map_or(Resolved::Null, Resolved::Str),
        _ => Resolved::Null,
    }
}

/// The deprecation reason when `@deprecated` is present.
fn deprecation(directives: &[Directive]) -> Option<&str> {
    directives.iter().find(|directive| directive.name == "deprecated")?;
    match argument(directives, "deprecated", "reason") {
        Some(Value::String(reason)) => Some(reason),
        _ => Some(DEFAULT_DEPRECATION_REASON),
    }
}

fn argument<'s>(directives: &'s [Directive], directive: &str, name: &str) -> Option<&'s Value> {
    let directive = directives.iter().find(|d| d.name == directive)?;
    directive
        .arguments
        .iter()
        .find(|(argument, _)| argument == name)
        .map(|(_, value)| value)
}
