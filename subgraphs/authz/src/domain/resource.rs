//! Resources a binding can be scoped to (`post:123`, `org:7`), and the scope of a binding.

use std::fmt;

use super::InvalidInput;
use super::name::{Kind, opaque_id, shown};

/// One resource: its kind and id, written `kind:id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceRef {
    kind: Kind,
    id: String,
}

impl ResourceRef {
    /// Parses `kind:id`, e.g. `post:123`; the id is everything after the first `:`.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let Some((kind, id)) = text.split_once(':') else {
            return Err(InvalidInput::new(format!(
                "the resource `{}` is not of the form `kind:id` (e.g. `post:123`)",
                shown(text)
            )));
        };
        Self::new(kind, id)
    }

    /// A resource from its parts, each checked.
    pub fn new(kind: &str, id: &str) -> Result<Self, InvalidInput> {
        let kind = Kind::parse(kind)?;
        opaque_id(id, "resource id")?;
        Ok(Self {
            kind,
            id: id.to_owned(),
        })
    }

    /// The resource's kind.
    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    /// The resource's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

/// Where a role binding applies: everywhere, or on one resource only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The role applies to every resource.
    Global,
    /// The role applies to this resource only.
    Resource(ResourceRef),
}

impl Scope {
    /// The scope stored as text: empty for global, `kind:id` for one resource.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        if text.is_empty() {
            Ok(Self::Global)
        } else {
            ResourceRef::parse(text).map(Self::Resource)
        }
    }

    /// The scope as stored: empty for global, `kind:id` for one resource.
    pub fn to_stored(&self) -> String {
        match self {
            Self::Global => String::new(),
            Self::Resource(resource) => resource.to_string(),
        }
    }

    /// The resource, for a scoped binding.
    pub fn resource(&self) -> Option<&ResourceRef> {
        match self {
            Self::Global => None,
            Self::Resource(resource) => Some(resource),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Global => f.write_str("globally"),
            Self::Resource(resource) => write!(f, "on `{resource}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_parse_as_kind_and_id() {
        let post = ResourceRef::parse("post:123").unwrap();
        assert_eq!(post.kind().as_str(), "post");
        assert_eq!(post.id(), "123");
        assert_eq!(ResourceRef::parse("org:7:sub").unwrap().id(), "7:sub");
        for bad in ["post", "post:", ":1", "Post:1", "post:1 2", "*:1"] {
            assert!(ResourceRef::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn empty_scope_is_global_and_round_trips() {
        assert_eq!(Scope::parse("").unwrap(), Scope::Global);
        assert_eq!(Scope::parse("org:7").unwrap().to_stored(), "org:7");
        assert_eq!(Scope::Global.to_stored(), "");
        assert_eq!(Scope::parse("post:1").unwrap().to_string(), "on `post:1`");
    }
}
