use std::sync::Arc;

use graphql_tools::static_graphql::query::Definition;
use kernel::auth::Claims;

use super::*;
use crate::operation::{OperationPolicy, OperationSchema, prepare_document};
use crate::supergraph::Supergraph;
use crate::supergraph::test_fixture::SUPERGRAPH;

const DIRECTIVES: &str = "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM

directive @join__enumValue";

/// The test supergraph with `me` for signed-in callers, `User.name` for the `profile:read` scope and
/// `Review.body` for the `staff` policy.
fn guarded() -> Supergraph {
    let sdl = SUPERGRAPH
        .replacen("directive @join__enumValue", DIRECTIVES, 1)
        .replace(
            "me: User @join__field(graph: ACCOUNTS)",
            "me: User @join__field(graph: ACCOUNTS) @authenticated",
        )
        .replace(
            "name: String! @join__field(graph: ACCOUNTS)",
            r#"name: String! @join__field(graph: ACCOUNTS) @requiresScopes(scopes: [["profile:read"], ["admin"]])"#,
        )
        .replace(
            "  body: String!\n",
            "  body: String! @policy(policies: [[\"staff\"]])\n",
        );
    Supergraph::parse(&sdl).expect("the guarded supergraph parses")
}

fn claims(scope: &str, roles: &[&str]) -> Claims {
    Claims {
        sub: "u1".to_owned(),
        iss: "https://id.example".to_owned(),
        aud: "platform".to_owned(),
        exp: u64::MAX,
        iat: 0,
        nbf: 0,
        jti: "j".to_owned(),
        roles: roles.iter().map(|role| (*role).to_owned()).collect(),
        scope: scope.to_owned(),
    }
}

fn staff_policy() -> BTreeMap<String, PolicyRule> {
    BTreeMap::from([(
        "staff".to_owned(),
        PolicyRule {
            roles: vec!["editor".to_owned()],
            scopes: Vec::new(),
        },
    )])
}

fn run(supergraph: &Supergraph, query: &str, claims: Option<&Claims>) -> Option<Restricted> {
    let schema = OperationSchema::new(Arc::clone(supergraph.api_schema().document())).expect("indexes");
    let operation = prepare_document(&schema, query, None, &OperationPolicy::default()).expect("valid");
    let index = SchemaIndex::from_supergraph(&supergraph.planner().supergraph);
    let policies = staff_policy();
    let caller = Caller {
        claims,
        policies: &policies,
    };
    restrict(&operation, &index, supergraph.access_requirements(), &caller)
}

fn paths(restricted: &Restricted) -> Vec<String> {
    restricted
        .errors
        .iter()
        .map(|error| {
            let path = error.path.as_deref().unwrap_or_default();
            path.iter()
                .map(|element| match element {
                    PathElement::Key(key) => key.to_string(),
                    PathElement::Index(index) => index.to_string(),
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect()
}

fn printed(restricted: &Restricted) -> String {
    restricted
        .document
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn an_anonymous_caller_loses_authenticated_fields_and_keeps_the_rest() {
    let supergraph = guarded();
    let restricted = run(&supergraph, "{ me { id } topProducts { upc } }", None).expect("restricted");
    assert_eq!(paths(&restricted), ["me"]);
    assert_eq!(restricted.errors[0].code, "UNAUTHORIZED_FIELD_OR_TYPE");
    let document = printed(&restricted);
    assert_eq!(document, "{ topProducts { upc } }");
}

#[test]
fn scopes_are_any_of_all_of() {
    let supergraph = guarded();
    let without = claims("", &[]);
    let restricted = run(&supergraph, "{ me { id name } }", Some(&without)).expect("restricted");
    assert_eq!(paths(&restricted), ["me.name"]);
    for scope in ["profile:read", "admin other"] {
        let with = claims(scope, &[]);
        assert!(run(&supergraph, "{ me { id name } }", Some(&with)).is_none(), "{scope}");
    }
}

#[test]
fn policies_are_judged_by_the_configured_rules() {
    let supergraph = guarded();
    let query = "{ topProducts { reviews { body } } }";
    let editor = claims("", &["editor"]);
    assert!(run(&supergraph, query, Some(&editor)).is_none());
    let member = claims("", &["member"]);
    let restricted = run(&supergraph, query, Some(&member)).expect("restricted");
    assert_eq!(paths(&restricted), ["topProducts.reviews.body"]);
    // The emptied selection keeps a `__typename`, so the document stays valid.
    assert!(
        printed(&restricted).contains("reviews { __typename }"),
        "{}",
        printed(&restricted)
    );
}

#[test]
fn fields_in_fragments_are_removed_where_they_are_defined_and_reported_where_they_are_used() {
    let supergraph = guarded();
    let member = claims("", &["member"]);
    let query =
        "query { me { ...Profile } user(id: \"1\") { ... on User { name } } } fragment Profile on User { id name }";
    let restricted = run(&supergraph, query, Some(&member)).expect("restricted");
    assert_eq!(paths(&restricted), ["me.name", "user.name"]);
    let fragment = restricted
        .document
        .definitions
        .iter()
        .find_map(|definition| match definition {
            Definition::Fragment(fragment) => Some(fragment.selection_set.items.len()),
            _ => None,
        });
    assert_eq!(fragment, Some(1), "only `id` is left in the fragment");
}

#[test]
fn an_unguarded_supergraph_restricts_nothing() {
    let supergraph = Supergraph::parse(SUPERGRAPH).expect("parses");
    assert!(supergraph.access_requirements().is_empty());
    assert!(run(&supergraph, "{ me { id name } }", None).is_none());
}
