//! What the supergraph demands of a caller, per field: `@authenticated`, `@requiresScopes(scopes:)` and
//! `@policy(policies:)`, read once per supergraph. A directive on a type applies to every field that returns the
//! type; one on a field applies to that field.

use std::collections::{BTreeMap, HashMap};

use graphql_tools::static_graphql::schema::{Definition, Directive, Document, TypeDefinition, TypeExtension, Value};
use serde::Deserialize;

use kernel::auth::Claims;

/// One demand on the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// A verified token.
    Authenticated,
    /// The token's scopes include every scope of at least one of the sets.
    Scopes(Vec<Vec<String>>),
    /// Every policy of at least one of the sets holds, by the `[auth.policies]` rules.
    Policies(Vec<Vec<String>>),
}

/// A named policy rule from `[auth.policies.NAME]`: the caller holds any of `roles` (when given) and all of
/// `scopes`. A policy the configuration does not define never holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRule {
    /// At least one of these roles, when the list is not empty.
    #[serde(default)]
    pub roles: Vec<String>,
    /// All of these scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl PolicyRule {
    fn holds(&self, claims: &Claims) -> bool {
        (self.roles.is_empty() || self.roles.iter().any(|role| claims.has_role(role)))
            && self.scopes.iter().all(|scope| claims.has_scope(scope))
    }
}

/// The demands of every guarded field, by `Type.field` and by returned type.
#[derive(Debug, Clone, Default)]
pub struct AccessRequirements {
    fields: HashMap<(String, String), Vec<Requirement>>,
    types: HashMap<String, Vec<Requirement>>,
}

impl AccessRequirements {
    /// Reads the directives of a supergraph document.
    pub fn from_schema(document: &Document) -> Self {
        let mut requirements = Self::default();
        for definition in &document.definitions {
            let (name, directives, fields) = match definition {
                Definition::TypeDefinition(TypeDefinition::Object(object)) => {
                    (&object.name, &object.directives, Some(&object.fields))
                }
                Definition::TypeDefinition(TypeDefinition::Interface(interface)) => {
                    (&interface.name, &interface.directives, Some(&interface.fields))
                }
                Definition::TypeDefinition(TypeDefinition::Scalar(scalar)) => (&scalar.name, &scalar.directives, None),
                Definition::TypeDefinition(TypeDefinition::Enum(enumeration)) => {
                    (&enumeration.name, &enumeration.directives, None)
                }
                Definition::TypeExtension(TypeExtension::Object(object)) => {
                    (&object.name, &object.directives, Some(&object.fields))
                }
                _ => continue,
            };
            let own = demands(directives);
            if !own.is_empty() {
                requirements.types.entry(name.clone()).or_default().extend(own);
            }
            for field in fields.into_iter().flatten() {
                let own = demands(&field.directives);
                if !own.is_empty() {
                    requirements
                        .fields
                        .entry((name.clone(), field.name.clone()))
                        .or_default()
                        .extend(own);
                }
            }
        }
        requirements
    }

    /// Whether nothing in the schema is guarded (the common case; enforcement is then skipped entirely).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.types.is_empty()
    }

    /// Whether a caller with `claims` (`None`: anonymous) may read `parent.field`, which returns `returns`.
    pub fn allows(
        &self,
        parent: &str,
        field: &str,
        returns: Option<&str>,
        claims: Option<&Claims>,
        policies: &BTreeMap<String, PolicyRule>,
    ) -> bool {
        let own = self.fields.get(&(parent.to_owned(), field.to_owned()));
        let of_type = returns.and_then(|named| self.types.get(named));
        own.into_iter()
            .chain(of_type)
            .flatten()
            .all(|requirement| satisfied(requirement, claims, policies))
    }
}

fn satisfied(requirement: &Requirement, claims: Option<&Claims>, policies: &BTreeMap<String, PolicyRule>) -> bool {
    let Some(claims) = claims else {
        return false;
    };
    match requirement {
        Requirement::Authenticated => true,
        Requirement::Scopes(sets) => sets.iter().any(|set| set.iter().all(|scope| claims.has_scope(scope))),
        Requirement::Policies(sets) => sets.iter().any(|set| {
            set.iter()
                .all(|name| policies.get(name).is_some_and(|rule| rule.holds(claims)))
        }),
    }
}

/// The demands among `directives`, by name (`federation__`-prefixed names included).
fn demands(directives: &[Directive]) -> Vec<Requirement> {
    directives
        .iter()
        .filter_map(|directive| {
            let name = directive.name.strip_prefix("federation__").unwrap_or(&directive.name);
            match name {
                "authenticated" => Some(Requirement::Authenticated),
                "requiresScopes" => Some(Requirement::Scopes(nested_strings(directive, "scopes"))),
                "policy" => Some(Requirement::Policies(nested_strings(directive, "policies"))),
                _ => None,
            }
        })
        .collect()
}

/// The `[[String]]` argument `name` of `directive`; a malformed argument reads as no set at all, which no caller
/// satisfies (guarded fields fail closed).
fn nested_strings(directive: &Directive, name: &str) -> Vec<Vec<String>> {
    let Some((_, Value::List(sets))) = directive.arguments.iter().find(|(argument, _)| argument == name) else {
        return Vec::new();
    };
    sets.iter()
        .filter_map(|set| match set {
            Value::List(items) => Some(
                items
                    .iter()
                    .filter_map(|item| match item {
                        Value::String(text) => Some(text.clone()),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}
