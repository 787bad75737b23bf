//! GraphQL literals (default values, arguments) as JSON values.

use graphql_tools::static_graphql::query::Value as Literal;
use serde_json::{Map, Number, Value};

/// The JSON form of `literal`; variables are looked up in `variables` (absent ones read as null).
pub(crate) fn to_json(literal: &Literal, variables: &Map<String, Value>) -> Value {
    match literal {
        Literal::Variable(name) => variables.get(name.as_str()).cloned().unwrap_or(Value::Null),
        Literal::Int(number) => number.as_i64().map_or(Value::Null, Value::from),
        Literal::Float(float) => Number::from_f64(*float).map_or(Value::Null, Value::Number),
        Literal::String(text) => Value::String(text.clone()),
        Literal::Boolean(flag) => Value::Bool(*flag),
        Literal::Null => Value::Null,
        Literal::Enum(name) => Value::String(name.clone()),
        Literal::List(items) => Value::Array(items.iter().map(|item| to_json(item, variables)).collect()),
        Literal::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, value)| (name.clone(), to_json(value, variables)))
                .collect(),
        ),
    }
}
