//! Response shaping driven end to end: a normalized operation, merged data in; the client's JSON out.

use kernel::error_code::ErrorCode;
use serde_json::{Map, Value, json};

use super::test_schema::{normalized, schema_index};
use super::{GraphQLError, PathElement, Projection};

fn shape_text(operation: &str, data: Value, errors: &[GraphQLError], variables: Option<Value>) -> String {
    let schema = schema_index();
    let projection = Projection::build(&schema, &normalized(operation)).expect("the operation projects");
    let variables: Option<Map<String, Value>> = variables.map(|v| serde_json::from_value(v).expect("an object"));
    let mut out = Vec::new();
    projection.write_response(&data.into(), errors, variables.as_ref(), &mut out);
    String::from_utf8(out).expect("UTF-8 output")
}

fn shape(operation: &str, data: Value) -> Value {
    let text = shape_text(operation, data, &[], None);
    serde_json::from_str(&text).expect("the output is valid JSON")
}

fn codes_and_paths(response: &Value) -> Vec<(String, Value)> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["extensions"]["code"].as_str().unwrap_or_default().to_owned(),
                        e["path"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn aliases_and_typename_are_projected_in_selection_order_and_extras_dropped() {
    let text = shape_text(
        "{ me { handle: name id __typename } }",
        json!({"me": {"__typename": "User", "id": "1", "handle": "Ann", "name": "Ann", "age": 3, "_internal": {"x": 1}}}),
        &[],
        None,
    );
    assert_eq!(text, r#"{"data":{"me":{"handle":"Ann","id":"1","__typename":"User"}}}"#);
}

#[test]
fn typename_falls_back_to_the_static_type_and_the_root_type() {
    let response = shape("{ __typename me { __typename name } }", json!({"me": {"name": "Ann"}}));
    assert_eq!(
        response,
        json!({"data": {"__typename": "Query", "me": {"__typename": "User", "name": "Ann"}}})
    );
}

#[test]
fn fragments_on_an_interface_apply_by_typename() {
    let response = shape(
        "{ products { id ... on Book { pages } ... on Movie { minutes } __typename } }",
        json!({"products": [
            {"__typename": "Book", "id": "b1", "pages": 100, "minutes": 999},
            {"__typename": "Movie", "id": "m1", "minutes": 90, "pages": 999},
            null
        ]}),
    );
    assert_eq!(
        response,
        json!({"data": {"products": [
            {"id": "b1", "pages": 100, "__typename": "Book"},
            {"id": "m1", "minutes": 90, "__typename": "Movie"},
            null
        ]}})
    );
}

#[test]
fn named_fragments_on_interfaces_and_unions_are_applied() {
    let operation = r#"
        query { products { ...P } search(text: "x") { ...S } }
        fragment P on Product { title ... on Book { pages } }
        fragment S on SearchResult { ... on Movie { title minutes } ... on Product { id } }
    "#;
    let response = shape(
        operation,
        json!({
            "products": [{"__typename": "Book", "title": "T", "pages": 3}, {"__typename": "Movie", "title": "M"}],
            "search": [{"__typename": "Book", "id": "b"}, {"__typename": "Movie", "id": "m", "title": "M", "minutes": 5}]
        }),
    );
    assert_eq!(
        response,
        json!({"data": {
            "products": [{"title": "T", "pages": 3}, {"title": "M"}],
            "search": [{"id": "b"}, {"title": "M", "minutes": 5, "id": "m"}]
        }})
    );
}

#[test]
fn a_null_in_a_non_null_list_item_nulls_up_to_data() {
    let response = shape(
        "{ users { id name } }",
        json!({"users": [{"id": "1", "name": "A"}, {"id": "2", "name": null}]}),
    );
    assert_eq!(response["data"], Value::Null);
    assert_eq!(
        codes_and_paths(&response),
        [("SUBGRAPH_REQUEST_FAILED".to_owned(), json!(["users", 1, "name"]))]
    );
}

#[test]
fn a_null_stops_at_the_nearest_nullable_parent() {
    let response = shape(
        "{ me { id reviews { body stars } } }",
        json!({"me": {"id": "1", "reviews": [{"body": "ok", "stars": 5}, {"body": null, "stars": 1}]}}),
    );
    assert_eq!(response["data"], json!({"me": {"id": "1", "reviews": null}}));
    assert_eq!(codes_and_paths(&response)[0].1, json!(["me", "reviews", 1, "body"]));

    let response = shape("{ me { id name } }", json!({"me": {"id": "1"}}));
    assert_eq!(response["data"], json!({"me": null}));
}

#[test]
fn a_null_deep_in_nested_non_null_objects_reaches_data() {
    let response = shape(
        "{ top { reviews { author { name } } } }",
        json!({"top": {"reviews": [{"author": {"name": "A"}}, {"author": {"name": null}}]}}),
    );
    assert_eq!(response["data"], Value::Null);
    assert_eq!(
        codes_and_paths(&response)[0].1,
        json!(["top", "reviews", 1, "author", "name"])
    );
}

#[test]
fn nested_lists_null_the_inner_nullable_list() {
    let response = shape("{ matrix }", json!({"matrix": [[1, 2], [3, null], null]}));
    assert_eq!(response["data"], json!({"matrix": [[1, 2], null, null]}));
    assert_eq!(codes_and_paths(&response)[0].1, json!(["matrix", 1, 1]));
}

#[test]
fn leaves_are_coerced_or_nulled_with_an_error() {
    let response = shape(
        "{ me { id age score active role createdAt } users { id age role } }",
        json!({
            "me": {"id": 7, "age": 3.0, "score": 1, "active": true, "role": "ADMIN", "createdAt": {"at": [1, 2]}},
            "users": [
                {"id": "u1", "age": 4_294_967_296_i64, "role": "OWNER"},
                {"id": "u2", "age": 1.5, "role": 3},
                {"id": "u3", "age": "x", "role": "MEMBER"}
            ]
        }),
    );
    assert_eq!(
        response["data"],
        json!({
            "me": {"id": "7", "age": 3, "score": 1, "active": true, "role": "ADMIN", "createdAt": {"at": [1, 2]}},
            "users": [
                {"id": "u1", "age": null, "role": null},
                {"id": "u2", "age": null, "role": null},
                {"id": "u3", "age": null, "role": "MEMBER"}
            ]
        })
    );
    let paths: Vec<Value> = codes_and_paths(&response).into_iter().map(|(_, path)| path).collect();
    assert_eq!(
        paths,
        [
            json!(["users", 0, "age"]),
            json!(["users", 0, "role"]),
            json!(["users", 1, "age"]),
            json!(["users", 1, "role"]),
            json!(["users", 2, "age"])
        ]
    );
}

#[test]
fn a_wrongly_typed_value_in_a_non_null_field_nulls_the_parent() {
    let response = shape(
        "{ me { name } products { title } }",
        json!({"me": {"name": 5}, "products": "not a list"}),
    );
    assert_eq!(response["data"], json!({"me": null, "products": null}));
    let errors = codes_and_paths(&response);
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].1, json!(["me", "name"]));
    assert_eq!(errors[1].1, json!(["products"]));
}

#[test]
fn a_scalar_where_an_object_belongs_is_nulled_with_an_error() {
    let response = shape("{ me { name } top { id } }", json!({"me": "scalar", "top": 42}));
    assert_eq!(response["data"], Value::Null);
    assert_eq!(codes_and_paths(&response).len(), 2);
}

#[test]
fn a_null_explained_by_an_existing_error_gets_no_second_error() {
    let fetch_failed = GraphQLError::new("subgraph down", ErrorCode::SubgraphRequestFailed).with_service("a".into());
    let text = shape_text("{ users { id } }", json!({}), std::slice::from_ref(&fetch_failed), None);
    let response: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(response["data"], Value::Null);
    assert_eq!(response["errors"].as_array().map(Vec::len), Some(1));
    assert_eq!(response["errors"][0]["extensions"]["serviceName"], "a");

    let at_me = GraphQLError::new("no", ErrorCode::Forbidden).with_path(vec![PathElement::Key("me".into())]);
    let text = shape_text("{ me { name } }", json!({"me": {"name": null}}), &[at_me], None);
    let response: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(response["errors"].as_array().map(Vec::len), Some(1));
}

#[test]
fn skip_and_include_read_variables_and_their_defaults() {
    let operation = "query($withAge: Boolean!, $skipName: Boolean = true) { me { age @include(if: $withAge) name @skip(if: $skipName) id } }";
    let data = json!({"me": {"id": "1", "age": 3, "name": "Ann"}});
    let text = shape_text(operation, data.clone(), &[], Some(json!({"withAge": true})));
    assert_eq!(text, r#"{"data":{"me":{"age":3,"id":"1"}}}"#);
    let text = shape_text(operation, data, &[], Some(json!({"withAge": false, "skipName": false})));
    assert_eq!(text, r#"{"data":{"me":{"name":"Ann","id":"1"}}}"#);
}

#[test]
fn a_field_kept_by_one_of_its_selections_merges_only_the_kept_children() {
    let operation = "query($a: Boolean!) { me { name } me @include(if: $a) { id } }";
    let data = json!({"me": {"id": "1", "name": "Ann"}});
    let text = shape_text(operation, data.clone(), &[], Some(json!({"a": false})));
    assert_eq!(text, r#"{"data":{"me":{"name":"Ann"}}}"#);
    let text = shape_text(operation, data, &[], Some(json!({"a": true})));
    assert_eq!(text, r#"{"data":{"me":{"name":"Ann","id":"1"}}}"#);
}

#[test]
fn a_selection_emptied_by_skip_projects_an_empty_object() {
    let response = shape("{ me { name @skip(if: true) } }", json!({"me": {"__typename": "User"}}));
    assert_eq!(response, json!({"data": {"me": {}}}));
}

#[test]
fn strings_are_escaped_and_errors_carry_codes() {
    let fetch_failed = GraphQLError::new("x", ErrorCode::SubgraphTimeout)
        .with_service("accounts".into())
        .with_path(vec![PathElement::Key("me".into())]);
    let text = shape_text(
        "{ me { name } }",
        json!({"me": {"name": "a\"b\n\u{1}"}}),
        &[fetch_failed],
        None,
    );
    let response: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(response["data"]["me"]["name"], "a\"b\n\u{1}");
    assert_eq!(
        response["errors"][0]["extensions"],
        json!({"code": "SUBGRAPH_TIMEOUT", "serviceName": "accounts"})
    );
    assert_eq!(response["errors"][0]["path"], json!(["me"]));
}

#[test]
fn a_mutation_projects_from_the_mutation_root() {
    let response = shape(
        r#"mutation { rename(name: "B") { name } }"#,
        json!({"rename": {"name": "B"}}),
    );
    assert_eq!(response, json!({"data": {"rename": {"name": "B"}}}));
}

#[test]
fn missing_data_reads_as_null() {
    let response = shape("{ me { name } products { id } }", Value::Null);
    assert_eq!(response, json!({"data": {"me": null, "products": null}}));
}
