//! Serving a federation subgraph: every request's bearer token verified before any resolver runs, the caller
//! handed to resolvers, and errors that carry the shared `extensions.code`.
//!
//! A subgraph mounts [`routes`] and reads the [`Caller`] from the resolver context. A request without a token runs
//! as an anonymous caller (sign-in must work without one); a request with a token that does not verify is refused
//! as a whole with `UNAUTHENTICATED`, before any field resolves, so a forged token never reaches business code.

mod caller;

use std::net::SocketAddr;
use std::sync::Arc;

use async_graphql::{ErrorExtensions, ObjectType, Schema, SubscriptionType};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};
use axum::Extension;
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::routing::post;
use secrecy::{ExposeSecret, SecretString};

pub use caller::Caller;

use crate::auth::JwtVerifier;
use crate::error_code::ErrorCode;

/// The path every subgraph serves GraphQL on.
pub const GRAPHQL_PATH: &str = "/graphql";

/// A GraphQL error a client can branch on: `message` for people, `extensions.code` for code.
pub fn error(code: ErrorCode, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, extensions| extensions.set("code", code.as_str()))
}

/// `POST /graphql` serving `schema`, with the caller authenticated by `verifier` (single and batched requests).
pub fn routes<Query, Mutation, Subscription>(
    schema: Schema<Query, Mutation, Subscription>,
    verifier: Arc<JwtVerifier>,
) -> Router
where
    Query: ObjectType + 'static,
    Mutation: ObjectType + 'static,
    Subscription: SubscriptionType + 'static,
{
    Router::new()
        .route(GRAPHQL_PATH, post(serve::<Query, Mutation, Subscription>))
        .with_state(Arc::new(Endpoint { schema, verifier }))
}

/// The subgraph's SDL with its federation directives, as the composition reads it and as `schema/` commits it.
pub fn federation_sdl<Query, Mutation, Subscription>(schema: &Schema<Query, Mutation, Subscription>) -> String
where
    Query: ObjectType + 'static,
    Mutation: ObjectType + 'static,
    Subscription: SubscriptionType + 'static,
{
    schema.sdl_with_options(async_graphql::SDLExportOptions::new().federation())
}

struct Endpoint<Query, Mutation, Subscription> {
    schema: Schema<Query, Mutation, Subscription>,
    verifier: Arc<JwtVerifier>,
}

async fn serve<Query, Mutation, Subscription>(
    State(endpoint): State<Arc<Endpoint<Query, Mutation, Subscription>>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    request: GraphQLBatchRequest,
) -> GraphQLResponse
where
    Query: ObjectType + 'static,
    Mutation: ObjectType + 'static,
    Subscription: SubscriptionType + 'static,
{
    let client_address = caller::client_address(&headers, peer.map(|Extension(ConnectInfo(addr))| addr.ip()));
    let caller = match bearer_token(&headers) {
        None => Caller::anonymous(client_address),
        Some(token) => match endpoint.verifier.verify(token.expose_secret()).await {
            Ok(claims) => Caller::authenticated(claims, token, client_address),
            Err(refused) => {
                tracing::debug!(reason = %refused, "refused a request whose token does not verify");
                let error = async_graphql::ServerError::new(refused.to_string(), None);
                let mut extensions = async_graphql::ErrorExtensionValues::default();
                extensions.set("code", refused.code().as_str());
                let error = async_graphql::ServerError {
                    extensions: Some(extensions),
                    ..error
                };
                return async_graphql::Response::from_errors(vec![error]).into();
            }
        },
    };
    let request = request.into_inner().data(caller);
    endpoint.schema.execute_batch(request).await.into()
}

/// The bare JWT from `Authorization: Bearer <jwt>`; any other scheme reads as no token.
fn bearer_token(headers: &HeaderMap) -> Option<SecretString> {
    crate::auth::bearer_token(headers.get(AUTHORIZATION)?.to_str().ok()?)
}

#[cfg(test)]
mod tests;
