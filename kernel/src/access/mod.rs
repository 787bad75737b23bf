//! Access decisions for a subgraph's writes: ask authz before acting, and leave an audit record of every refusal.
//!
//! A service builds one [`AccessGuard`] from an [`Authorizer`] (in production [`AuthzClient`], authz's gRPC
//! `Check` called with the caller's own token) and one or more [`DenialRecorder`]s ([`AuditRecorder`], audit's
//! gRPC `Record`, first; [`OutboxDenials`], an `access.denied` event in the service's own outbox, as the fallback
//! when audit cannot be reached). Resolvers call [`AccessGuard::authorize`] before every write: it answers with
//! the caller's claims, or with the error the client sees (`UNAUTHENTICATED`, `FORBIDDEN`, `SERVICE_UNAVAILABLE`).
//! Access fails closed: when authz cannot be asked, nothing is allowed.

mod audit;
mod authz;
mod config;
mod outbox;

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use uuid::Uuid;

pub use audit::AuditRecorder;
pub use authz::AuthzClient;
pub use config::{AuditSection, AuthzSection};
pub use outbox::OutboxDenials;

use crate::auth::Claims;
use crate::error_code::ErrorCode;
use crate::graphql::{Caller, error};

/// What a check is about: a resource kind (`post`), optionally one resource of it and who owns that resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// The resource type, e.g. `post`; the permission checked is `<kind>:<action>`.
    pub kind: String,
    /// The resource id; `None` for type-level checks such as "create a post".
    pub id: Option<String>,
    /// The owner's user id, when known, so authz's ownership rule needs no lookup.
    pub owner_id: Option<String>,
}

impl Resource {
    /// A type-level resource: `post` rather than one post.
    pub fn kind(kind: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            id: None,
            owner_id: None,
        }
    }

    /// One resource of `kind`.
    pub fn id(kind: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            id: Some(id.into()),
            owner_id: None,
        }
    }

    /// The same resource, owned by `owner_id`.
    pub fn owned_by(mut self, owner_id: impl Into<String>) -> Self {
        self.owner_id = Some(owner_id.into());
        self
    }
}

impl fmt::Display for Resource {
    /// `post:123`, or `post` for a type-level resource: the form the audit log names resources in.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "{}:{id}", self.kind),
            None => f.write_str(&self.kind),
        }
    }
}

/// Authz's answer to one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The subject may act; `reason` names what allowed it.
    Allow {
        /// The role binding or rule that allowed it.
        reason: String,
    },
    /// The subject may not act; `reason` says why.
    Deny {
        /// What was looked for and not found.
        reason: String,
    },
}

/// Why a decision could not be made or a denial could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The remote service answered with an error status (or could not be reached).
    #[error("{service} refused the call: {code:?}: {message}")]
    Remote {
        /// `authz` or `audit`.
        service: &'static str,
        /// The status code it answered with.
        code: tonic::Code,
        /// Its message.
        message: String,
    },
    /// The channel to the remote service could not be built.
    #[error(transparent)]
    Channel(#[from] crate::grpc::GrpcError),
    /// The fallback record could not be written to the outbox.
    #[error(transparent)]
    Outbox(#[from] crate::outbox::OutboxError),
    /// The caller has no token to act with.
    #[error("the caller is not signed in")]
    Anonymous,
}

/// Decides whether a subject may perform an action on a resource.
#[async_trait::async_trait]
pub trait Authorizer: Send + Sync {
    /// The decision for `subject` (calling with `token`, a bare JWT) performing `action` on `resource`.
    async fn check(
        &self,
        subject: &str,
        token: &SecretString,
        action: &str,
        resource: &Resource,
    ) -> Result<Decision, AccessError>;
}

/// One refused action, as it is recorded.
#[derive(Debug, Clone)]
pub struct Denial {
    /// Chosen once, so a denial recorded twice (once per recorder tried) is stored once.
    pub id: Uuid,
    /// The subject that was refused.
    pub actor: String,
    /// The permission that was checked, `<kind>:<action>`.
    pub action: String,
    /// The resource, `post:123` or `post`.
    pub resource: String,
    /// Authz's reason.
    pub reason: String,
    /// The service that asked.
    pub service: String,
    /// Where the request came from.
    pub client_address: Option<IpAddr>,
    /// When it was refused.
    pub occurred_at: DateTime<Utc>,
}

/// Keeps a durable record of a denial.
#[async_trait::async_trait]
pub trait DenialRecorder: Send + Sync {
    /// Records `denial`, authenticating with `token` (the refused caller's own) where the record goes remote.
    async fn record(&self, denial: &Denial, token: &SecretString) -> Result<(), AccessError>;
}

/// The check every write goes through; cheap to clone.
#[derive(Clone)]
pub struct AccessGuard {
    service: Arc<str>,
    authorizer: Arc<dyn Authorizer>,
    recorders: Vec<Arc<dyn DenialRecorder>>,
}

impl fmt::Debug for AccessGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessGuard")
            .field("service", &self.service)
            .field("recorders", &self.recorders.len())
            .finish_non_exhaustive()
    }
}

impl AccessGuard {
    /// A guard for `service` deciding with `authorizer`; it records no denials until given a recorder.
    pub fn new(service: &str, authorizer: Arc<dyn Authorizer>) -> Self {
        Self {
            service: service.into(),
            authorizer,
            recorders: Vec::new(),
        }
    }

    /// The guard every feature service runs: authz's `Check` at `authz` decides; audit's `Record` at `audit`
    /// records denials, and the outbox of `conn` does (as events on `topic`) when audit cannot be reached.
    pub fn for_service(
        service: &str,
        authz: &AuthzSection,
        audit: &AuditSection,
        conn: sea_orm::DatabaseConnection,
        topic: &str,
    ) -> Result<Self, AccessError> {
        let authorizer = AuthzClient::new(&authz.address, &authz.grpc)?;
        let recorder = AuditRecorder::new(&audit.address, &audit.grpc)?;
        Ok(Self::new(service, Arc::new(authorizer))
            .record_denials_with(Arc::new(recorder))
            .record_denials_with(Arc::new(OutboxDenials::new(conn, topic))))
    }

    /// Adds a recorder of denials; recorders are tried in the order added until one succeeds.
    pub fn record_denials_with(mut self, recorder: Arc<dyn DenialRecorder>) -> Self {
        self.recorders.push(recorder);
        self
    }

    /// The caller's claims when authz allows `action` on `resource`. Otherwise the error the client sees:
    /// `UNAUTHENTICATED` for an anonymous caller, `FORBIDDEN` (after the denial is recorded) when authz denies,
    /// `SERVICE_UNAVAILABLE` when authz cannot be asked.
    pub async fn authorize(
        &self,
        caller: &Caller,
        action: &str,
        resource: &Resource,
    ) -> Result<Claims, async_graphql::Error> {
        let claims = caller.require()?.clone();
        let token = caller
            .token()
            .ok_or_else(|| error(ErrorCode::Unauthenticated, "sign in to do this"))?;
        match self.authorizer.check(&claims.sub, token, action, resource).await {
            Ok(Decision::Allow { .. }) => Ok(claims),
            Ok(Decision::Deny { reason }) => {
                let denial = Denial {
                    id: Uuid::now_v7(),
                    actor: claims.sub.clone(),
                    action: format!("{}:{action}", resource.kind),
                    resource: resource.to_string(),
                    reason,
                    service: self.service.to_string(),
                    client_address: caller.client_address(),
                    occurred_at: Utc::now(),
                };
                self.record(&denial, token).await;
                Err(error(
                    ErrorCode::Forbidden,
                    format!("you may not {action} {}", describe(resource)),
                ))
            }
            Err(failure) => {
                tracing::warn!(error = %failure, action, resource = %resource, "authorization could not be decided");
                Err(error(
                    ErrorCode::ServiceUnavailable,
                    "authorization is unavailable right now; try again shortly",
                ))
            }
        }
    }

    /// Whether `caller` may perform `action` on `resource`, without recording anything: for reads that hide
    /// what the caller may not see rather than refusing. Anonymous callers are never allowed.
    pub async fn allows(&self, caller: &Caller, action: &str, resource: &Resource) -> Result<bool, AccessError> {
        let (Some(claims), Some(token)) = (caller.claims(), caller.token()) else {
            return Ok(false);
        };
        let decision = self.authorizer.check(&claims.sub, token, action, resource).await?;
        Ok(matches!(decision, Decision::Allow { .. }))
    }

    /// Tries each recorder until one keeps the denial. When none can, the refusal still stands (access fails
    /// closed) and the denial goes to the log at error level, the only place left.
    async fn record(&self, denial: &Denial, token: &SecretString) {
        for recorder in &self.recorders {
            match recorder.record(denial, token).await {
                Ok(()) => return,
                Err(failure) => tracing::warn!(error = %failure, denial = %denial.id, "a denial recorder failed"),
            }
        }
        tracing::error!(
            denial = %denial.id,
            actor = %denial.actor,
            action = %denial.action,
            resource = %denial.resource,
            reason = %denial.reason,
            "a denial could not be recorded by any recorder"
        );
    }
}

/// `this post` or `posts` — the resource as a refusal names it, without echoing ids back.
fn describe(resource: &Resource) -> String {
    if resource.id.is_some() {
        format!("this {}", resource.kind.replace('_', " "))
    } else {
        format!("{}s", resource.kind.replace('_', " "))
    }
}

#[cfg(test)]
mod tests {
    use parking_lot::Mutex;

    use super::*;

    /// Answers every check with one fixed outcome.
    struct Fixed(Result<Decision, ()>);

    #[async_trait::async_trait]
    impl Authorizer for Fixed {
        async fn check(&self, _: &str, _: &SecretString, _: &str, _: &Resource) -> Result<Decision, AccessError> {
            self.0.clone().map_err(|()| AccessError::Remote {
                service: "authz",
                code: tonic::Code::Unavailable,
                message: "connection refused".to_owned(),
            })
        }
    }

    /// Keeps what it is given, or fails every time.
    #[derive(Default)]
    struct Kept {
        fails: bool,
        denials: Mutex<Vec<Denial>>,
    }

    #[async_trait::async_trait]
    impl DenialRecorder for Kept {
        async fn record(&self, denial: &Denial, _: &SecretString) -> Result<(), AccessError> {
            if self.fails {
                return Err(AccessError::Anonymous);
            }
            self.denials.lock().push(denial.clone());
            Ok(())
        }
    }

    fn caller() -> Caller {
        let claims = Claims {
            sub: "u1".to_owned(),
            iss: "https://identity.test".to_owned(),
            aud: "platform".to_owned(),
            exp: u64::MAX,
            iat: 0,
            nbf: 0,
            jti: "j1".to_owned(),
            roles: vec!["member".to_owned()],
            scope: String::new(),
        };
        Caller::authenticated(claims, SecretString::from("token"), Some([10, 0, 0, 7].into()))
    }

    fn code(error: &async_graphql::Error) -> String {
        let extensions = error.extensions.as_ref().map(|extensions| format!("{extensions:?}"));
        extensions.unwrap_or_default()
    }

    fn deny() -> Fixed {
        Fixed(Ok(Decision::Deny {
            reason: "denied: `u1` holds no role that grants `post:publish`".to_owned(),
        }))
    }

    #[tokio::test]
    async fn an_allowed_caller_gets_its_claims_and_nothing_is_recorded() {
        let kept = Arc::new(Kept::default());
        let guard = AccessGuard::new("blog", Arc::new(Fixed(Ok(Decision::Allow { reason: "ok".into() }))))
            .record_denials_with(kept.clone());
        let claims = guard
            .authorize(&caller(), "create", &Resource::kind("post"))
            .await
            .unwrap();
        assert_eq!(claims.sub, "u1");
        assert!(kept.denials.lock().is_empty());
    }

    #[tokio::test]
    async fn a_denial_is_forbidden_and_recorded_with_what_was_refused() {
        let kept = Arc::new(Kept::default());
        let guard = AccessGuard::new("blog", Arc::new(deny())).record_denials_with(kept.clone());
        let resource = Resource::id("post", "p7").owned_by("u2");
        let refused = guard.authorize(&caller(), "publish", &resource).await.unwrap_err();
        assert!(code(&refused).contains("FORBIDDEN"), "{refused:?}");
        assert_eq!(refused.message, "you may not publish this post");
        let denials = kept.denials.lock();
        assert_eq!(denials.len(), 1);
        assert_eq!(denials[0].actor, "u1");
        assert_eq!(denials[0].action, "post:publish");
        assert_eq!(denials[0].resource, "post:p7");
        assert_eq!(denials[0].service, "blog");
        assert!(denials[0].reason.contains("holds no role"));
        assert_eq!(denials[0].client_address, Some([10, 0, 0, 7].into()));
    }

    #[tokio::test]
    async fn a_failing_recorder_falls_back_to_the_next_with_the_same_denial_id() {
        let broken = Arc::new(Kept {
            fails: true,
            ..Kept::default()
        });
        let fallback = Arc::new(Kept::default());
        let guard = AccessGuard::new("billing", Arc::new(deny()))
            .record_denials_with(broken.clone())
            .record_denials_with(fallback.clone());
        let refused = guard
            .authorize(&caller(), "void", &Resource::kind("invoice"))
            .await
            .unwrap_err();
        assert_eq!(refused.message, "you may not void invoices");
        assert!(broken.denials.lock().is_empty());
        assert_eq!(fallback.denials.lock().len(), 1);
    }

    #[tokio::test]
    async fn an_unreachable_authorizer_refuses_with_service_unavailable() {
        let kept = Arc::new(Kept::default());
        let guard = AccessGuard::new("blog", Arc::new(Fixed(Err(())))).record_denials_with(kept.clone());
        let refused = guard
            .authorize(&caller(), "create", &Resource::kind("post"))
            .await
            .unwrap_err();
        assert!(code(&refused).contains("SERVICE_UNAVAILABLE"), "{refused:?}");
        assert!(kept.denials.lock().is_empty());
        assert!(guard.allows(&caller(), "read", &Resource::kind("post")).await.is_err());
    }

    #[tokio::test]
    async fn an_anonymous_caller_is_unauthenticated_and_never_allowed() {
        let guard = AccessGuard::new("blog", Arc::new(Fixed(Ok(Decision::Allow { reason: "ok".into() }))));
        let anonymous = Caller::anonymous(None);
        let refused = guard
            .authorize(&anonymous, "create", &Resource::kind("post"))
            .await
            .unwrap_err();
        assert!(code(&refused).contains("UNAUTHENTICATED"), "{refused:?}");
        assert!(!guard.allows(&anonymous, "read", &Resource::kind("post")).await.unwrap());
    }

    #[test]
    fn resources_display_as_the_audit_log_names_them() {
        assert_eq!(Resource::id("post", "p1").owned_by("u1").to_string(), "post:p1");
        assert_eq!(Resource::kind("audit_log").to_string(), "audit_log");
    }
}
