//! Who is calling: the verified claims of the request's token, if it had one, and where it came from.

use std::net::IpAddr;

use axum::http::HeaderMap;
use secrecy::SecretString;

use super::error;
use crate::auth::Claims;
use crate::error_code::ErrorCode;

/// The caller of one GraphQL request, put into the resolver context by [`super::routes`].
#[derive(Debug, Clone)]
pub struct Caller {
    claims: Option<Claims>,
    token: Option<SecretString>,
    client_address: Option<IpAddr>,
}

impl Caller {
    /// A caller without a token.
    pub fn anonymous(client_address: Option<IpAddr>) -> Self {
        Self {
            claims: None,
            token: None,
            client_address,
        }
    }

    /// A caller whose `token` verified to `claims`.
    pub fn authenticated(claims: Claims, token: SecretString, client_address: Option<IpAddr>) -> Self {
        Self {
            claims: Some(claims),
            token: Some(token),
            client_address,
        }
    }

    /// The verified claims, when the request carried a token.
    pub fn claims(&self) -> Option<&Claims> {
        self.claims.as_ref()
    }

    /// The caller's verified claims, or an `UNAUTHENTICATED` error for an anonymous caller.
    pub fn require(&self) -> Result<&Claims, async_graphql::Error> {
        self.claims
            .as_ref()
            .ok_or_else(|| error(ErrorCode::Unauthenticated, "sign in to do this"))
    }

    /// The caller's claims when its token names `role`; `UNAUTHENTICATED` without a token, `FORBIDDEN` without
    /// the role.
    pub fn require_role(&self, role: &str) -> Result<&Claims, async_graphql::Error> {
        let claims = self.require()?;
        if claims.has_role(role) {
            Ok(claims)
        } else {
            Err(error(ErrorCode::Forbidden, format!("this needs the `{role}` role")))
        }
    }

    /// The token the caller presented, to forward on internal calls made on its behalf.
    pub fn token(&self) -> Option<&SecretString> {
        self.token.as_ref()
    }

    /// The client's address: the first `X-Forwarded-For` hop the router wrote, else the connection's peer.
    pub fn client_address(&self) -> Option<IpAddr> {
        self.client_address
    }
}

/// The client's address as a subgraph sees it. Subgraphs are reached only through the router (or by internal
/// callers), which writes the client's address first into `X-Forwarded-For`; without that header the peer is the
/// client.
pub(super) fn client_address(headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
    headers
        .get("x-forwarded-for")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(',').next())
        .and_then(|first| first.trim().parse().ok())
        .or(peer)
}
