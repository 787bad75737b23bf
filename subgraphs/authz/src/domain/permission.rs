//! Permissions: `resource:action`, with `*` standing for any resource kind or any action.

use std::fmt;

use super::InvalidInput;
use super::name::{Action, Kind, shown};

/// One side of a permission: a named kind or action, or `*` for any.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// `*`: matches every kind or action.
    Any,
    /// A kind or action by name.
    Named(String),
}

impl Segment {
    fn matches(&self, name: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Named(own) => own == name,
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Named(name) => f.write_str(name),
        }
    }
}

/// A permission a role grants, e.g. `post:publish`, `post:*` or `*:*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission {
    kind: Segment,
    action: Segment,
}

impl Permission {
    /// Parses `kind:action`, where each side is a lowercase identifier or `*`.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let Some((kind, action)) = text.split_once(':') else {
            return Err(InvalidInput::new(format!(
                "the permission `{}` is not of the form `resource:action` (e.g. `post:publish`)",
                shown(text)
            )));
        };
        let kind = segment(kind, text, |k| Kind::parse(k).map(|k| k.as_str().to_owned()))?;
        let action = segment(action, text, |a| Action::parse(a).map(|a| a.as_str().to_owned()))?;
        Ok(Self { kind, action })
    }

    /// The permission a check asks for: exactly `kind:action`.
    pub fn exact(kind: &Kind, action: &Action) -> Self {
        Self {
            kind: Segment::Named(kind.as_str().to_owned()),
            action: Segment::Named(action.as_str().to_owned()),
        }
    }

    /// Whether this permission grants `action` on resources of `kind`.
    pub fn grants(&self, kind: &Kind, action: &Action) -> bool {
        self.kind.matches(kind.as_str()) && self.action.matches(action.as_str())
    }
}

fn segment(
    part: &str,
    whole: &str,
    parse: impl FnOnce(&str) -> Result<String, InvalidInput>,
) -> Result<Segment, InvalidInput> {
    if part == "*" {
        return Ok(Segment::Any);
    }
    parse(part)
        .map(Segment::Named)
        .map_err(|error| InvalidInput::new(format!("the permission `{}` is malformed: {error}", shown(whole))))
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(k: &str) -> Kind {
        Kind::parse(k).unwrap()
    }

    fn action(a: &str) -> Action {
        Action::parse(a).unwrap()
    }

    #[test]
    fn well_formed_permissions_round_trip() {
        for text in ["post:publish", "post:*", "*:read", "*:*", "org_unit:manage-members"] {
            assert_eq!(Permission::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn malformed_permissions_are_refused() {
        for bad in [
            "",
            "post",
            "post:",
            ":publish",
            "Post:Publish",
            "post:publish:now",
            "post :publish",
            "po*st:read",
            "post:pub lish",
            "'; DROP TABLE roles; --",
            "post:publish' OR '1'='1",
            "**:read",
        ] {
            assert!(Permission::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn wildcards_match_any_kind_or_action() {
        let exact = Permission::parse("post:publish").unwrap();
        assert!(exact.grants(&kind("post"), &action("publish")));
        assert!(!exact.grants(&kind("post"), &action("delete")));
        assert!(!exact.grants(&kind("comment"), &action("publish")));
        assert!(
            Permission::parse("post:*")
                .unwrap()
                .grants(&kind("post"), &action("delete"))
        );
        assert!(
            !Permission::parse("post:*")
                .unwrap()
                .grants(&kind("comment"), &action("delete"))
        );
        assert!(
            Permission::parse("*:read")
                .unwrap()
                .grants(&kind("invoice"), &action("read"))
        );
        assert!(
            Permission::parse("*:*")
                .unwrap()
                .grants(&kind("role"), &action("manage"))
        );
    }
}
