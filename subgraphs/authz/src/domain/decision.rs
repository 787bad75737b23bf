//! The decision function: given everything a subject holds, may it perform one action on one resource?
//!
//! Rules, in the order they are tried:
//!
//! 0. **Disabled subjects.** A subject identity has disabled is denied everything, whatever it holds or owns
//!    ([`decide_disabled`]): its access tokens live on until they expire, and this is what makes them worthless.
//! 1. **Global bindings.** A role bound to the subject globally applies to every resource; it allows the check
//!    when one of its permissions grants `<kind>:<action>` (`*` matches any kind or action).
//! 2. **Resource bindings.** A role bound on one resource (`post:123`) applies to that resource only: it allows
//!    a check on `post:123` and nothing else, not `post:124`, not a type-level check on `post`.
//! 3. **Ownership.** When the check says the resource's owner is the subject itself, the owner may `read`,
//!    `edit`, `delete`, `archive`, `cancel` and `pay` it ([`OWNER_ACTIONS`]) without any role. Ownership never
//!    grants other actions (an author cannot `publish` their own post without a role that grants it).
//!
//! Anything else is denied. Every decision carries a reason a person can read: the role and binding that allowed
//! it, the ownership rule, or what was looked for and not found.

use serde::{Deserialize, Serialize};

use super::name::{Action, Kind, SubjectId, opaque_id};
use super::{InvalidInput, Permission, RoleName, Scope};

/// The actions the ownership rule lets an owner take on what it owns.
pub const OWNER_ACTIONS: [&str; 6] = ["read", "edit", "delete", "archive", "cancel", "pay"];

/// A role bound to the subject, with the permissions the role grants at decision time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveBinding {
    /// The bound role.
    pub role: RoleName,
    /// Where the binding applies.
    pub scope: Scope,
    /// What the role grants.
    pub permissions: Vec<Permission>,
}

/// One question: may `subject` perform `action` on the resource of `kind` (and `id`, owned by `owner`)?
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Request {
    /// Who asks.
    pub subject: SubjectId,
    /// The resource's kind.
    pub kind: Kind,
    /// The action on it.
    pub action: Action,
    /// The resource's id; `None` for type-level checks such as "create a post".
    pub resource_id: Option<String>,
    /// The resource's owner, when the caller knows it.
    pub owner_id: Option<String>,
}

impl Request {
    /// Builds a request from wire values; empty `resource_id` and `owner_id` mean "none".
    pub fn new(
        subject: SubjectId,
        kind: &str,
        action: &str,
        resource_id: &str,
        owner_id: &str,
    ) -> Result<Self, InvalidInput> {
        let kind = Kind::parse(kind)?;
        let action = Action::parse(action)?;
        let resource_id = non_empty(resource_id, "resource id")?;
        let owner_id = non_empty(owner_id, "owner id")?;
        Ok(Self {
            subject,
            kind,
            action,
            resource_id,
            owner_id,
        })
    }

    /// The permission this request needs: `<kind>:<action>`.
    pub fn permission(&self) -> Permission {
        Permission::exact(&self.kind, &self.action)
    }

    /// How the resource is named in reasons: `post:123`, or `post` for a type-level check.
    fn target(&self) -> String {
        match &self.resource_id {
            Some(id) => format!("{}:{id}", self.kind),
            None => self.kind.to_string(),
        }
    }
}

fn non_empty(text: &str, what: &str) -> Result<Option<String>, InvalidInput> {
    if text.is_empty() {
        return Ok(None);
    }
    opaque_id(text, what)?;
    Ok(Some(text.to_owned()))
}

/// The answer to a [`Request`], with the reason shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Whether the action is allowed.
    pub allowed: bool,
    /// Which role, binding or rule allowed it, or why it was denied.
    pub reason: String,
}

impl Decision {
    fn allow(reason: String) -> Self {
        Self { allowed: true, reason }
    }

    fn deny(reason: String) -> Self {
        Self { allowed: false, reason }
    }
}

/// Decides `request` against every binding the subject holds; see the module docs for the rules.
pub fn decide(bindings: &[EffectiveBinding], request: &Request) -> Decision {
    let needed = request.permission();
    let applies = |binding: &&EffectiveBinding| match &binding.scope {
        Scope::Global => true,
        Scope::Resource(resource) => {
            *resource.kind() == request.kind && Some(resource.id()) == request.resource_id.as_deref()
        }
    };
    // Global bindings first, so the reason names the broadest grant, then the resource's own bindings.
    let ordered = bindings
        .iter()
        .filter(|b| b.scope == Scope::Global)
        .chain(bindings.iter().filter(|b| b.scope != Scope::Global));
    for binding in ordered.filter(applies) {
        if let Some(granting) = binding
            .permissions
            .iter()
            .find(|p| p.grants(&request.kind, &request.action))
        {
            return Decision::allow(format!(
                "allowed: role `{}` bound {} grants `{granting}`",
                binding.role, binding.scope
            ));
        }
    }
    let owns = request.owner_id.as_deref() == Some(request.subject.as_str());
    if owns && OWNER_ACTIONS.contains(&request.action.as_str()) {
        return Decision::allow(format!(
            "allowed: `{}` owns `{}`, and owners may read, edit, delete and archive what they own",
            request.subject,
            request.target()
        ));
    }
    if bindings.is_empty() {
        return Decision::deny(format!(
            "denied: `{}` holds no role, so nothing grants `{needed}`",
            request.subject
        ));
    }
    let held: Vec<String> = bindings.iter().map(|b| format!("`{}` {}", b.role, b.scope)).collect();
    let place = match &request.resource_id {
        Some(_) => format!("globally or on `{}`", request.target()),
        None => "globally".to_owned(),
    };
    Decision::deny(format!(
        "denied: no role bound to `{}` {place} grants `{needed}` (roles held: {})",
        request.subject,
        held.join(", ")
    ))
}

/// Decides `request` for a subject identity has disabled: denied, naming why, whatever it holds or owns.
pub fn decide_disabled(request: &Request) -> Decision {
    Decision::deny(format!(
        "denied: `{}` is disabled, so nothing grants `{}`",
        request.subject,
        request.permission()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ResourceRef;

    fn binding(role: &str, scope: &str, permissions: &[&str]) -> EffectiveBinding {
        EffectiveBinding {
            role: RoleName::parse(role).unwrap(),
            scope: Scope::parse(scope).unwrap(),
            permissions: permissions.iter().map(|p| Permission::parse(p).unwrap()).collect(),
        }
    }

    fn request(kind: &str, action: &str, id: &str, owner: &str) -> Request {
        Request::new(SubjectId::parse("u1").unwrap(), kind, action, id, owner).unwrap()
    }

    #[test]
    fn global_binding_allows_and_names_the_role() {
        let held = [binding("editor", "", &["post:publish"])];
        let decision = decide(&held, &request("post", "publish", "9", ""));
        assert!(decision.allowed);
        assert_eq!(
            decision.reason,
            "allowed: role `editor` bound globally grants `post:publish`"
        );
    }

    #[test]
    fn resource_binding_applies_to_that_resource_only() {
        let held = [binding("editor", "post:123", &["post:*"])];
        let on_it = decide(&held, &request("post", "publish", "123", ""));
        assert!(on_it.allowed);
        assert!(on_it.reason.contains("on `post:123`"), "{}", on_it.reason);
        let other = decide(&held, &request("post", "publish", "124", ""));
        assert!(!other.allowed);
        assert!(other.reason.contains("globally or on `post:124`"), "{}", other.reason);
        assert!(!decide(&held, &request("post", "publish", "", "")).allowed);
        // Same id, another kind: `comment:123` is not `post:123`.
        assert!(!decide(&held, &request("comment", "publish", "123", "")).allowed);
    }

    #[test]
    fn wildcards_grant_any_kind_or_action() {
        let admin = [binding("admin", "", &["*:*"])];
        assert!(decide(&admin, &request("role", "manage", "", "")).allowed);
        let reader = [binding("reader", "", &["*:read"])];
        assert!(decide(&reader, &request("invoice", "read", "1", "")).allowed);
        assert!(!decide(&reader, &request("invoice", "pay", "1", "")).allowed);
    }

    #[test]
    fn owner_may_read_edit_delete_archive_cancel_and_pay_but_nothing_else() {
        for action in OWNER_ACTIONS {
            let decision = decide(&[], &request("post", action, "5", "u1"));
            assert!(decision.allowed, "{action}");
            assert!(decision.reason.contains("owns `post:5`"), "{}", decision.reason);
        }
        assert!(!decide(&[], &request("post", "publish", "5", "u1")).allowed);
        assert!(!decide(&[], &request("post", "edit", "5", "u2")).allowed);
    }

    #[test]
    fn subject_without_roles_is_denied_with_a_reason_saying_so() {
        let decision = decide(&[], &request("post", "create", "", ""));
        assert!(!decision.allowed);
        assert_eq!(
            decision.reason,
            "denied: `u1` holds no role, so nothing grants `post:create`"
        );
    }

    #[test]
    fn denial_lists_the_roles_held() {
        let held = [
            binding("member", "", &["post:create"]),
            binding("editor", "org:7", &["post:*"]),
        ];
        let decision = decide(&held, &request("post", "publish", "1", ""));
        assert!(!decision.allowed);
        assert!(decision.reason.contains("`member` globally"), "{}", decision.reason);
        assert!(decision.reason.contains("`editor` on `org:7`"), "{}", decision.reason);
    }

    #[test]
    fn a_disabled_subject_is_denied_even_what_it_owns_and_says_why() {
        let decision = decide_disabled(&request("invoice", "pay", "5", "u1"));
        assert!(!decision.allowed);
        assert_eq!(
            decision.reason,
            "denied: `u1` is disabled, so nothing grants `invoice:pay`"
        );
    }

    #[test]
    fn request_refuses_malformed_kind_action_and_ids() {
        let subject = SubjectId::parse("u1").unwrap();
        assert!(Request::new(subject.clone(), "Post", "read", "", "").is_err());
        assert!(Request::new(subject.clone(), "post", "*", "", "").is_err());
        assert!(Request::new(subject.clone(), "post", "read", "a b", "").is_err());
        assert!(Request::new(subject, "post", "", "", "").is_err());
        assert!(ResourceRef::parse("post:1").is_ok());
    }
}
