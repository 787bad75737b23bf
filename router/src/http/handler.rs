//! The seam between the HTTP edge and the rest of the pipeline: a decoded request in, a response out.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use kernel::auth::Claims;

use super::error::errors_body;
use super::negotiate::ResponseFormat;
use super::request::GraphQLRequest;
use crate::operation::{GraphQLError, RequestError};

/// How the request arrived; GET may only run queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestMethod {
    /// Parameters in the query string.
    Get,
    /// Parameters in a JSON body.
    Post,
}

/// What the HTTP edge knows about a request besides its GraphQL parameters.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// GET or POST.
    pub method: RequestMethod,
    /// The negotiated response media type; decides the status of request errors.
    pub format: ResponseFormat,
    /// The request's headers (authorization, tracing, headers to forward).
    pub headers: HeaderMap,
    /// The client's address, when the server recorded it.
    pub peer: Option<SocketAddr>,
    /// The verified claims of the client's token; `None` for anonymous requests or when the router does not
    /// verify tokens.
    pub claims: Option<Arc<Claims>>,
}

/// A GraphQL response ready for the wire: status, JSON body and any headers of its own (`Retry-After`). The edge
/// adds `Content-Type` from the negotiated format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphQLResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The serialized GraphQL response (`{"data":…,"errors":…}`).
    pub body: Bytes,
    /// Headers the response carries besides those the edge sets; usually empty.
    pub headers: HeaderMap,
}

impl GraphQLResponse {
    /// A 200 response with `body`.
    pub fn ok(body: impl Into<Bytes>) -> Self {
        Self {
            status: StatusCode::OK,
            body: body.into(),
            headers: HeaderMap::new(),
        }
    }

    /// A response holding only `errors`, with `status`.
    pub fn errors(status: StatusCode, errors: &[GraphQLError]) -> Self {
        Self {
            status,
            body: errors_body(errors),
            headers: HeaderMap::new(),
        }
    }

    /// The response to a request refused by the operation stage, with the status `format` prescribes.
    pub fn request_error(error: &RequestError, format: ResponseFormat) -> Self {
        Self::errors(format.request_error_status(error.code()), &error.to_graphql_errors())
    }

    /// A response holding one `error`, with the status `format` prescribes for its code.
    pub fn error(error: GraphQLError, format: ResponseFormat) -> Self {
        Self::errors(format.request_error_status(error.extensions.code), &[error])
    }
}

/// Runs one GraphQL request. The HTTP edge decodes requests and calls this; the pipeline (operation cache,
/// planning, execution) implements it, and tests implement it to drive the edge alone.
#[async_trait::async_trait]
pub trait GraphQLHandler: Send + Sync + 'static {
    /// Answers `request`. Never fails: every failure is a GraphQL response with an error and a status.
    async fn execute(&self, request: GraphQLRequest, context: RequestContext) -> GraphQLResponse;
}
