use kernel::error_code::ErrorCode;

use super::test_schema::{prepare, schema};
use super::{LimitKind, OperationKind, OperationPolicy, RequestError, prepare_document};
use crate::config::LimitsConfig;

fn policy() -> OperationPolicy {
    OperationPolicy {
        introspection_enabled: true,
        ..OperationPolicy::default()
    }
}

#[test]
fn valid_query_is_prepared_with_its_kind_and_name() {
    let schema = schema();
    let prepared = prepare_document(&schema, "query Me { me { id name } }", Some("Me"), &policy()).expect("valid");
    assert_eq!(prepared.kind(), OperationKind::Query);
    assert_eq!(prepared.name(), Some("Me"));
    assert!(!prepared.is_introspection_only());
    assert!(prepared.ensure_allowed_over_get().is_ok());
}

#[test]
fn syntax_error_is_graphql_parse_failed_with_a_location() {
    let error = prepare(&schema(), "{ me { id }").expect_err("unbalanced braces");
    assert_eq!(error.code(), ErrorCode::GraphqlParseFailed);
    let errors = error.to_graphql_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].locations.len(), 1);
}

#[test]
fn unknown_field_is_graphql_validation_failed_with_message_and_location() {
    let error = prepare(&schema(), "{\n  me { id nickname }\n}").expect_err("no such field");
    assert_eq!(error.code(), ErrorCode::GraphqlValidationFailed);
    let errors = error.to_graphql_errors();
    assert!(errors.iter().any(|e| e.message.contains("nickname")), "{errors:?}");
    let located = errors
        .iter()
        .find(|e| e.message.contains("nickname"))
        .expect("the nickname error");
    assert_eq!(located.locations.first().map(|l| l.line), Some(2));
}

#[test]
fn every_validation_problem_is_reported() {
    let error = prepare(&schema(), "query Q($unused: Int) { user { id } me { nope } }").expect_err("invalid");
    let RequestError::Validation(issues) = &error else {
        panic!("{error:?}")
    };
    assert!(issues.len() >= 3, "{issues:?}");
}

#[test]
fn operation_name_must_match_an_operation() {
    let schema = schema();
    let text = "query A { me { id } } query B { me { name } }";
    let missing = prepare_document(&schema, text, None, &policy()).expect_err("ambiguous");
    assert_eq!(missing, RequestError::OperationNameRequired);
    assert_eq!(missing.code(), ErrorCode::GraphqlValidationFailed);
    let unknown = prepare_document(&schema, text, Some("C"), &policy()).expect_err("unknown");
    assert_eq!(unknown, RequestError::UnknownOperation("C".into()));
    assert!(unknown.to_string().contains("\"C\""));
    assert!(prepare_document(&schema, text, Some("B"), &policy()).is_ok());
}

#[test]
fn document_errors_are_reported_before_a_bad_operation_name() {
    let error = prepare_document(&schema(), "query A { nope }", Some("Z"), &policy()).expect_err("invalid");
    assert!(matches!(error, RequestError::Validation(_)), "{error:?}");
}

#[test]
fn limits_are_checked_with_their_code() {
    let schema = schema();
    let limits = LimitsConfig {
        max_depth: 2,
        ..LimitsConfig::default()
    };
    let strict = OperationPolicy {
        limits,
        introspection_enabled: true,
    };
    let error = prepare_document(&schema, "{ me { posts { id } } }", None, &strict).expect_err("too deep");
    assert_eq!(
        error,
        RequestError::Limit {
            kind: LimitKind::Depth,
            actual: 3,
            max: 2
        }
    );
    assert_eq!(error.code(), ErrorCode::OperationLimitExceeded);
    assert!(prepare_document(&schema, "{ me { id } }", None, &strict).is_ok());
}

#[test]
fn token_limit_is_an_operation_limit() {
    let limits = LimitsConfig {
        max_tokens: 10,
        ..LimitsConfig::default()
    };
    let strict = OperationPolicy {
        limits,
        introspection_enabled: true,
    };
    let error = prepare_document(
        &schema(),
        "{ me { id name role email } user(id: 1) { id } }",
        None,
        &strict,
    )
    .expect_err("too many tokens");
    assert_eq!(error, RequestError::TokenLimit { limit: 10 });
    assert_eq!(error.code(), ErrorCode::OperationLimitExceeded);
}

#[test]
fn subscriptions_are_not_supported() {
    let error = prepare(&schema(), "subscription { postAdded { id } }").expect_err("refused");
    assert_eq!(error.code(), ErrorCode::OperationNotSupported);
}

#[test]
fn defer_is_refused_as_not_supported_rather_than_invalid() {
    let error = prepare(&schema(), "{ ... @defer { __typename } }").expect_err("refused");
    assert_eq!(error.code(), ErrorCode::OperationNotSupported);
    assert!(error.to_string().contains("@defer"), "{error}");
}

#[test]
fn mutation_is_refused_over_get() {
    let prepared =
        prepare(&schema(), "mutation { createPost(input: { title: \"t\" }) { id } }").expect("valid mutation");
    assert_eq!(prepared.kind(), OperationKind::Mutation);
    let error = prepared.ensure_allowed_over_get().expect_err("GET may only read");
    assert_eq!(error.code(), ErrorCode::MethodNotAllowed);
}

#[test]
fn introspection_only_operations_are_detected_through_fragments() {
    let schema = schema();
    let only = prepare(
        &schema,
        "{ __typename ...F } fragment F on Query { t: __type(name: \"User\") { name } }",
    )
    .expect("valid");
    assert!(only.is_introspection_only());
    assert!(only.selects_introspection());
    let typename = prepare(&schema, "{ __typename }").expect("valid");
    assert!(typename.is_introspection_only());
    assert!(!typename.selects_introspection());
    let mixed = prepare(&schema, "{ __schema { queryType { name } } me { id } }").expect("valid");
    assert!(!mixed.is_introspection_only());
    assert!(mixed.selects_introspection());
}

#[test]
fn disabled_introspection_refuses_schema_and_type_but_not_typename() {
    let schema = schema();
    let closed = OperationPolicy {
        introspection_enabled: false,
        ..OperationPolicy::default()
    };
    let error = prepare_document(&schema, "{ __schema { types { name } } }", None, &closed).expect_err("refused");
    assert!(matches!(error, RequestError::IntrospectionDisabled { .. }));
    assert_eq!(error.code(), ErrorCode::GraphqlValidationFailed);
    assert_eq!(error.to_graphql_errors()[0].locations.len(), 1);
    let via_fragment = "{ ...F } fragment F on Query { __type(name: \"User\") { name } }";
    assert!(prepare_document(&schema, via_fragment, None, &closed).is_err());
    assert!(prepare_document(&schema, "{ __typename me { id } }", None, &closed).is_ok());
}

/// A two-subgraph supergraph in Apollo's format, with an `@inaccessible` field.
const SUPERGRAPH: &str = r#"
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
{
  query: Query
}

directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ENUM_VALUE | ARGUMENT_DEFINITION
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }

enum join__Graph {
  ACCOUNTS @join__graph(name: "accounts", url: "http://accounts.local/graphql")
  BLOG @join__graph(name: "blog", url: "http://blog.local/graphql")
}

type Query @join__type(graph: ACCOUNTS) @join__type(graph: BLOG) {
  me: User @join__field(graph: ACCOUNTS)
  posts: [Post!]! @join__field(graph: BLOG)
}

type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: BLOG, key: "id") {
  id: ID!
  name: String! @join__field(graph: ACCOUNTS)
  passwordHash: String @join__field(graph: ACCOUNTS) @inaccessible
  posts: [Post!]! @join__field(graph: BLOG)
}

type Post @join__type(graph: BLOG, key: "id") {
  id: ID!
  title: String!
  author: User!
}
"#;

#[test]
fn planner_api_schema_serves_validation_and_introspection() {
    use std::sync::Arc;

    use hive_router_query_planner::consumer_schema::ConsumerSchema;
    use hive_router_query_planner::utils::parsing::safe_parse_schema;

    let supergraph = safe_parse_schema(SUPERGRAPH).expect("the supergraph parses");
    let api = ConsumerSchema::new_from_supergraph(&supergraph);
    let schema = super::OperationSchema::new(Arc::clone(&api.document)).expect("indexes");
    assert!(
        Arc::ptr_eq(schema.document(), &api.document),
        "the API schema already declares every built-in"
    );

    let prepared = prepare_document(&schema, "{ me { name posts { title } } }", None, &policy()).expect("valid");
    assert!(!prepared.is_introspection_only());
    let hidden = prepare_document(&schema, "{ me { passwordHash } }", None, &policy()).expect_err("inaccessible");
    assert_eq!(hidden.code(), ErrorCode::GraphqlValidationFailed);

    let query = "{ __schema { types { name fields { name } } directives { name } } }";
    let prepared = prepare_document(&schema, query, None, &policy()).expect("introspection validates");
    let data = super::introspection::execute(&schema, &prepared, &serde_json::Map::new());
    let data: serde_json::Value = serde_json::from_str(&data).expect("JSON");
    let types = data["__schema"]["types"].as_array().expect("types");
    let names: Vec<&str> = types.iter().filter_map(|t| t["name"].as_str()).collect();
    assert!(names.contains(&"User") && names.contains(&"__Schema"), "{names:?}");
    assert!(
        !names
            .iter()
            .any(|name| name.starts_with("join__") || name.starts_with("link__")),
        "{names:?}"
    );
    let user = types.iter().find(|t| t["name"] == "User").expect("User");
    assert!(!user.to_string().contains("passwordHash"), "{user}");
}
