//! The `http` stage: GraphQL over HTTP as the GraphQL-over-HTTP specification describes it.
//!
//! - `POST` with an `application/json` body (`query`, `operationName`, `variables`, `extensions`); other body
//!   types get 415, bodies over `limits.max_body_bytes` get 413, malformed ones 400.
//! - `GET` with the same parameters in the query string (`variables`/`extensions` as JSON text), for queries:
//!   a mutation over GET gets 405 with `METHOD_NOT_ALLOWED`.
//! - Responses are `application/graphql-response+json` when the client accepts it (request errors then get
//!   4xx statuses) and `application/json` otherwise (request errors then get 200, as the specification's legacy
//!   rules say). Every error body carries `extensions.code`.
//! - A browser `GET` (Accept includes `text/html`) without a `query` gets GraphiQL, whose assets the router
//!   serves itself under [`graphiql::ASSET_PREFIX`].
//! - An operation sent with `GET` needs a preflight header ([`csrf`]); cross-origin browsers are let in by the
//!   `[cors]` rules ([`cors`]); every response carries the request's `X-Request-Id` ([`request_id`]).
//!
//! The edge decodes requests and calls a [`GraphQLHandler`]; [`OperationPipeline`] is the router's. `/healthz`,
//! `/readyz` and `/metrics` come from `kernel::server`, which the router built here is mounted into.

pub mod cors;
pub mod csrf;
mod endpoint;
mod error;
pub mod graphiql;
mod handler;
mod negotiate;
pub mod persisted;
mod pipeline;
mod request;
pub mod request_id;

use std::sync::Arc;

use axum::Router;
use axum::routing::any;

pub use error::HttpError;
pub use handler::{GraphQLHandler, GraphQLResponse, RequestContext, RequestMethod};
pub use negotiate::{GRAPHQL_RESPONSE_JSON, ResponseFormat};
pub use pipeline::{CachedOperation, ExecutionStage, OperationPipeline};
pub use request::GraphQLRequest;
// For the fuzz targets, which decode GET requests as the endpoint does.
#[doc(hidden)]
pub use request::{QueryParams, query_params};

use crate::config::RouterConfig;
use cors::CorsConfigError;
use csrf::{CsrfConfigError, CsrfGuard};
use endpoint::EndpointState;

/// The path of the GraphQL endpoint unless configured otherwise.
pub const DEFAULT_ENDPOINT: &str = "/graphql";

/// How the HTTP edge is set up.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// The path of the GraphQL endpoint.
    pub endpoint: String,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Whether browsers get GraphiQL at the endpoint.
    pub graphiql: bool,
    /// Which browser origins may call the endpoint; `None` sends no CORS headers.
    pub cors: Option<tower_http::cors::CorsLayer>,
    /// The CSRF check GET operations pass.
    pub csrf: CsrfGuard,
}

/// Why the HTTP sections of the configuration cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpConfigError {
    /// The `[cors]` section.
    #[error(transparent)]
    Cors(#[from] CorsConfigError),
    /// The `[csrf]` section.
    #[error(transparent)]
    Csrf(#[from] CsrfConfigError),
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            max_body_bytes: crate::config::LimitsConfig::default().max_body_bytes,
            graphiql: true,
            cors: None,
            csrf: CsrfGuard::default(),
        }
    }
}

impl HttpOptions {
    /// The options the configuration describes.
    pub fn from_config(config: &RouterConfig) -> Result<Self, HttpConfigError> {
        Ok(Self {
            max_body_bytes: config.limits.max_body_bytes,
            cors: cors::layer(&config.cors)?,
            csrf: CsrfGuard::from_config(&config.csrf)?,
            ..Self::default()
        })
    }
}

/// The router's HTTP routes: the GraphQL endpoint and the GraphiQL assets, ready for
/// `kernel::server::Server::builder(..).http(..)`.
pub fn router(handler: Arc<dyn GraphQLHandler>, options: HttpOptions) -> Router {
    let state = Arc::new(EndpointState {
        handler,
        max_body_bytes: options.max_body_bytes,
        graphiql_page: options.graphiql.then(|| graphiql::page(&options.endpoint)),
        csrf: options.csrf,
    });
    let mut routes = Router::new()
        .route(&options.endpoint, any(endpoint::serve))
        .with_state(state);
    if options.graphiql {
        routes = routes.merge(graphiql::asset_routes());
    }
    match options.cors {
        Some(cors) => routes.layer(cors),
        None => routes,
    }
}
