//! `MinorUnits`: a 64-bit count of a currency's minor units, carried as a string because GraphQL's `Int` is 32-bit
//! and JSON numbers lose precision past 2^53 in many clients.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

use crate::domain::InvalidInput;
use crate::domain::money::parse_minor_units;

/// A whole number of minor units (cents for EUR, yen for JPY), as a string of decimal digits with an optional
/// leading `-`, e.g. `"1299"`. Inputs may also be given as an Int.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinorUnits(String);

impl MinorUnits {
    /// The amount `minor`, for output.
    pub fn of(minor: i64) -> Self {
        Self(minor.to_string())
    }

    /// The amount the client sent; anything but a whole 64-bit number is refused with BAD_USER_INPUT.
    pub fn value(&self) -> Result<i64, InvalidInput> {
        parse_minor_units(&self.0)
    }
}

/// A whole number of minor units (cents for EUR, yen for JPY) as a string of decimal digits, e.g. "1299";
/// 64-bit safe. Inputs may also be given as an Int.
#[Scalar(name = "MinorUnits")]
impl ScalarType for MinorUnits {
    fn parse(value: Value) -> InputValueResult<Self> {
        // The text is checked by the resolver, so a bad amount is refused with BAD_USER_INPUT like any other.
        match value {
            Value::String(text) => Ok(Self(text)),
            Value::Number(number) => Ok(Self(number.to_string())),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}
