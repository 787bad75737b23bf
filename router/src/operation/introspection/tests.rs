use serde_json::{Map, Value, json};

use super::{execute, response_body};
use crate::operation::coerce_variables;
use crate::operation::test_schema::{prepare, schema};

/// The introspection query GraphiQL and most tools send (every option on), written out.
const INTROSPECTION_QUERY: &str = r#"
query IntrospectionQuery {
  __schema {
    description
    queryType { name kind }
    mutationType { name kind }
    subscriptionType { name kind }
    types { ...FullType }
    directives {
      name
      description
      isRepeatable
      locations
      args(includeDeprecated: true) { ...InputValue }
    }
  }
}

fragment FullType on __Type {
  kind
  name
  description
  specifiedByURL
  isOneOf
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}

fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  isDeprecated
  deprecationReason
}

fragment TypeRef on __Type {
  kind
  name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
}
"#;

fn run(text: &str, variables: Value) -> Value {
    let schema = schema();
    let prepared = prepare(&schema, text).expect("the introspection operation is valid");
    let provided = match variables {
        Value::Object(map) => Some(map),
        _ => None,
    };
    let variables = coerce_variables(&schema, &prepared, provided).expect("valid variables");
    let data = execute(&schema, &prepared, &variables);
    serde_json::from_str(&data).expect("introspection writes valid JSON")
}

fn find<'v>(list: &'v Value, name: &str) -> &'v Value {
    list.as_array()
        .and_then(|items| items.iter().find(|item| item["name"] == name))
        .unwrap_or_else(|| panic!("{name} not in {list}"))
}

#[test]
fn standard_introspection_query_describes_the_schema() {
    let data = run(INTROSPECTION_QUERY, Value::Null);
    let schema = &data["__schema"];
    assert_eq!(schema["queryType"], json!({"name": "Query", "kind": "OBJECT"}));
    assert_eq!(schema["mutationType"]["name"], "Mutation");
    assert_eq!(schema["subscriptionType"]["name"], "Subscription");
    assert_eq!(schema["description"], Value::Null);

    let types = &schema["types"];
    for name in [
        "Query",
        "User",
        "Post",
        "Node",
        "SearchResult",
        "Role",
        "PostInput",
        "String",
        "__Schema",
        "__Type",
    ] {
        find(types, name);
    }

    let query = find(types, "Query");
    let field_names: Vec<&str> = query["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(
        field_names,
        ["me", "user", "users", "node", "search", "legacy"],
        "meta-fields are not listed"
    );
    assert_eq!(query["interfaces"], json!([]));
    assert_eq!(query["inputFields"], Value::Null);

    let user_arg = &find(&query["fields"], "user")["args"][0];
    assert_eq!(user_arg["name"], "id");
    assert_eq!(
        user_arg["type"],
        json!({"kind": "NON_NULL", "name": null, "ofType": {"kind": "SCALAR", "name": "ID", "ofType": null}})
    );
    let users = find(&query["fields"], "users");
    assert_eq!(find(&users["args"], "first")["defaultValue"], "10");
    assert_eq!(
        users["type"],
        json!({"kind": "NON_NULL", "name": null, "ofType": {"kind": "LIST", "name": null, "ofType":
            {"kind": "NON_NULL", "name": null, "ofType": {"kind": "OBJECT", "name": "User", "ofType": null}}}})
    );
    let legacy = find(&query["fields"], "legacy");
    assert_eq!(legacy["isDeprecated"], true);
    assert_eq!(legacy["deprecationReason"], "Use `me`.");

    let user = find(types, "User");
    assert_eq!(user["description"], "A person with an account.");
    assert_eq!(
        user["interfaces"],
        json!([{"kind": "INTERFACE", "name": "Node", "ofType": null}])
    );
    assert_eq!(
        find(&user["fields"], "email")["deprecationReason"],
        "No longer supported"
    );
    assert_eq!(
        find(&find(&user["fields"], "posts")["args"], "after")["isDeprecated"],
        true
    );

    let node = find(types, "Node");
    assert_eq!(node["kind"], "INTERFACE");
    let possible: Vec<&str> = node["possibleTypes"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(possible, ["User", "Post"]);
    assert_eq!(
        find(types, "SearchResult")["possibleTypes"].as_array().map(Vec::len),
        Some(2)
    );

    let role = find(types, "Role");
    assert_eq!(role["enumValues"].as_array().map(Vec::len), Some(4));
    assert_eq!(find(&role["enumValues"], "GUEST")["deprecationReason"], "Use VIEWER.");
    assert_eq!(role["fields"], Value::Null);

    let input = find(types, "PostInput");
    assert_eq!(input["kind"], "INPUT_OBJECT");
    assert_eq!(input["isOneOf"], false);
    assert_eq!(find(&input["inputFields"], "tags")["defaultValue"], "[]");
    assert_eq!(find(&input["inputFields"], "draft")["defaultValue"], "true");
    assert_eq!(find(types, "Filter")["isOneOf"], true);
    assert_eq!(find(types, "User")["isOneOf"], Value::Null);

    let date_time = find(types, "DateTime");
    assert_eq!(
        date_time["specifiedByURL"],
        "https://scalars.graphql.org/andimarek/date-time"
    );
    assert_eq!(date_time["description"], "An instant, as RFC 3339 text.");

    let directives = &schema["directives"];
    let skip = find(directives, "skip");
    assert_eq!(
        skip["locations"],
        json!(["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"])
    );
    assert_eq!(skip["isRepeatable"], false);
    assert_eq!(find(&skip["args"], "if")["type"]["ofType"]["name"], "Boolean");
    assert_eq!(
        find(&find(directives, "deprecated")["args"], "reason")["defaultValue"],
        "\"No longer supported\""
    );
}

#[test]
fn deprecated_elements_are_hidden_unless_asked_for() {
    let data = run(
        r#"{ __type(name: "User") { fields { name args { name } } all: fields(includeDeprecated: true) { name } }
             role: __type(name: "Role") { enumValues { name } } }"#,
        Value::Null,
    );
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .expect("list")
            .iter()
            .filter_map(|item| item["name"].as_str().map(str::to_owned))
            .collect()
    };
    let ty = &data["__type"];
    assert!(!names(&ty["fields"]).contains(&"email".to_owned()));
    assert!(names(&ty["all"]).contains(&"email".to_owned()));
    assert_eq!(names(&find(&ty["fields"], "posts")["args"]), ["first"]);
    assert_eq!(names(&data["role"]["enumValues"]), ["ADMIN", "EDITOR", "VIEWER"]);
}

#[test]
fn type_by_name_follows_the_selection_order_aliases_and_typenames() {
    let schema = schema();
    let prepared = prepare(
        &schema,
        r#"{ b: __type(name: "Post") { __typename name kind } a: __type(name: "Nope") { name } __typename }"#,
    )
    .expect("valid");
    let text = execute(&schema, &prepared, &Map::new());
    assert_eq!(
        text,
        r#"{"b":{"__typename":"__Type","name":"Post","kind":"OBJECT"},"a":null,"__typename":"Query"}"#
    );
    assert_eq!(
        response_body(&schema, &prepared, &Map::new()),
        format!("{{\"data\":{text}}}")
    );
}

#[test]
fn variables_arguments_and_skip_include_are_honoured() {
    let data = run(
        r#"query($name: String!, $withKind: Boolean!) {
             __type(name: $name) { name kind @include(if: $withKind) description @skip(if: true) }
           }"#,
        json!({"name": "Role", "withKind": false}),
    );
    assert_eq!(data, json!({"__type": {"name": "Role"}}));
}

#[test]
fn repeated_keys_merge_their_selections() {
    let data = run(
        r#"{ __schema { queryType { name } } ... on Query { __schema { queryType { kind } } } }"#,
        Value::Null,
    );
    assert_eq!(
        data,
        json!({"__schema": {"queryType": {"name": "Query", "kind": "OBJECT"}}})
    );
}

#[test]
fn mixed_operation_yields_only_the_introspection_keys() {
    let data = run(
        r#"{ me { id } __typename t: __type(name: "Node") { kind } }"#,
        Value::Null,
    );
    assert_eq!(data, json!({"__typename": "Query", "t": {"kind": "INTERFACE"}}));
}

#[test]
fn typename_on_the_mutation_root_names_the_mutation_type() {
    let data = run("mutation { __typename }", Value::Null);
    assert_eq!(data, json!({"__typename": "Mutation"}));
}
