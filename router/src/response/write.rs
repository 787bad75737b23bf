//! Writes the client's response straight into an output buffer: projects the merged data onto the compiled
//! selection, coerces leaves, and propagates nulls by the schema's nullability. A nullable position remembers
//! where its value started in the buffer, so a null bubbling up from below truncates back to it and writes `null`.

use std::sync::Arc;

use super::value::{Map, Value};
use kernel::error_code::ErrorCode;

use super::error::{GraphQLError, PathElement};
use super::json;
use super::projection::{FieldKind, Guard, LeafKind, ProjectedField, Projection, SelectionPlan};

/// A null reached a non-null position and must null the nearest nullable parent.
struct Bubble;

/// One step of the path being written, borrowed from the projection.
#[derive(Clone, Copy)]
enum Step<'p> {
    Key(&'p Arc<str>),
    Index(usize),
}

struct Writer<'a, 'o> {
    out: &'o mut Vec<u8>,
    variables: Option<&'a serde_json::Map<String, serde_json::Value>>,
    defaults: &'a [(Arc<str>, bool)],
    path: Vec<Step<'a>>,
    /// Errors already known (from the executor); a null they explain gets no error of its own.
    known_errors: &'a [GraphQLError],
    new_errors: Vec<GraphQLError>,
}

impl Projection {
    /// Writes `{"data":…,"errors":[…]}` for `data` (the merged subgraph data) into `out`. `errors` are the
    /// executor's errors; errors found while shaping are appended after them. `variables` are the request's
    /// coerced variables, read by `@skip`/`@include`.
    pub fn write_response(
        &self,
        data: &Value,
        errors: &[GraphQLError],
        variables: Option<&serde_json::Map<String, serde_json::Value>>,
        out: &mut Vec<u8>,
    ) {
        let empty = Map::new();
        let root = data.as_object().unwrap_or(&empty);
        let mut writer = Writer {
            out,
            variables,
            defaults: &self.defaults,
            path: Vec::with_capacity(16),
            known_errors: errors,
            new_errors: Vec::new(),
        };
        writer.out.extend_from_slice(b"{\"data\":");
        let data_start = writer.out.len();
        if writer.object(&self.root, root).is_err() {
            writer.out.truncate(data_start);
            writer.out.extend_from_slice(b"null");
        }
        let Writer { out, new_errors, .. } = writer;
        if !errors.is_empty() || !new_errors.is_empty() {
            out.extend_from_slice(b",\"errors\":[");
            for (index, error) in errors.iter().chain(&new_errors).enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                error.write_json(out);
            }
            out.push(b']');
        }
        out.push(b'}');
    }
}

impl<'a> Writer<'a, '_> {
    fn object(&mut self, plan: &'a SelectionPlan, object: &'a Map) -> Result<(), Bubble> {
        let type_name = object.get("__typename").and_then(Value::as_str);
        self.out.push(b'{');
        let mut first = true;
        for field in plan.fields_for(type_name) {
            if field.omitted || !self.kept(field) {
                continue;
            }
            if !first {
                self.out.push(b',');
            }
            first = false;
            self.out.extend_from_slice(&field.key_json);
            self.path.push(Step::Key(&field.key));
            let result = match &field.kind {
                FieldKind::Typename(fallback) => {
                    json::write_str(self.out, type_name.unwrap_or(fallback));
                    Ok(())
                }
                _ => self.value(field, object.get(&field.key), 0),
            };
            self.path.pop();
            result?;
        }
        self.out.push(b'}');
        Ok(())
    }

    /// Writes `value` at wrapping level `level` of `field`; a failure at a nullable level becomes `null` here.
    fn value(&mut self, field: &'a ProjectedField, value: Option<&'a Value>, level: u8) -> Result<(), Bubble> {
        let non_null = field.wrapping.is_non_null(level);
        let start = self.out.len();
        let result = match value {
            None | Some(Value::Null) => {
                if non_null {
                    self.null_in_non_null(field);
                }
                Err(Bubble)
            }
            Some(value) if level < field.wrapping.list_depth => match value {
                Value::Array(items) => self.list(field, items, level),
                _ => Err(self.invalid(field, "a list")),
            },
            Some(value) => self.named(field, value),
        };
        match result {
            Ok(()) => Ok(()),
            Err(bubble) if non_null => Err(bubble),
            Err(_) => {
                self.out.truncate(start);
                self.out.extend_from_slice(b"null");
                Ok(())
            }
        }
    }

    fn list(&mut self, field: &'a ProjectedField, items: &'a [Value], level: u8) -> Result<(), Bubble> {
        self.out.push(b'[');
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.out.push(b',');
            }
            self.path.push(Step::Index(index));
            let result = self.value(field, Some(item), level + 1);
            self.path.pop();
            result?;
        }
        self.out.push(b']');
        Ok(())
    }

    fn named(&mut self, field: &'a ProjectedField, value: &'a Value) -> Result<(), Bubble> {
        match &field.kind {
            FieldKind::Composite(plan) => match value {
                Value::Object(object) => self.object(plan, object),
                _ => Err(self.invalid(field, "an object")),
            },
            FieldKind::Leaf(leaf) => self.leaf(field, leaf, value),
            FieldKind::Raw => {
                value.write_json(self.out);
                Ok(())
            }
            FieldKind::Typename(fallback) => {
                json::write_str(self.out, value.as_str().unwrap_or(fallback));
                Ok(())
            }
        }
    }

    fn leaf(&mut self, field: &'a ProjectedField, leaf: &LeafKind, value: &'a Value) -> Result<(), Bubble> {
        match (leaf, value) {
            (LeafKind::Custom, value) => value.write_json(self.out),
            (LeafKind::String, Value::String(text)) => json::write_str(self.out, text),
            (LeafKind::Boolean, Value::Bool(flag)) => {
                self.out.extend_from_slice(if *flag { b"true" } else { b"false" })
            }
            (LeafKind::Float, Value::Number(number)) => json::write_number(self.out, number),
            (LeafKind::Int, Value::Number(number)) => match as_i32(number) {
                Some(int) => json::write_display(self.out, int),
                None => return Err(self.invalid(field, "an Int (a 32-bit integer)")),
            },
            (LeafKind::Id, Value::String(text)) => json::write_str(self.out, text),
            (LeafKind::Id, Value::Number(number)) if number.is_i64() || number.is_u64() => {
                self.out.push(b'"');
                json::write_number(self.out, number);
                self.out.push(b'"');
            }
            (LeafKind::Enum(values), Value::String(text)) if values.is_empty() || values.contains(text.as_str()) => {
                json::write_str(self.out, text)
            }
            (LeafKind::Enum(_), _) => return Err(self.invalid(field, "a value of the enum")),
            (LeafKind::Int, _) => return Err(self.invalid(field, "an Int")),
            (LeafKind::Float, _) => return Err(self.invalid(field, "a Float")),
            (LeafKind::String, _) => return Err(self.invalid(field, "a String")),
            (LeafKind::Boolean, _) => return Err(self.invalid(field, "a Boolean")),
            (LeafKind::Id, _) => return Err(self.invalid(field, "an ID")),
        }
        Ok(())
    }

    fn kept(&self, field: &ProjectedField) -> bool {
        match &field.guards {
            None => true,
            Some(alternatives) => alternatives
                .iter()
                .any(|guards| guards.iter().all(|guard| self.variable(guard) == guard.kept_when)),
        }
    }

    fn variable(&self, guard: &Guard) -> bool {
        let given = self
            .variables
            .and_then(|variables| variables.get(&*guard.variable))
            .and_then(serde_json::Value::as_bool);
        given
            .or_else(|| {
                self.defaults
                    .iter()
                    .find(|(name, _)| *name == guard.variable)
                    .map(|(_, value)| *value)
            })
            .unwrap_or(false)
    }

    fn current_path(&self) -> Vec<PathElement> {
        self.path
            .iter()
            .map(|step| match step {
                Step::Key(key) => PathElement::Key(Arc::clone(key)),
                Step::Index(index) => PathElement::Index(*index),
            })
            .collect()
    }

    /// A subgraph value that does not fit the schema: recorded, and nulled like a null.
    fn invalid(&mut self, field: &ProjectedField, expected: &str) -> Bubble {
        let message = format!("Invalid value for field {}: expected {expected}.", field.coordinate);
        let error = GraphQLError::new(message, ErrorCode::SubgraphRequestFailed).with_path(self.current_path());
        self.new_errors.push(error);
        Bubble
    }

    /// A null in a non-null position gets an error unless an existing error already explains it.
    fn null_in_non_null(&mut self, field: &ProjectedField) {
        let path = self.current_path();
        if self
            .known_errors
            .iter()
            .chain(&self.new_errors)
            .any(|error| error.covers(&path))
        {
            return;
        }
        let message = format!("Cannot return null for non-nullable field {}.", field.coordinate);
        self.new_errors
            .push(GraphQLError::new(message, ErrorCode::SubgraphRequestFailed).with_path(path));
    }
}

/// An Int per the spec's result coercion: an integral number within 32 bits.
fn as_i32(number: &serde_json::Number) -> Option<i32> {
    if let Some(int) = number.as_i64() {
        return i32::try_from(int).ok();
    }
    let float = number.as_f64()?;
    let in_range = float >= f64::from(i32::MIN) && float <= f64::from(i32::MAX);
    // Truncation is exact here: the value is integral and within range.
    (float.fract() == 0.0 && in_range).then_some(float as i32)
}
