//! Why an operation was refused before execution, and the GraphQL errors a client sees for it.

use kernel::error_code::ErrorCode;
use serde::Serialize;

/// A position in the operation document (1-based), as GraphQL errors report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

impl From<graphql_tools::parser::Pos> for Location {
    fn from(pos: graphql_tools::parser::Pos) -> Self {
        Self {
            line: pos.line,
            column: pos.column,
        }
    }
}

/// One GraphQL error as serialized in a response's `errors` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphQLError {
    /// What went wrong, for a person.
    pub message: String,
    /// Where in the document, when known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    /// The machine-readable class.
    pub extensions: ErrorExtensions,
}

/// The `extensions` of a [`GraphQLError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ErrorExtensions {
    /// The code a client branches on.
    pub code: ErrorCode,
}

impl GraphQLError {
    /// An error with a code and no location.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            locations: Vec::new(),
            extensions: ErrorExtensions { code },
        }
    }

    /// The same error pointing at `locations`.
    pub fn at(mut self, locations: impl IntoIterator<Item = Location>) -> Self {
        self.locations.extend(locations);
        self
    }
}

/// One problem found by validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationIssue {
    /// The validation rule's message.
    pub message: String,
    /// Where the problem is.
    pub locations: Vec<Location>,
}

/// Which operation limit was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// Field nesting depth.
    Depth,
    /// Aliased fields.
    Aliases,
    /// Fields on the root type.
    RootFields,
}

impl std::fmt::Display for LimitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Depth => "depth",
            Self::Aliases => "number of aliases",
            Self::RootFields => "number of root fields",
        })
    }
}

/// An operation refused before execution; every variant maps to an [`ErrorCode`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    /// The document is not valid GraphQL syntax.
    #[error("{message}")]
    Parse {
        /// The parser's message.
        message: String,
        /// Where parsing stopped.
        location: Option<Location>,
    },
    /// The document has more tokens than `limits.max_tokens` allows.
    #[error("the operation has more than {limit} tokens")]
    TokenLimit {
        /// The configured limit.
        limit: usize,
    },
    /// The document defines no operation (only fragments).
    #[error("the document does not contain an operation")]
    NoOperation,
    /// `operationName` names no operation of the document.
    #[error("unknown operation named \"{0}\"")]
    UnknownOperation(String),
    /// The document has several operations and the request did not name one.
    #[error("the document contains several operations; operationName must name the one to run")]
    OperationNameRequired,
    /// The document does not validate against the API schema.
    #[error("{}", .0.first().map_or("the operation is invalid", |issue| issue.message.as_str()))]
    Validation(Vec<ValidationIssue>),
    /// The operation exceeds a configured limit.
    #[error("the operation's {kind} is {actual}, above the limit of {max}")]
    Limit {
        /// Which limit.
        kind: LimitKind,
        /// The operation's value (counted until the limit was passed).
        actual: u64,
        /// The configured limit.
        max: usize,
    },
    /// Variable values that do not fit the operation's variable definitions.
    #[error("{}", .0.first().map_or("invalid variables", |issue| issue.message.as_str()))]
    Variables(Vec<VariableIssue>),
    /// Subscriptions are not executed by this router.
    #[error("subscription operations are not supported")]
    SubscriptionNotSupported,
    /// `@defer` and `@stream` (incremental delivery) are not executed by this router.
    #[error("@{0} is not supported by this router; send the operation without it")]
    IncrementalDeliveryNotSupported(&'static str),
    /// A mutation was sent with GET, which may only read.
    #[error("mutations cannot be sent with GET; use POST")]
    MutationOverGet,
    /// The operation selects `__schema` or `__type` while introspection is disabled.
    #[error("introspection is disabled, but the operation selects __schema or __type")]
    IntrospectionDisabled {
        /// Where the introspection fields are.
        locations: Vec<Location>,
    },
}

/// One variable whose value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableIssue {
    /// The variable's name, without `$`.
    pub variable: String,
    /// The full message, naming the variable.
    pub message: String,
    /// The variable's definition in the document.
    pub location: Location,
}

impl RequestError {
    /// The code every GraphQL error of this failure carries.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Parse { .. } => ErrorCode::GraphqlParseFailed,
            Self::TokenLimit { .. } | Self::Limit { .. } => ErrorCode::OperationLimitExceeded,
            Self::NoOperation | Self::UnknownOperation(_) | Self::OperationNameRequired | Self::Validation(_) => {
                ErrorCode::GraphqlValidationFailed
            }
            Self::IntrospectionDisabled { .. } => ErrorCode::GraphqlValidationFailed,
            Self::Variables(_) => ErrorCode::BadUserInput,
            Self::SubscriptionNotSupported | Self::IncrementalDeliveryNotSupported(_) => {
                ErrorCode::OperationNotSupported
            }
            Self::MutationOverGet => ErrorCode::MethodNotAllowed,
        }
    }

    /// The errors a client sees: one per validation issue or refused variable, otherwise one.
    pub fn to_graphql_errors(&self) -> Vec<GraphQLError> {
        let code = self.code();
        match self {
            Self::Validation(issues) => issues
                .iter()
                .map(|issue| GraphQLError::new(code, issue.message.clone()).at(issue.locations.iter().copied()))
                .collect(),
            Self::Variables(issues) => issues
                .iter()
                .map(|issue| GraphQLError::new(code, issue.message.clone()).at([issue.location]))
                .collect(),
            Self::Parse { location, .. } => vec![GraphQLError::new(code, self.to_string()).at(*location)],
            Self::IntrospectionDisabled { locations } => {
                vec![GraphQLError::new(code, self.to_string()).at(locations.iter().copied())]
            }
            _ => vec![GraphQLError::new(code, self.to_string())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_serializes_with_locations_and_code() {
        let error =
            GraphQLError::new(ErrorCode::GraphqlParseFailed, "Unexpected `}`").at([Location { line: 1, column: 3 }]);
        let json = serde_json::to_string(&error).expect("serializes");
        assert_eq!(
            json,
            r#"{"message":"Unexpected `}`","locations":[{"line":1,"column":3}],"extensions":{"code":"GRAPHQL_PARSE_FAILED"}}"#
        );
    }

    #[test]
    fn validation_issues_become_one_error_each() {
        let issue = |message: &str| ValidationIssue {
            message: message.into(),
            locations: vec![],
        };
        let error = RequestError::Validation(vec![issue("first"), issue("second")]);
        let errors = error.to_graphql_errors();
        assert_eq!(errors.len(), 2);
        assert!(
            errors
                .iter()
                .all(|e| e.extensions.code == ErrorCode::GraphqlValidationFailed)
        );
        assert_eq!(error.to_string(), "first");
    }
}
