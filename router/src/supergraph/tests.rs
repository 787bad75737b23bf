use std::collections::HashMap;

use super::test_fixture::SUPERGRAPH;
use super::*;

const FEDERATION_1: &str = r#"
schema
  @core(feature: "https://specs.apollo.dev/core/v0.2")
  @core(feature: "https://specs.apollo.dev/join/v0.1", for: EXECUTION)
{
  query: Query
}

directive @core(feature: String!, as: String, for: core__Purpose) repeatable on SCHEMA
directive @join__graph(name: String!, url: String!) on ENUM_VALUE

enum core__Purpose { EXECUTION SECURITY }
scalar join__FieldSet
enum join__Graph { A @join__graph(name: "a", url: "http://a") }

type Query { hello: String }
"#;

#[test]
fn federation_2_supergraph_yields_its_subgraphs_in_order() {
    let supergraph = Supergraph::parse(SUPERGRAPH).expect("the fixture is a valid supergraph");
    let subgraphs: Vec<_> = supergraph
        .subgraphs()
        .iter()
        .map(|s| (&*s.enum_value, &*s.name, s.url.as_str()))
        .collect();
    assert_eq!(
        subgraphs,
        [
            ("ACCOUNTS", "accounts", "http://accounts.local/graphql"),
            ("PRODUCTS", "products", "http://products.local/graphql"),
            ("REVIEWS", "reviews", "http://reviews.local/graphql"),
        ]
    );
    assert_eq!(supergraph.subgraph("reviews").map(|s| &*s.enum_value), Some("REVIEWS"));
    assert!(
        supergraph.subgraph("REVIEWS").is_none(),
        "subgraphs are looked up by name, not enum value"
    );
}

#[test]
fn url_overrides_replace_the_declared_urls() {
    let overrides = HashMap::from([("reviews".to_owned(), "http://127.0.0.1:9000/graphql".to_owned())]);
    let supergraph = Supergraph::parse_with_url_overrides(SUPERGRAPH, &overrides).expect("reviews is declared");
    assert_eq!(
        supergraph.subgraph("reviews").map(|s| s.url.as_str()),
        Some("http://127.0.0.1:9000/graphql")
    );
    assert_eq!(
        supergraph.subgraph("accounts").map(|s| s.url.as_str()),
        Some("http://accounts.local/graphql")
    );
}

#[test]
fn url_override_for_an_unknown_subgraph_is_refused() {
    let overrides = HashMap::from([("inventory".to_owned(), "http://127.0.0.1:9000".to_owned())]);
    let error = Supergraph::parse_with_url_overrides(SUPERGRAPH, &overrides).expect_err("inventory is unknown");
    insta::assert_snapshot!(error.to_string(), @r#"a URL override names the subgraph "inventory", which the supergraph does not declare (known: accounts, products, reviews)"#);
}

#[test]
fn federation_1_supergraph_is_refused_with_the_core_directive_position() {
    let error = Supergraph::parse(FEDERATION_1).expect_err("Federation 1 is not planned");
    insta::assert_snapshot!(error.to_string(), @r#"this is a Federation 1 supergraph (https://specs.apollo.dev/join/v0.1 at line 4, column 3); recompose the subgraphs with Federation 2 so the schema links https://specs.apollo.dev/join/v0.2 or later"#);
}

#[test]
fn malformed_supergraph_is_refused_naming_line_and_column() {
    let sdl = "schema { query: Query }\n\ntype Query {\n  hello: String\n  broken(: Int\n}\n";
    let error = Supergraph::parse(sdl).expect_err("the SDL does not parse");
    assert!(
        matches!(
            error,
            SupergraphError::Malformed {
                position: Some(SdlPosition { line: 5, .. }),
                ..
            }
        ),
        "{error:?}"
    );
    insta::assert_snapshot!(error.to_string(), @r#"the supergraph is not valid GraphQL SDL at line 5, column 10: Unexpected `:[Punctuator]`; Expected Name"#);
}

#[test]
fn plain_schema_is_refused_as_not_a_supergraph() {
    let error = Supergraph::parse("type Query { hello: String }").expect_err("no join link");
    insta::assert_snapshot!(error.to_string(), @r#"no @link(url: "https://specs.apollo.dev/join/v0.2" or later) on the schema definition; this is not a Federation 2 supergraph"#);
}

#[test]
fn missing_file_is_reported_with_its_path() {
    let error = Supergraph::load(Path::new("/nonexistent/supergraph.graphql"), &HashMap::new())
        .expect_err("the file does not exist");
    assert!(
        error
            .to_string()
            .starts_with("cannot read the supergraph file /nonexistent/supergraph.graphql")
    );
}

#[test]
fn load_reads_the_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("supergraph.graphql");
    std::fs::write(&path, SUPERGRAPH).expect("the fixture is written");
    let supergraph = Supergraph::load(&path, &HashMap::new()).expect("the file holds a valid supergraph");
    assert_eq!(supergraph.subgraphs().len(), 3);
}

#[test]
fn api_schema_drops_inaccessible_fields_and_join_machinery() {
    let supergraph = Supergraph::parse(SUPERGRAPH).expect("the fixture is a valid supergraph");
    let sdl = supergraph.api_schema().sdl();
    for absent in [
        "passwordHash",
        "join__",
        "link__",
        "@link",
        "@inaccessible",
        "__schema",
        "__Type",
    ] {
        assert!(!sdl.contains(absent), "the API SDL still contains {absent}:\n{sdl}");
    }
    insta::assert_snapshot!(sdl);
}

#[test]
fn api_schema_document_keeps_introspection_for_validation() {
    let supergraph = Supergraph::parse(SUPERGRAPH).expect("the fixture is a valid supergraph");
    let printed = supergraph.api_schema().document().to_string();
    assert!(printed.contains("__schema: __Schema!"), "{printed}");
    assert!(!printed.contains("passwordHash"));
    assert!(!printed.contains("join__"));
}

#[test]
fn panic_message_reads_str_and_string_payloads() {
    let from_str = std::panic::catch_unwind(|| panic!("plain")).expect_err("it panics");
    assert_eq!(panic_message(from_str.as_ref()), "plain");
    let value = 7;
    let from_string = std::panic::catch_unwind(|| panic!("formatted {value}")).expect_err("it panics");
    assert_eq!(panic_message(from_string.as_ref()), "formatted 7");
}

#[test]
fn supergraph_that_makes_the_planner_panic_is_refused_not_a_crash() {
    // The planner panics on a percentage override label above 100 instead of returning an error.
    let sdl = SUPERGRAPH.replace(
        r#"shippingEstimate: Int! @join__field(graph: REVIEWS, requires: "price weight")"#,
        r#"shippingEstimate: Int! @join__field(graph: REVIEWS, override: "products", overrideLabel: "percent(200)")"#,
    );
    assert_ne!(sdl, SUPERGRAPH, "the replaced field exists in the fixture");
    let error = Supergraph::parse(&sdl).expect_err("the planner panics on this supergraph");
    assert!(matches!(error, SupergraphError::PlannerPanicked(_)), "{error:?}");
    assert!(error.to_string().contains("Invalid percentage value"), "{error}");
}
