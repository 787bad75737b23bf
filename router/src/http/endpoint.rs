//! The GraphQL endpoint: decodes GET and POST requests, serves GraphiQL to browsers, calls the handler, and
//! writes the response with the negotiated media type.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE, VARY};
use http::{HeaderValue, Method, StatusCode};

use super::csrf::CsrfGuard;
use super::error::{HttpError, errors_body};
use super::graphiql;
use super::handler::{GraphQLHandler, GraphQLResponse, RequestContext, RequestMethod};
use super::negotiate::{ResponseFormat, accepts_html, check_request_content_type};
use super::request::{GraphQLRequest, query_params};
use super::request_id::{X_REQUEST_ID, request_id};

/// What every request to the endpoint shares.
pub(crate) struct EndpointState {
    pub(crate) handler: Arc<dyn GraphQLHandler>,
    pub(crate) max_body_bytes: usize,
    /// The rendered GraphiQL page, when GraphiQL is enabled.
    pub(crate) graphiql_page: Option<Bytes>,
    /// The check GET operations pass.
    pub(crate) csrf: CsrfGuard,
}

/// Serves one request and stamps its id on the response, whatever the outcome.
pub(crate) async fn serve(State(state): State<Arc<EndpointState>>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let id = request_id(&parts.headers);
    // The id goes into the request's own headers, so the subgraph fetches and the logs see the same one.
    parts.headers.insert(X_REQUEST_ID, id.clone());
    let mut response = answer(&state, parts, body).await;
    response.headers_mut().insert(X_REQUEST_ID, id);
    response
}

async fn answer(state: &EndpointState, parts: http::request::Parts, body: Body) -> Response {
    let format = ResponseFormat::from_headers(&parts.headers);
    let decoded = match parts.method {
        Method::GET => {
            let params = match query_params(&parts.uri) {
                Ok(params) => params,
                Err(error) => return refuse(&error, format),
            };
            if params.query.is_none()
                && accepts_html(&parts.headers)
                && let Some(page) = &state.graphiql_page
            {
                return graphiql::page_response(page);
            }
            if let Err(error) = state.csrf.check_get(&parts.headers) {
                return refuse(&error, format);
            }
            GraphQLRequest::from_query_params(params).map(|request| (request, RequestMethod::Get))
        }
        Method::POST => decode_post(&parts.headers, body, state.max_body_bytes)
            .await
            .map(|request| (request, RequestMethod::Post)),
        other => Err(HttpError::MethodNotAllowed(other.to_string())),
    };
    let (request, method) = match decoded {
        Ok(decoded) => decoded,
        Err(error) => return refuse(&error, format),
    };
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    let context = RequestContext {
        method,
        format,
        headers: parts.headers,
        peer,
        claims: None,
    };
    let response = state.handler.execute(request, context).await;
    respond(response, format)
}

async fn decode_post(headers: &http::HeaderMap, body: Body, limit: usize) -> Result<GraphQLRequest, HttpError> {
    check_request_content_type(headers)?;
    let bytes = read_body(headers, body, limit).await?;
    GraphQLRequest::from_json(&bytes)
}

/// Reads the body, refusing it as soon as it is known to exceed `limit` (from `Content-Length`, or while
/// streaming a body without one).
async fn read_body(headers: &http::HeaderMap, body: Body, limit: usize) -> Result<Bytes, HttpError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(HttpError::PayloadTooLarge { limit });
    }
    let capacity = declared.and_then(|length| usize::try_from(length).ok()).unwrap_or(0);
    let mut stream = body.into_data_stream();
    let mut collected = BytesMut::with_capacity(capacity);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| HttpError::BodyUnreadable)?;
        if collected.len() + chunk.len() > limit {
            return Err(HttpError::PayloadTooLarge { limit });
        }
        collected.extend_from_slice(&chunk);
    }
    Ok(collected.freeze())
}

fn refuse(error: &HttpError, format: ResponseFormat) -> Response {
    let mut response = respond(
        GraphQLResponse {
            status: error.status(),
            body: errors_body(&[error.to_graphql_error()]),
            headers: http::HeaderMap::new(),
        },
        format,
    );
    if let HttpError::MethodNotAllowed(_) = error {
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, POST"));
    }
    response
}

fn respond(response: GraphQLResponse, format: ResponseFormat) -> Response {
    let mut http_response = (response.status, response.body).into_response();
    let headers = http_response.headers_mut();
    headers.extend(response.headers);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    headers.insert(VARY, HeaderValue::from_static("Accept"));
    // A 405 from the pipeline is a mutation sent with GET.
    if response.status == StatusCode::METHOD_NOT_ALLOWED {
        headers.insert(ALLOW, HeaderValue::from_static("POST"));
    }
    http_response
}
