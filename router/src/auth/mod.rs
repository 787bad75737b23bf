//! Authentication at the edge: the client's token, from the configured header or cookie, verified against the
//! JWKS of the issuer it names, before the operation is even parsed.
//!
//! A request without a token runs anonymously (unless `require_authentication`); one whose token does not
//! verify is refused with `401` and `UNAUTHENTICATED`. A verified token travels on to the subgraphs as
//! `Authorization: Bearer …` (also when it came from a cookie), with the configured claims copied into headers.
//! Client-sent headers with those names are removed on every request, verified or not.

//!
//! Authorization by the schema's directives happens after validation: [`enforce::restrict`] takes the fields a
//! caller may not read out of the operation before it is planned ([`requirements`] says which those are).

mod authenticator;
pub mod enforce;
pub mod requirements;

pub use authenticator::{AuthConfigError, Authenticated, Authenticator};
