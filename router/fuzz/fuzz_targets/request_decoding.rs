//! The HTTP edge's decoding of GraphQL parameters: arbitrary bytes as a POST body, and as the query string of a
//! GET request (once as they are, when they form a URI, and once percent-encoded so any decoded byte is reached).
//! Whatever decodes must survive a round trip through JSON unchanged (floats to within one unit in the last place).

#![no_main]

use libfuzzer_sys::fuzz_target;
use router::http::{GraphQLRequest, query_params};
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = GraphQLRequest::from_json(data) {
        round_trip(&request);
    }
    if let Ok(raw) = std::str::from_utf8(data)
        && let Ok(uri) = format!("/graphql?{raw}").parse::<http::Uri>()
    {
        decode_get(&uri);
    }
    if let Ok(uri) = format!("/graphql?{}", escape(data)).parse::<http::Uri>() {
        decode_get(&uri);
    } else {
        panic!("an escaped query string is a valid URI: {data:?}");
    }
});

fn decode_get(uri: &http::Uri) {
    if let Ok(params) = query_params(uri)
        && let Ok(request) = GraphQLRequest::from_query_params(params)
    {
        round_trip(&request);
    }
}

/// Encodes `request` as a POST body and decodes it again: the result must be the same request.
fn round_trip(request: &GraphQLRequest) {
    let mut body = Map::new();
    if !request.query.is_empty() {
        body.insert("query".to_owned(), Value::String(request.query.clone()));
    }
    if let Some(name) = &request.operation_name {
        body.insert("operationName".to_owned(), Value::String(name.clone()));
    }
    if let Some(variables) = &request.variables {
        body.insert("variables".to_owned(), Value::Object(variables.clone()));
    }
    if let Some(extensions) = &request.extensions {
        body.insert("extensions".to_owned(), Value::Object(extensions.clone()));
    }
    let encoded = serde_json::to_vec(&Value::Object(body)).expect("a JSON value encodes");
    match GraphQLRequest::from_json(&encoded) {
        Ok(again) => assert!(
            again.query == request.query
                && again.operation_name == request.operation_name
                && same_map(again.variables.as_ref(), request.variables.as_ref())
                && same_map(again.extensions.as_ref(), request.extensions.as_ref()),
            "the request changed in a round trip: {request:?} became {again:?}"
        ),
        // An empty query with no persisted-query reference is the only request that is not sent back.
        Err(error) => assert!(
            request.query.is_empty(),
            "a decoded request does not decode again ({error}): {request:?}"
        ),
    }
}

fn same_map(left: Option<&Map<String, Value>>, right: Option<&Map<String, Value>>) -> bool {
    match (left, right) {
        (None, None) => true,
        (Some(left), Some(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .all(|(key, value)| right.get(key).is_some_and(|other| same_value(value, other)))
        }
        _ => false,
    }
}

/// Equal values, except that a float may come back one unit in the last place away: `serde_json`'s default
/// float parsing is not always correctly rounded (its `float_roundtrip` feature is off in this workspace).
fn same_value(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) if left.is_f64() && right.is_f64() => {
            match (left.as_f64(), right.as_f64()) {
                (Some(left), Some(right)) => left.to_bits().abs_diff(right.to_bits()) <= 1,
                _ => false,
            }
        }
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(left, right)| same_value(left, right))
        }
        (Value::Object(left), Value::Object(right)) => same_map(Some(left), Some(right)),
        _ => left == right,
    }
}

/// Percent-encodes every byte a URI's query may not carry as it is; `&`, `=`, `%` and `+` stay, so the input
/// still controls the parameter structure and the escapes.
fn escape(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() * 3);
    for &byte in data {
        if byte.is_ascii_alphanumeric() || b"&=%+-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
