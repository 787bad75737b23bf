use kernel::error_code::ErrorCode;
use serde_json::{Map, Value, json};

use super::coerce_variables;
use crate::operation::RequestError;
use crate::operation::test_schema::{prepare, schema};

fn coerce(operation: &str, variables: Value) -> Result<Map<String, Value>, RequestError> {
    let schema = schema();
    let prepared = prepare(&schema, operation).expect("the test operation is valid");
    let provided = match variables {
        Value::Object(map) => Some(map),
        Value::Null => None,
        other => panic!("variables must be an object, got {other}"),
    };
    coerce_variables(&schema, &prepared, provided)
}

fn message(error: &RequestError) -> String {
    let RequestError::Variables(issues) = error else {
        panic!("not a variables error: {error:?}")
    };
    issues
        .iter()
        .map(|issue| issue.message.as_str())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[test]
fn scalars_of_the_right_type_pass_through() {
    let got = coerce(
        "query($id: ID!, $n: Int, $s: String!, $b: Boolean!) { user(id: $id) { id } users(first: $n) { id } search(text: $s) { __typename } me @include(if: $b) { id } }",
        json!({"id": "u1", "n": 3, "s": "x", "b": true}),
    )
    .expect("valid variables");
    assert_eq!(Value::Object(got), json!({"id": "u1", "n": 3, "s": "x", "b": true}));
}

#[test]
fn missing_required_variable_is_bad_user_input_naming_it() {
    let error = coerce("query($id: ID!) { user(id: $id) { id } }", json!({})).expect_err("required");
    assert_eq!(error.code(), ErrorCode::BadUserInput);
    assert_eq!(
        message(&error),
        "Variable \"$id\" of required type \"ID!\" was not provided."
    );
    let RequestError::Variables(issues) = &error else {
        unreachable!()
    };
    assert_eq!(issues[0].variable, "id");
    assert_eq!(issues[0].location.line, 1);
}

#[test]
fn null_for_a_non_null_variable_is_refused() {
    let error = coerce("query($id: ID!) { user(id: $id) { id } }", json!({"id": null})).expect_err("null");
    assert!(message(&error).contains("must not be null"), "{}", message(&error));
}

#[test]
fn defaults_fill_absent_variables_and_explicit_null_is_kept() {
    let op = "query($n: Int = 7, $role: Role = EDITOR) { users(first: $n, role: $role) { id } }";
    let got = coerce(op, Value::Null).expect("defaults apply");
    assert_eq!(Value::Object(got), json!({"n": 7, "role": "EDITOR"}));
    let got = coerce(op, json!({"n": null})).expect("null is a value");
    assert_eq!(Value::Object(got), json!({"n": null, "role": "EDITOR"}));
}

#[test]
fn optional_variable_without_default_stays_absent() {
    let got = coerce("query($n: Int) { users(first: $n) { id } }", json!({})).expect("optional");
    assert!(got.is_empty());
}

#[test]
fn wrong_scalar_types_are_refused_with_the_reason() {
    let op = "query($n: Int) { users(first: $n) { id } }";
    let error = coerce(op, json!({"n": "three"})).expect_err("string is not an Int");
    assert_eq!(
        message(&error),
        "Variable \"$n\" got invalid value: Int cannot represent non-integer value: \"three\""
    );
    let error = coerce(op, json!({"n": 3_000_000_000_i64})).expect_err("out of range");
    assert!(message(&error).contains("non 32-bit"), "{}", message(&error));
    let error = coerce(op, json!({"n": 1.5})).expect_err("fraction");
    assert!(message(&error).contains("non-integer"), "{}", message(&error));
    assert_eq!(
        coerce(op, json!({"n": 2.0})).expect("integral float").get("n"),
        Some(&json!(2))
    );
    let error = coerce(
        "query($s: String!) { search(text: $s) { __typename } }",
        json!({"s": 5}),
    )
    .expect_err("not a string");
    assert!(
        message(&error).contains("String cannot represent"),
        "{}",
        message(&error)
    );
    let error = coerce("query($b: Boolean!) { me @skip(if: $b) { id } }", json!({"b": "yes"})).expect_err("not a bool");
    assert!(
        message(&error).contains("Boolean cannot represent"),
        "{}",
        message(&error)
    );
}

#[test]
fn id_accepts_strings_and_integers() {
    let op = "query($id: ID!) { user(id: $id) { id } }";
    assert_eq!(
        coerce(op, json!({"id": 42})).expect("int id").get("id"),
        Some(&json!("42"))
    );
    assert!(coerce(op, json!({"id": 4.5})).is_err());
    assert!(coerce(op, json!({"id": true})).is_err());
}

#[test]
fn enum_values_must_exist() {
    let op = "query($role: Role) { users(role: $role) { id } }";
    assert!(coerce(op, json!({"role": "ADMIN"})).is_ok());
    let error = coerce(op, json!({"role": "OWNER"})).expect_err("no such value");
    assert_eq!(
        message(&error),
        "Variable \"$role\" got invalid value: Value \"OWNER\" does not exist in \"Role\" enum."
    );
    assert!(coerce(op, json!({"role": 1})).is_err());
}

#[test]
fn input_objects_are_checked_field_by_field_with_defaults() {
    let op = "mutation($input: PostInput!) { createPost(input: $input) { id } }";
    let got = coerce(op, json!({"input": {"title": "Hello", "tags": "one", "score": 3}})).expect("valid input");
    assert_eq!(
        got.get("input"),
        Some(&json!({"title": "Hello", "tags": ["one"], "draft": true, "score": 3}))
    );
    let error = coerce(op, json!({"input": {"body": "no title"}})).expect_err("title is required");
    assert_eq!(
        message(&error),
        "Variable \"$input\" got invalid value: Field \"title\" of required type \"String!\" was not provided."
    );
    let error = coerce(op, json!({"input": {"title": "t", "colour": "red"}})).expect_err("unknown field");
    assert!(
        message(&error).contains("Field \"colour\" is not defined by type \"PostInput\""),
        "{}",
        message(&error)
    );
    let error = coerce(op, json!({"input": {"title": "t", "tags": ["a", 2]}})).expect_err("wrong item");
    assert_eq!(
        message(&error),
        "Variable \"$input\" got invalid value at \"input.tags[1]\": String cannot represent a non string value: 2"
    );
    let error = coerce(op, json!({"input": "title"})).expect_err("not an object");
    assert!(message(&error).contains("to be an object"), "{}", message(&error));
}

#[test]
fn one_of_inputs_take_exactly_one_non_null_field() {
    let op = "mutation($input: PostInput!) { createPost(input: $input) { id } }";
    assert!(coerce(op, json!({"input": {"title": "t", "filter": {"id": "1"}}})).is_ok());
    let error = coerce(
        op,
        json!({"input": {"title": "t", "filter": {"id": "1", "byName": "x"}}}),
    )
    .expect_err("two");
    assert!(message(&error).contains("Exactly one key"), "{}", message(&error));
    let error = coerce(op, json!({"input": {"title": "t", "filter": {"id": null}}})).expect_err("null");
    assert!(message(&error).contains("must be non-null"), "{}", message(&error));
}

#[test]
fn custom_scalars_pass_unchanged() {
    let op = "mutation($input: PostInput!) { createPost(input: $input) { id } }";
    let got = coerce(op, json!({"input": {"title": "t", "publishAt": {"any": ["json"]}}})).expect("opaque");
    assert_eq!(got["input"]["publishAt"], json!({"any": ["json"]}));
}

#[test]
fn every_refused_variable_is_reported_and_undefined_ones_are_dropped() {
    let op = "query($id: ID!, $n: Int) { user(id: $id) { id } users(first: $n) { id } }";
    let error = coerce(op, json!({"n": "x"})).expect_err("two problems");
    let RequestError::Variables(issues) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        issues.iter().map(|i| i.variable.as_str()).collect::<Vec<_>>(),
        ["id", "n"]
    );
    assert_eq!(error.to_graphql_errors().len(), 2);
    let got = coerce(op, json!({"id": "1", "extra": true})).expect("valid");
    assert!(!got.contains_key("extra"));
}
