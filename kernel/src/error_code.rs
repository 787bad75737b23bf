//! The error codes shared by the router and every subgraph: what a client branches on.
//!
//! Each code maps to a GraphQL `extensions.code` string and to the HTTP status a transport answers with when the
//! error is the whole response (a request-level error). Field errors inside a `200` response carry the code only.

use serde::{Deserialize, Serialize};

/// A machine-readable error class, rendered as `extensions.code` in GraphQL errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The request body or query string could not be decoded.
    BadRequest,
    /// The document is not valid GraphQL syntax.
    GraphqlParseFailed,
    /// The document does not validate against the schema.
    GraphqlValidationFailed,
    /// A variable or argument has a value the schema refuses.
    BadUserInput,
    /// The operation exceeds a configured limit (depth, aliases, root fields, tokens, size).
    OperationLimitExceeded,
    /// The operation uses a feature this server does not execute (e.g. subscriptions, `@defer`).
    OperationNotSupported,
    /// The HTTP method is not allowed for this operation (e.g. a mutation over GET).
    MethodNotAllowed,
    /// No credentials, or credentials that are invalid or expired.
    Unauthenticated,
    /// Authenticated, but not allowed to do this.
    Forbidden,
    /// A field or type the caller is not authorized to read was removed from the response.
    UnauthorizedFieldOrType,
    /// The requested resource does not exist (or is not visible to the caller).
    NotFound,
    /// The change conflicts with the current state (e.g. a unique value already taken).
    Conflict,
    /// Too many requests; retry after the advertised delay.
    RateLimited,
    /// A persisted query hash was sent without its document and is not known.
    PersistedQueryNotFound,
    /// A request to a subgraph failed (connection, status, malformed response).
    SubgraphRequestFailed,
    /// A request to a subgraph took longer than its timeout.
    SubgraphTimeout,
    /// A dependency (database, cache, broker) is unavailable.
    ServiceUnavailable,
    /// Anything else; details are logged, never sent to the client.
    InternalServerError,
}

impl ErrorCode {
    /// The `extensions.code` string, e.g. `"UNAUTHENTICATED"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "BAD_REQUEST",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::OperationLimitExceeded => "OPERATION_LIMIT_EXCEEDED",
            Self::OperationNotSupported => "OPERATION_NOT_SUPPORTED",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::UnauthorizedFieldOrType => "UNAUTHORIZED_FIELD_OR_TYPE",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::RateLimited => "RATE_LIMITED",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::SubgraphRequestFailed => "SUBGRAPH_REQUEST_FAILED",
            Self::SubgraphTimeout => "SUBGRAPH_TIMEOUT",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The HTTP status for a response whose only outcome is this error.
    pub const fn http_status(self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            Self::BadRequest
            | Self::GraphqlParseFailed
            | Self::GraphqlValidationFailed
            | Self::BadUserInput
            | Self::OperationLimitExceeded
            | Self::OperationNotSupported => StatusCode::BAD_REQUEST,
            Self::PersistedQueryNotFound => StatusCode::OK,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::UnauthorizedFieldOrType => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::SubgraphRequestFailed => StatusCode::BAD_GATEWAY,
            Self::SubgraphTimeout => StatusCode::GATEWAY_TIMEOUT,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::InternalServerError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The gRPC status code for the same failure, so internal calls and the graph agree.
    pub const fn grpc_code(self) -> tonic::Code {
        use tonic::Code;
        match self {
            Self::BadRequest
            | Self::GraphqlParseFailed
            | Self::GraphqlValidationFailed
            | Self::BadUserInput
            | Self::OperationLimitExceeded => Code::InvalidArgument,
            Self::OperationNotSupported | Self::MethodNotAllowed => Code::Unimplemented,
            Self::Unauthenticated => Code::Unauthenticated,
            Self::Forbidden | Self::UnauthorizedFieldOrType => Code::PermissionDenied,
            Self::NotFound | Self::PersistedQueryNotFound => Code::NotFound,
            Self::Conflict => Code::AlreadyExists,
            Self::RateLimited => Code::ResourceExhausted,
            Self::SubgraphRequestFailed | Self::ServiceUnavailable => Code::Unavailable,
            Self::SubgraphTimeout => Code::DeadlineExceeded,
            Self::InternalServerError => Code::Internal,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn serde_form_matches_the_extensions_code() {
        for code in [
            ErrorCode::Unauthenticated,
            ErrorCode::UnauthorizedFieldOrType,
            ErrorCode::BadUserInput,
        ] {
            let json = serde_json::to_string(&code).expect("a unit variant serializes");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn request_level_errors_map_to_their_http_status() {
        assert_eq!(ErrorCode::Unauthenticated.http_status(), http::StatusCode::UNAUTHORIZED);
        assert_eq!(
            ErrorCode::RateLimited.http_status(),
            http::StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            ErrorCode::MethodNotAllowed.http_status(),
            http::StatusCode::METHOD_NOT_ALLOWED
        );
    }
}
