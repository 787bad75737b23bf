//! Requests refused at the HTTP edge, before the operation is looked at, and the error bodies all refusals use.

use bytes::Bytes;
use http::StatusCode;
use kernel::error_code::ErrorCode;
use serde::Serialize;

use crate::operation::GraphQLError;

/// A request that is not a well-formed GraphQL-over-HTTP request; its status is the same in every format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The body is not JSON.
    #[error("the request body is not valid JSON: {0}")]
    InvalidJson(String),
    /// The JSON (or query string) does not have the shape of a GraphQL request.
    #[error("the request is not a valid GraphQL request: {0}")]
    InvalidRequest(String),
    /// The request has no `query`.
    #[error("the request has no `query`")]
    MissingQuery,
    /// A POST body that is not `application/json`.
    #[error("POST requests must have `Content-Type: application/json`, not `{0}`")]
    UnsupportedMediaType(String),
    /// The body is larger than `limits.max_body_bytes`.
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// Neither GET nor POST.
    #[error("the GraphQL endpoint accepts GET and POST, not {0}")]
    MethodNotAllowed(String),
    /// The body could not be read (the client went away mid-upload).
    #[error("the request body could not be read")]
    BodyUnreadable,
    /// A GET operation without a preflight header, which a browser could have sent from any site.
    #[error("operations sent with GET must carry one of these headers: {0} (cross-site request forgery prevention)")]
    CsrfPrevented(String),
}

impl HttpError {
    /// The HTTP status of the refusal.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidJson(_)
            | Self::InvalidRequest(_)
            | Self::MissingQuery
            | Self::BodyUnreadable
            | Self::CsrfPrevented(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    /// The `extensions.code` of the refusal.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::PayloadTooLarge { .. } => ErrorCode::OperationLimitExceeded,
            Self::MethodNotAllowed(_) => ErrorCode::MethodNotAllowed,
            _ => ErrorCode::BadRequest,
        }
    }

    /// The refusal as the GraphQL error a client reads.
    pub fn to_graphql_error(&self) -> GraphQLError {
        GraphQLError::new(self.code(), self.to_string())
    }
}

#[derive(Serialize)]
struct ErrorsBody<'a> {
    errors: &'a [GraphQLError],
}

/// The body `{"errors":[…]}`.
pub(crate) fn errors_body(errors: &[GraphQLError]) -> Bytes {
    // Serializing these plain structs to memory has no failure path; keep a valid body regardless.
    serde_json::to_vec(&ErrorsBody { errors })
        .map(Bytes::from)
        .unwrap_or_else(|_| {
            Bytes::from_static(
                br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#,
            )
        })
}
