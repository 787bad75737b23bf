//! The `response` stage: the executor's merged data in, the client's JSON response out.
//!
//! [`SchemaIndex`] is built once per supergraph; [`Projection`] once per operation (cached with its plan). At
//! request time [`Projection::write_response`] projects exactly the client's selection (aliases, fragments by
//! `__typename`, `__typename` itself), drops what the planner added, coerces leaves, applies null propagation,
//! and writes `{"data":…,"errors":[…]}` straight into the output buffer.

mod error;
pub(crate) mod json;
mod projection;
mod schema_index;
pub mod value;
mod write;

#[cfg(test)]
pub(crate) mod test_schema;
#[cfg(test)]
mod tests;

pub use error::{GraphQLError, PathElement};
pub use projection::{Projection, ProjectionError};
pub use schema_index::{FieldType, SchemaIndex, TypeKind, Wrapping};
