//! Variable coercion: the request's `variables` checked and converted against the operation's definitions,
//! following the specification's CoerceVariableValues and input coercion rules.

use graphql_tools::static_graphql::query::{Type, VariableDefinition};
use graphql_tools::static_graphql::schema::{InputObjectType, TypeDefinition};
use serde_json::{Map, Value};

use super::error::{Location, RequestError, VariableIssue};
use super::literal;
use super::prepared::PreparedOperation;
use super::schema::OperationSchema;

/// Largest value shown in an error message; longer ones are cut.
const MAX_SHOWN_VALUE: usize = 80;

/// Coerces the request's variables for `operation`: defaults fill absent variables, required ones must be
/// given, every value must fit its type. Variables the operation does not define are dropped. Every refused
/// variable is reported, each naming the variable (`BAD_USER_INPUT`).
pub fn coerce_variables(
    schema: &OperationSchema,
    operation: &PreparedOperation,
    provided: Option<Map<String, Value>>,
) -> Result<Map<String, Value>, RequestError> {
    let mut provided = provided.unwrap_or_default();
    let mut coerced = Map::new();
    let mut issues = Vec::new();
    let empty = Map::new();
    for definition in operation.variable_definitions() {
        let name = definition.name.as_str();
        let issue = |message: String| VariableIssue {
            variable: name.to_owned(),
            message,
            location: Location::from(definition.position),
        };
        match provided.remove(name) {
            None => match &definition.default_value {
                Some(default) => {
                    coerced.insert(name.to_owned(), literal::to_json(default, &empty));
                }
                None if is_non_null(&definition.var_type) => issues.push(issue(format!(
                    "Variable \"${name}\" of required type \"{}\" was not provided.",
                    definition.var_type
                ))),
                None => {}
            },
            Some(Value::Null) if is_non_null(&definition.var_type) => issues.push(issue(format!(
                "Variable \"${name}\" of non-null type \"{}\" must not be null.",
                definition.var_type
            ))),
            Some(value) => {
                let mut path = Vec::new();
                match coerce(schema, &definition.var_type, value, &mut path) {
                    Ok(value) => {
                        coerced.insert(name.to_owned(), value);
                    }
                    Err(reason) => issues.push(issue(invalid_value_message(definition, &path, &reason))),
                }
            }
        }
    }
    if issues.is_empty() {
        Ok(coerced)
    } else {
        Err(RequestError::Variables(issues))
    }
}

fn invalid_value_message(definition: &VariableDefinition, path: &[PathSegment], reason: &str) -> String {
    let name = definition.name.as_str();
    if path.is_empty() {
        return format!("Variable \"${name}\" got invalid value: {reason}");
    }
    let mut at = name.to_owned();
    for segment in path {
        match segment {
            PathSegment::Field(field) => {
                at.push('.');
                at.push_str(field);
            }
            PathSegment::Index(index) => at.push_str(&format!("[{index}]")),
        }
    }
    format!("Variable \"${name}\" got invalid value at \"{at}\": {reason}")
}

/// Where inside a variable's value a problem is.
enum PathSegment {
    Field(String),
    Index(usize),
}

fn is_non_null(ty: &Type) -> bool {
    matches!(ty, Type::NonNullType(_))
}

/// Coerces `value` to `ty`; on failure, `path` points at the refused part and the reason is returned.
fn coerce(schema: &OperationSchema, ty: &Type, value: Value, path: &mut Vec<PathSegment>) -> Result<Value, String> {
    match ty {
        Type::NonNullType(inner) => {
            if value.is_null() {
                return Err(format!("Expected non-nullable type \"{ty}\" not to be null."));
            }
            coerce(schema, inner, value, path)
        }
        Type::ListType(inner) => match value {
            Value::Null => Ok(Value::Null),
            Value::Array(items) => {
                let mut coerced = Vec::with_capacity(items.len());
                for (index, item) in items.into_iter().enumerate() {
                    path.push(PathSegment::Index(index));
                    coerced.push(coerce(schema, inner, item, path)?);
                    path.pop();
                }
                Ok(Value::Array(coerced))
            }
            // A single value where a list is expected is a list of one.
            single => Ok(Value::Array(vec![coerce(schema, inner, single, path)?])),
        },
        Type::NamedType(name) => {
            if value.is_null() {
                return Ok(Value::Null);
            }
            match schema.type_definition(name) {
                Some(TypeDefinition::Scalar(_)) => coerce_scalar(name, value),
                Some(TypeDefinition::Enum(enumeration)) => match &value {
                    Value::String(text) if enumeration.values.iter().any(|v| v.name == *text) => Ok(value),
                    Value::String(_) => Err(format!("Value {} does not exist in \"{name}\" enum.", shown(&value))),
                    _ => Err(format!(
                        "Enum \"{name}\" cannot represent non-string value: {}.",
                        shown(&value)
                    )),
                },
                Some(TypeDefinition::InputObject(input)) => coerce_input_object(schema, input, value, path),
                Some(_) | None => Err(format!("\"{name}\" is not an input type.")),
            }
        }
    }
}

fn coerce_scalar(name: &str, value: Value) -> Result<Value, String> {
    match name {
        "Int" => {
            let int = match &value {
                Value::Number(number) => number
                    .as_i64()
                    .or_else(|| number.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
                _ => None,
            };
            match int {
                // A float too large for `i64` saturates in the cast and then fails this range check too.
                Some(int) if i32::try_from(int).is_ok() => Ok(Value::from(int)),
                Some(_) => Err(format!(
                    "Int cannot represent non 32-bit signed integer value: {}",
                    shown(&value)
                )),
                None => Err(format!("Int cannot represent non-integer value: {}", shown(&value))),
            }
        }
        "Float" => match value {
            Value::Number(_) => Ok(value),
            _ => Err(format!("Float cannot represent non numeric value: {}", shown(&value))),
        },
        "String" => match value {
            Value::String(_) => Ok(value),
            _ => Err(format!("String cannot represent a non string value: {}", shown(&value))),
        },
        "Boolean" => match value {
            Value::Bool(_) => Ok(value),
            _ => Err(format!(
                "Boolean cannot represent a non boolean value: {}",
                shown(&value)
            )),
        },
        "ID" => match &value {
            Value::String(_) => Ok(value),
            Value::Number(number) if number.is_i64() || number.is_u64() => Ok(Value::String(number.to_string())),
            _ => Err(format!("ID cannot represent value: {}", shown(&value))),
        },
        // Custom scalars are opaque to the router; the subgraph that owns them checks them.
        _ => Ok(value),
    }
}

fn coerce_input_object(
    schema: &OperationSchema,
    input: &InputObjectType,
    value: Value,
    path: &mut Vec<PathSegment>,
) -> Result<Value, String> {
    let name = &input.name;
    let Value::Object(mut given) = value else {
        return Err(format!("Expected type \"{name}\" to be an object."));
    };
    if let Some(unknown) = given
        .keys()
        .find(|key| !input.fields.iter().any(|field| field.name == **key))
    {
        return Err(format!("Field \"{unknown}\" is not defined by type \"{name}\"."));
    }
    let one_of = input.directives.iter().any(|directive| directive.name == "oneOf");
    if one_of {
        if given.len() != 1 {
            return Err(format!("Exactly one key must be specified for OneOf type \"{name}\"."));
        }
        if let Some((key, Value::Null)) = given.iter().next() {
            return Err(format!("Field \"{key}\" must be non-null."));
        }
    }
    let empty = Map::new();
    let mut coerced = Map::with_capacity(input.fields.len());
    for field in &input.fields {
        match given.remove(&field.name) {
            Some(value) => {
                path.push(PathSegment::Field(field.name.clone()));
                let value = coerce(schema, &field.value_type, value, path)?;
                path.pop();
                coerced.insert(field.name.clone(), value);
            }
            None => match &field.default_value {
                Some(default) => {
                    coerced.insert(field.name.clone(), literal::to_json(default, &empty));
                }
                None if is_non_null(&field.value_type) => {
                    return Err(format!(
                        "Field \"{}\" of required type \"{}\" was not provided.",
                        field.name, field.value_type
                    ));
                }
                None => {}
            },
        }
    }
    Ok(Value::Object(coerced))
}

/// `value` as JSON for a message, cut to a readable length.
fn shown(value: &Value) -> String {
    let mut text = value.to_string();
    if text.len() > MAX_SHOWN_VALUE {
        let mut end = MAX_SHOWN_VALUE;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests;
