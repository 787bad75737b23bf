//! Response shaping of arbitrary merged subgraph data: a fixed set of operations against the supergraph is
//! validated, planned and projected once, as the pipeline does; each input picks one, its variables and the
//! executor's errors, and the data to shape: the rest of the input as JSON when it is JSON (a subgraph-style
//! `{"data":…,"errors":[…]}` object is split into both), otherwise a value built from the bytes with the
//! operation's own field and type names. The response must be a JSON object whose first key is `data` and whose
//! errors include the executor's.

#![no_main]

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use router::operation::{PreparedOperation, coerce_variables};
use router::response::{GraphQLError, PathElement, Projection};
use router_fuzz::fixture;
use router::response::value::Value as ExecutorValue;
use serde_json::{Map, Number, Value};

/// The operations shaped: lists, nesting, aliases, fragments, `@skip`/`@include`, `__typename`, enums, custom
/// scalars and a mutation.
const OPERATIONS: &[&str] = &[
    include_str!("../operations/me.graphql"),
    include_str!("../operations/posts.graphql"),
    include_str!("../operations/guarded.graphql"),
    include_str!("../operations/billing.graphql"),
    include_str!("../operations/audit.graphql"),
    include_str!("../operations/mutation.graphql"),
];

/// Type names the data's `__typename`s may carry besides those the operations name.
const TYPE_NAMES: &[&str] = &[
    "Query", "Mutation", "User", "Post", "Comment", "Invoice", "Plan", "Money", "Role",
];

struct Shaped {
    operation: PreparedOperation,
    projection: Projection,
}

struct Operations {
    shaped: Vec<Shaped>,
    /// Identifiers of the operations and type names: the keys and strings structured data is made of.
    words: Vec<String>,
}

fn operations() -> &'static Operations {
    static OPERATIONS_BUILT: OnceLock<Operations> = OnceLock::new();
    OPERATIONS_BUILT.get_or_init(|| {
        let fixture = fixture();
        let shaped = OPERATIONS
            .iter()
            .map(|text| {
                let operation = fixture.prepare(text, None).expect("the operation is valid");
                let planned = fixture
                    .runtime
                    .block_on(fixture.planner.plan(operation.document(), operation.name()))
                    .expect("the operation plans");
                let projection =
                    Projection::build(&fixture.index, planned.operation()).expect("the operation projects");
                Shaped { operation, projection }
            })
            .collect();
        let mut words: BTreeSet<String> = TYPE_NAMES.iter().map(|name| (*name).to_owned()).collect();
        for text in OPERATIONS {
            words.extend(
                text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .filter(|word| word.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_'))
                    .map(str::to_owned),
            );
        }
        Operations {
            shaped,
            words: words.into_iter().collect(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let operations = operations();
    // The first byte picks the operation, the second its variables; the rest is the data.
    let [selector, flags, rest @ ..] = data else {
        return;
    };
    let shaped = &operations.shaped[usize::from(*selector) % operations.shaped.len()];
    let mut provided = Map::new();
    provided.insert("withBody".to_owned(), Value::Bool(flags & 1 != 0));
    if flags & 2 != 0 {
        provided.insert("skipTags".to_owned(), Value::Bool(flags & 4 != 0));
    }
    provided.insert("id".to_owned(), Value::String("1".to_owned()));
    let Ok(variables) = coerce_variables(&fixture().schema, &shaped.operation, Some(provided)) else {
        return;
    };
    // The router's own value type must read any JSON exactly as serde_json does (a repeated key keeps its last
    // value in both).
    let parsed = serde_json::from_slice::<Value>(rest);
    if let Ok(theirs) = &parsed {
        let ours: ExecutorValue = serde_json::from_slice(rest).expect("serde_json read it, so must ours");
        assert!(ours == *theirs, "the two readings differ");
    }
    let (data, errors) = match parsed {
        Ok(Value::Object(mut response)) if response.contains_key("data") => {
            let errors = response.remove("errors").map(errors_from_json).unwrap_or_default();
            (response.remove("data").unwrap_or(Value::Null), errors)
        }
        Ok(value) => (value, Vec::new()),
        Err(_) => {
            let mut structured = Unstructured::new(rest);
            let Ok(generated) = Generated::build(&mut structured, &operations.words) else {
                return;
            };
            (generated.data, generated.errors)
        }
    };
    let mut out = Vec::new();
    shaped
        .projection
        .write_response(&ExecutorValue::from(data.clone()), &errors, Some(&variables), &mut out);
    let response = match serde_json::from_slice::<Value>(&out) {
        Ok(Value::Object(response)) => response,
        Ok(other) => panic!("the response is not an object: {other}"),
        Err(error) => panic!("the response is not JSON ({error}): {}", String::from_utf8_lossy(&out)),
    };
    assert!(out.starts_with(b"{\"data\":"), "data comes first");
    assert!(matches!(response.get("data"), Some(Value::Object(_) | Value::Null)));
    let written_errors = response.get("errors").and_then(Value::as_array).map_or(0, Vec::len);
    assert!(written_errors >= errors.len(), "the executor's errors are kept");
});

/// Executor errors from a subgraph-style `errors` array; entries that are not error objects are skipped.
fn errors_from_json(errors: Value) -> Vec<GraphQLError> {
    let Value::Array(errors) = errors else {
        return Vec::new();
    };
    errors
        .into_iter()
        .filter_map(|error| {
            let Value::Object(mut error) = error else {
                return None;
            };
            let message = error.get("message")?.as_str()?.to_owned();
            let path = error.get("path").and_then(Value::as_array).map(|path| {
                path.iter()
                    .filter_map(|element| match element {
                        Value::String(key) => Some(PathElement::Key(Arc::from(key.as_str()))),
                        Value::Number(number) => number
                            .as_u64()
                            .and_then(|index| usize::try_from(index).ok())
                            .map(PathElement::Index),
                        _ => None,
                    })
                    .collect()
            });
            let extensions = match error.remove("extensions") {
                Some(Value::Object(extensions)) => extensions,
                _ => Map::new(),
            };
            Some(GraphQLError {
                message,
                path,
                code: Cow::Borrowed("SUBGRAPH_REQUEST_FAILED"),
                service_name: Some(Arc::from("blog")),
                extensions: extensions
                    .into_iter()
                    .filter(|(key, _)| key != "code" && key != "serviceName")
                    .collect(),
            })
        })
        .collect()
}

/// Merged data and executor errors built from bytes that are not JSON.
struct Generated {
    data: Value,
    errors: Vec<GraphQLError>,
}

impl Generated {
    fn build(input: &mut Unstructured<'_>, words: &[String]) -> Result<Self> {
        let error_count = input.int_in_range(0..=2)?;
        let mut errors = Vec::with_capacity(error_count);
        for _ in 0..error_count {
            let path = if input.arbitrary()? {
                let length = input.int_in_range(0..=5)?;
                let mut path = Vec::with_capacity(length);
                for _ in 0..length {
                    path.push(if input.arbitrary()? {
                        PathElement::Index(input.int_in_range(0..=3)?)
                    } else {
                        PathElement::Key(Arc::from(input.choose(words)?.as_str()))
                    });
                }
                Some(path)
            } else {
                None
            };
            errors.push(GraphQLError {
                message: input.arbitrary()?,
                path,
                code: Cow::Borrowed("SUBGRAPH_REQUEST_FAILED"),
                service_name: None,
                extensions: Map::new(),
            });
        }
        let data = object(input, words, 6)?;
        Ok(Self { data, errors })
    }
}

fn object(input: &mut Unstructured<'_>, words: &[String], depth: u8) -> Result<Value> {
    let length = input.int_in_range(0..=8)?;
    let mut object = Map::new();
    for _ in 0..length {
        let key = if input.ratio(1, 8)? {
            "__typename".to_owned()
        } else if input.ratio(1, 16)? {
            input.arbitrary()?
        } else {
            input.choose(words)?.clone()
        };
        let value = if key == "__typename" && input.ratio(3, 4)? {
            Value::String(input.choose(words)?.clone())
        } else {
            value(input, words, depth)?
        };
        object.insert(key, value);
    }
    Ok(Value::Object(object))
}

fn value(input: &mut Unstructured<'_>, words: &[String], depth: u8) -> Result<Value> {
    let last = if depth == 0 { 5 } else { 7 };
    Ok(match input.int_in_range(0..=last)? {
        0 => Value::Null,
        1 => Value::Bool(input.arbitrary()?),
        2 => Value::Number(Number::from(input.arbitrary::<i64>()?)),
        3 => Number::from_f64(input.arbitrary()?).map_or(Value::Null, Value::Number),
        4 => Value::String(input.choose(words)?.clone()),
        5 => Value::String(input.arbitrary()?),
        6 => {
            let length = input.int_in_range(0..=4)?;
            let mut items = Vec::with_capacity(length);
            for _ in 0..length {
                items.push(value(input, words, depth - 1)?);
            }
            Value::Array(items)
        }
        _ => object(input, words, depth - 1)?,
    })
}
