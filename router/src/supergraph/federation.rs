//! Which federation version a supergraph was composed for, read from its schema definition's `@link`s.

use graphql_tools::static_graphql::schema::{Definition, Directive, Document, Value};

use super::error::{SdlPosition, SupergraphError};

const JOIN_SPEC_PREFIX: &str = "https://specs.apollo.dev/join/v";

/// The oldest join specification a Federation 2 supergraph links (v0.2); v0.1 is Federation 1's.
const MIN_JOIN_VERSION: (u32, u32) = (0, 2);

/// Accepts a supergraph that links join v0.2 or later under its default name; refuses Federation 1
/// (`@core(feature: ".../join/v0.1")`) and schemas with no join link.
pub(crate) fn check_federation_version(document: &Document) -> Result<(), SupergraphError> {
    let schema_definitions: Vec<_> = document
        .definitions
        .iter()
        .filter_map(|definition| match definition {
            Definition::SchemaDefinition(schema) => Some(schema),
            _ => None,
        })
        .collect();

    for schema in &schema_definitions {
        for directive in &schema.directives {
            if directive.name == "link"
                && let Some(url) = string_argument(directive, "url")
                && let Some(version) = url.strip_prefix(JOIN_SPEC_PREFIX)
            {
                return check_join_link(directive, url, version);
            }
        }
    }

    for schema in &schema_definitions {
        for directive in &schema.directives {
            if directive.name == "core"
                && let Some(feature) = string_argument(directive, "feature")
                && feature.starts_with(JOIN_SPEC_PREFIX)
            {
                return Err(SupergraphError::Federation1 {
                    feature: feature.to_owned(),
                    position: directive.position.into(),
                });
            }
        }
    }

    Err(SupergraphError::MissingJoinLink {
        position: schema_definitions.first().map(|s| s.position.into()),
    })
}

fn check_join_link(directive: &Directive, url: &str, version: &str) -> Result<(), SupergraphError> {
    let position: SdlPosition = directive.position.into();
    let parsed = version
        .split_once('.')
        .and_then(|(major, minor)| Some((major.parse().ok()?, minor.parse().ok()?)));
    match parsed {
        Some(parsed) if parsed >= MIN_JOIN_VERSION => {}
        _ => {
            return Err(SupergraphError::UnsupportedJoinVersion {
                url: url.to_owned(),
                position,
            });
        }
    }
    match string_argument(directive, "as") {
        Some(alias) if alias != "join" => Err(SupergraphError::RenamedJoinSpec {
            alias: alias.to_owned(),
            position,
        }),
        _ => Ok(()),
    }
}

fn string_argument<'d>(directive: &'d Directive, name: &str) -> Option<&'d str> {
    directive.arguments.iter().find_map(|(argument, value)| match value {
        Value::String(text) if argument == name => Some(text.as_str()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hive_router_query_planner::utils::parsing::safe_parse_schema;

    fn check(sdl: &str) -> Result<(), SupergraphError> {
        check_federation_version(&safe_parse_schema(sdl).expect("test SDL parses"))
    }

    #[test]
    fn join_v0_3_link_is_accepted() {
        check(r#"schema @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }"#)
            .expect("join v0.3 is Federation 2");
    }

    #[test]
    fn core_join_feature_is_refused_as_federation_1_with_its_position() {
        let error = check(
            "schema\n  @core(feature: \"https://specs.apollo.dev/core/v0.2\")\n  \
             @core(feature: \"https://specs.apollo.dev/join/v0.1\", for: EXECUTION) { query: Query }",
        )
        .expect_err("Federation 1 is refused");
        assert!(matches!(
            error,
            SupergraphError::Federation1 {
                position: SdlPosition { line: 3, .. },
                ..
            }
        ));
        assert!(error.to_string().contains("Federation 1"), "{error}");
    }

    #[test]
    fn join_v0_1_through_link_is_refused_as_unsupported() {
        let error = check(r#"schema @link(url: "https://specs.apollo.dev/join/v0.1") { query: Query }"#)
            .expect_err("join v0.1 is too old");
        assert!(
            matches!(error, SupergraphError::UnsupportedJoinVersion { .. }),
            "{error}"
        );
    }

    #[test]
    fn schema_without_join_link_is_refused() {
        let error = check("type Query { hello: String }").expect_err("a plain schema is not a supergraph");
        assert!(
            matches!(error, SupergraphError::MissingJoinLink { position: None }),
            "{error}"
        );
    }

    #[test]
    fn renamed_join_spec_is_refused() {
        let error = check(r#"schema @link(url: "https://specs.apollo.dev/join/v0.3", as: "j") { query: Query }"#)
            .expect_err("renamed join directives are not followed by the planner");
        assert!(matches!(error, SupergraphError::RenamedJoinSpec { .. }), "{error}");
    }
}
