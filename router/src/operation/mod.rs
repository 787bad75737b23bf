//! The `operation` stage: a request's document in, a validated [`PreparedOperation`] out — or a
//! [`RequestError`] with the code a client branches on.
//!
//! [`prepare_document`] parses (under the token limit), picks the operation by name, checks the operation
//! limits, validates the whole document against the API schema, and refuses subscriptions and, when disabled,
//! introspection. Its result depends only on the document text and operation name, so the pipeline caches it
//! ([`crate::cache`]). Per request, [`coerce_variables`] checks the variables and
//! [`PreparedOperation::ensure_allowed_over_get`] refuses mutations sent with GET. Operations that only
//! introspect are answered by [`introspection`] and never reach the planner.

mod error;
mod incremental;
pub mod introspection;
mod limits;
mod literal;
mod parse;
mod prepared;
mod schema;
mod validate;
mod variables;

pub use error::{ErrorExtensions, GraphQLError, LimitKind, Location, RequestError, ValidationIssue, VariableIssue};
pub(crate) use prepared::fragments as fragments_of;
pub use prepared::{OperationKind, PreparedOperation};
pub use schema::{OperationSchema, SchemaError};
pub use variables::coerce_variables;

use crate::config::{LimitsConfig, RouterConfig};

/// What an operation must satisfy besides the schema: the limits and whether introspection is allowed.
#[derive(Debug, Clone, Default)]
pub struct OperationPolicy {
    /// Depth, aliases, root fields and tokens.
    pub limits: LimitsConfig,
    /// Whether `__schema` and `__type` may be selected.
    pub introspection_enabled: bool,
}

impl OperationPolicy {
    /// The policy the configuration describes.
    pub fn from_config(config: &RouterConfig) -> Self {
        Self {
            limits: config.limits.clone(),
            introspection_enabled: config.introspection.enabled,
        }
    }
}

/// Parses, selects, limits and validates `text` run as `operation_name` against `schema`.
///
/// Limits are checked before validation, so an oversized operation is refused before the (superlinear)
/// validation rules run on it; an unknown or missing operation name is reported after validation, so errors in
/// the document come first.
pub fn prepare_document(
    schema: &OperationSchema,
    text: &str,
    operation_name: Option<&str>,
    policy: &OperationPolicy,
) -> Result<PreparedOperation, RequestError> {
    let document = tracing::info_span!("parse").in_scope(|| parse::parse(text, policy.limits.max_tokens))?;
    let selected = parse::select_operation(&document, operation_name);
    if let Ok(at) = selected
        && let Some(graphql_tools::static_graphql::query::Definition::Operation(operation)) =
            document.definitions.get(at)
    {
        limits::check(&document, operation.selection_set(), &policy.limits)?;
    }
    // Checked before validation: the API schema does not declare these directives, and "unknown directive" would
    // hide that the router does not do incremental delivery.
    if let Some(directive) = incremental::requested(&document) {
        return Err(RequestError::IncrementalDeliveryNotSupported(directive));
    }
    tracing::info_span!("validate").in_scope(|| validate::validate(schema, &document))?;
    let prepared = PreparedOperation::new(document, selected?).ok_or(RequestError::NoOperation)?;
    match prepared.kind() {
        OperationKind::Subscription => return Err(RequestError::SubscriptionNotSupported),
        OperationKind::Mutation if schema.mutation_type().is_none() => {
            return Err(RequestError::Validation(vec![ValidationIssue {
                message: "The schema does not support mutations.".to_owned(),
                locations: Vec::new(),
            }]));
        }
        OperationKind::Mutation | OperationKind::Query => {}
    }
    if !policy.introspection_enabled && prepared.selects_introspection() {
        return Err(RequestError::IntrospectionDisabled {
            locations: prepared.introspection_locations().to_vec(),
        });
    }
    Ok(prepared)
}

impl PreparedOperation {
    /// Refuses a mutation sent with GET (GraphQL over HTTP: GET may only read); answer with 405.
    pub fn ensure_allowed_over_get(&self) -> Result<(), RequestError> {
        match self.kind() {
            OperationKind::Mutation => Err(RequestError::MutationOverGet),
            OperationKind::Query | OperationKind::Subscription => Ok(()),
        }
    }
}

#[cfg(test)]
pub(crate) mod test_schema;
#[cfg(test)]
mod tests;
