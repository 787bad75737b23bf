//! The subgraphs a supergraph declares in `enum join__Graph`, and where the router reaches them.

use std::collections::HashMap;
use std::sync::Arc;

use graphql_tools::static_graphql::schema::{Definition, Document, EnumValue, TypeDefinition, Value};

use super::error::SupergraphError;

/// One subgraph of the supergraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubgraphInfo {
    /// Its value in `enum join__Graph` (e.g. `ACCOUNTS`), as `@join__type(graph:)` refers to it.
    pub enum_value: Arc<str>,
    /// Its name (e.g. `accounts`), as query plans refer to it.
    pub name: Arc<str>,
    /// The URL the router sends its requests to: the supergraph's, or the configured override.
    pub url: String,
}

/// Reads every `join__Graph` value's `@join__graph(name:, url:)`, in declaration order.
pub(crate) fn extract_subgraphs(document: &Document) -> Result<Vec<SubgraphInfo>, SupergraphError> {
    let join_graph = document.definitions.iter().find_map(|definition| match definition {
        Definition::TypeDefinition(TypeDefinition::Enum(enum_type)) if enum_type.name == "join__Graph" => {
            Some(enum_type)
        }
        _ => None,
    });
    let Some(join_graph) = join_graph.filter(|e| !e.values.is_empty()) else {
        return Err(SupergraphError::NoSubgraphs);
    };

    let mut subgraphs: Vec<SubgraphInfo> = Vec::with_capacity(join_graph.values.len());
    for value in &join_graph.values {
        let subgraph = read_join_graph(value)?;
        if subgraphs.iter().any(|known| known.name == subgraph.name) {
            return Err(SupergraphError::DuplicateSubgraph {
                name: subgraph.name.to_string(),
                position: value.position.into(),
            });
        }
        subgraphs.push(subgraph);
    }
    Ok(subgraphs)
}

fn read_join_graph(value: &EnumValue) -> Result<SubgraphInfo, SupergraphError> {
    let invalid = |problem: &str| SupergraphError::InvalidJoinGraph {
        enum_value: value.name.clone(),
        position: value.position.into(),
        problem: problem.to_owned(),
    };
    let directive = value
        .directives
        .iter()
        .find(|directive| directive.name == "join__graph")
        .ok_or_else(|| invalid("missing @join__graph(name:, url:)"))?;
    let argument = |wanted: &str| {
        directive.arguments.iter().find_map(|(name, value)| match value {
            Value::String(text) if name == wanted => Some(text.clone()),
            _ => None,
        })
    };
    let name = argument("name")
        .filter(|name| !name.is_empty())
        .ok_or_else(|| invalid("@join__graph has no name"))?;
    let url = argument("url").ok_or_else(|| invalid("@join__graph has no url"))?;
    Ok(SubgraphInfo {
        enum_value: value.name.as_str().into(),
        name: name.into(),
        url,
    })
}

/// Replaces the URLs of the subgraphs named in `overrides`, then checks that every URL is usable.
/// An override naming an unknown subgraph is an error: it is almost always a typo that would otherwise
/// silently route traffic to the supergraph's URL.
pub(crate) fn apply_url_overrides(
    subgraphs: &mut [SubgraphInfo],
    overrides: &HashMap<String, String>,
) -> Result<(), SupergraphError> {
    let mut unknown: Vec<&str> = overrides
        .keys()
        .filter(|name| !subgraphs.iter().any(|s| *s.name == ***name))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        unknown.sort_unstable();
        let known: Vec<&str> = subgraphs.iter().map(|s| &*s.name).collect();
        return Err(SupergraphError::UnknownSubgraphOverride {
            name: unknown.join(", "),
            known: known.join(", "),
        });
    }
    for subgraph in subgraphs.iter_mut() {
        if let Some(url) = overrides.get(&*subgraph.name) {
            subgraph.url.clone_from(url);
        }
        check_url(subgraph)?;
    }
    Ok(())
}

fn check_url(subgraph: &SubgraphInfo) -> Result<(), SupergraphError> {
    let invalid = |problem| SupergraphError::InvalidSubgraphUrl {
        name: subgraph.name.to_string(),
        url: subgraph.url.clone(),
        problem,
    };
    if subgraph.url.is_empty() {
        return Err(invalid("it is empty; set one in the subgraph URL overrides"));
    }
    let uri: http::Uri = subgraph.url.parse().map_err(|_| invalid("it is not a URL"))?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.authority().is_some() => Ok(()),
        _ => Err(invalid("it must be an absolute http:// or https:// URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hive_router_query_planner::utils::parsing::safe_parse_schema;

    fn subgraphs(sdl: &str) -> Result<Vec<SubgraphInfo>, SupergraphError> {
        extract_subgraphs(&safe_parse_schema(sdl).expect("test SDL parses"))
    }

    #[test]
    fn subgraphs_are_read_in_declaration_order() {
        let found = subgraphs(
            r#"enum join__Graph {
                B @join__graph(name: "b", url: "http://b.local")
                A @join__graph(name: "a", url: "http://a.local")
            }"#,
        )
        .expect("two subgraphs");
        let names: Vec<_> = found
            .iter()
            .map(|s| (&*s.enum_value, &*s.name, s.url.as_str()))
            .collect();
        assert_eq!(names, [("B", "b", "http://b.local"), ("A", "a", "http://a.local")]);
    }

    #[test]
    fn missing_join_graph_enum_is_refused() {
        assert!(matches!(
            subgraphs("type Query { a: Int }"),
            Err(SupergraphError::NoSubgraphs)
        ));
    }

    #[test]
    fn value_without_join_graph_directive_is_refused_with_its_position() {
        let error = subgraphs("enum join__Graph {\n  A\n}").expect_err("A has no @join__graph");
        let message = error.to_string();
        assert!(message.contains("join__Graph.A at line 2, column 3"), "{message}");
    }

    #[test]
    fn duplicate_subgraph_names_are_refused() {
        let error = subgraphs(
            r#"enum join__Graph {
                A @join__graph(name: "a", url: "http://a")
                B @join__graph(name: "a", url: "http://b")
            }"#,
        )
        .expect_err("name a is used twice");
        assert!(matches!(error, SupergraphError::DuplicateSubgraph { .. }), "{error}");
    }

    fn two_subgraphs() -> Vec<SubgraphInfo> {
        ["a", "b"]
            .into_iter()
            .map(|name| SubgraphInfo {
                enum_value: name.to_uppercase().into(),
                name: name.into(),
                url: format!("http://{name}.local/graphql"),
            })
            .collect()
    }

    #[test]
    fn overrides_replace_only_the_named_subgraphs() {
        let mut subgraphs = two_subgraphs();
        let overrides = HashMap::from([("b".to_owned(), "https://b.internal:8443/graphql".to_owned())]);
        apply_url_overrides(&mut subgraphs, &overrides).expect("b is known");
        assert_eq!(subgraphs[0].url, "http://a.local/graphql");
        assert_eq!(subgraphs[1].url, "https://b.internal:8443/graphql");
    }

    #[test]
    fn override_for_an_unknown_subgraph_is_refused_naming_the_known_ones() {
        let mut subgraphs = two_subgraphs();
        let overrides = HashMap::from([("c".to_owned(), "http://c".to_owned())]);
        let error = apply_url_overrides(&mut subgraphs, &overrides).expect_err("c is unknown");
        assert_eq!(
            error.to_string(),
            "a URL override names the subgraph \"c\", which the supergraph does not declare (known: a, b)"
        );
    }

    #[test]
    fn empty_or_relative_urls_are_refused() {
        for url in ["", "/graphql", "ftp://a/graphql"] {
            let mut subgraphs = two_subgraphs();
            subgraphs[0].url = url.to_owned();
            let error = apply_url_overrides(&mut subgraphs, &HashMap::new()).expect_err("not a usable URL");
            assert!(
                matches!(error, SupergraphError::InvalidSubgraphUrl { .. }),
                "{url}: {error}"
            );
        }
    }
}
