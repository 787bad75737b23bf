//! Validation of the document against the API schema with every rule `graphql-tools` implements.

use graphql_tools::static_graphql::query::Document;
use graphql_tools::validation::validate::validate as run_rules;

use super::error::{Location, RequestError, ValidationIssue};
use super::schema::OperationSchema;

/// Validates the whole document (every operation and fragment), as the specification requires.
pub(crate) fn validate(schema: &OperationSchema, document: &Document) -> Result<(), RequestError> {
    let errors = run_rules(schema.document(), document, schema.validation_plan());
    if errors.is_empty() {
        return Ok(());
    }
    let issues = errors
        .into_iter()
        .map(|error| ValidationIssue {
            message: error.message,
            locations: error.locations.into_iter().map(Location::from).collect(),
        })
        .collect();
    Err(RequestError::Validation(issues))
}
