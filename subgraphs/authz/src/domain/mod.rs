//! Authz's types and rules, free of I/O: permissions, resources, role names, subjects, and [`decide`], the pure
//! function every Check ends in.

mod decision;
mod name;
mod permission;
mod resource;

pub use decision::{Decision, EffectiveBinding, OWNER_ACTIONS, Request, decide, decide_disabled};
pub use name::{Action, Kind, RoleName, SubjectId};
pub use permission::{Permission, Segment};
pub use resource::{ResourceRef, Scope};

/// Why a value from a client is not acceptable; the text is shown to the client as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);

impl InvalidInput {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// The roles every database starts with; they can be changed (except `admin`) but not deleted.
pub const BUILT_IN_ROLES: [&str; 3] = ["admin", "editor", "member"];

/// The role whose permissions are fixed to `*:*`, so that no change can lock every administrator out.
pub const ADMIN_ROLE: &str = "admin";

/// The permission that lets a caller manage roles and bindings, decided by the engine itself.
pub const MANAGE_ROLES: (&str, &str) = ("role", "manage");
