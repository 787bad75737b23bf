//! Managing roles, bindings and disabled subjects: validate, change the store and write the event in one
//! transaction, then retire the cached decisions the change made stale (here, synchronously; other replicas do it
//! when the event arrives).
//!
//! Who may manage is decided by the caller of this module (the GraphQL layer asks the engine for `role:manage`;
//! identity's events disable subjects); every method takes the `actor` it records in the event.

use chrono::Utc;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqlErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use uuid::Uuid;

use crate::decisions::DecisionService;
use crate::domain::{ADMIN_ROLE, InvalidInput, Permission, RoleName, Scope, SubjectId};
use crate::error::AuthzError;
use crate::events::{AuthzEvent, enqueue};
use crate::store::{self, AuthzStore, BindingRecord, DisabledRecord, RoleRecord};

/// Longest role description accepted.
const MAX_DESCRIPTION_LEN: usize = 500;
/// Most permissions one role may grant.
const MAX_PERMISSIONS: usize = 200;

/// Creates, changes and deletes roles and bindings.
#[derive(Debug, Clone)]
pub struct RoleManager {
    store: AuthzStore,
    decisions: DecisionService,
}

impl RoleManager {
    /// A manager writing through `store` and retiring decisions in `decisions`.
    pub fn new(store: AuthzStore, decisions: DecisionService) -> Self {
        Self { store, decisions }
    }

    /// The bindings `subject` holds, globally and on resources.
    pub async fn bindings_of(&self, subject: &str) -> Result<Vec<BindingRecord>, AuthzError> {
        Ok(self.store.bindings(subject).await?)
    }

    /// Creates role `name` granting `permissions`; CONFLICT when the name is taken.
    pub async fn create_role(
        &self,
        actor: &str,
        name: &str,
        description: &str,
        permissions: &[String],
    ) -> Result<RoleRecord, AuthzError> {
        let name = RoleName::parse(name)?;
        let description = description.trim();
        if description.chars().count() > MAX_DESCRIPTION_LEN {
            return Err(InvalidInput::new(format!(
                "the description is longer than {MAX_DESCRIPTION_LEN} characters"
            ))
            .into());
        }
        let permissions = canonical_permissions(permissions)?;
        let tx = begin_write(self.store.conn()).await?;
        if store::lock_role(&tx, name.as_str()).await?.is_some() {
            return Err(AuthzError::Conflict(format!("a role named `{name}` already exists")));
        }
        let now = Utc::now();
        store::insert_role(&tx, name.as_str(), description, &permissions, now)
            .await
            .map_err(|error| conflict_on_unique(error, || format!("a role named `{name}` already exists")))?;
        let role = RoleRecord {
            name: name.to_string(),
            description: description.to_owned(),
            built_in: false,
            permissions,
            created_at: now,
            updated_at: now,
        };
        enqueue(&tx, &AuthzEvent::RoleCreated(&role), actor).await?;
        tx.commit().await?;
        // A new role is bound to nobody yet, so no cached decision depends on it.
        Ok(role)
    }

    /// Replaces what role `name` grants. The `admin` role's `*:*` is fixed, so nobody can lock administrators out.
    pub async fn set_role_permissions(
        &self,
        actor: &str,
        name: &str,
        permissions: &[String],
    ) -> Result<RoleRecord, AuthzError> {
        let name = RoleName::parse(name)?;
        let permissions = canonical_permissions(permissions)?;
        if name.as_str() == ADMIN_ROLE {
            return Err(AuthzError::Conflict(
                "the permissions of the built-in `admin` role are fixed to `*:*`".to_owned(),
            ));
        }
        let tx = begin_write(self.store.conn()).await?;
        let Some(before) = store::lock_role(&tx, name.as_str()).await? else {
            return Err(unknown_role(&name));
        };
        let now = Utc::now();
        store::replace_permissions(&tx, name.as_str(), &permissions, now).await?;
        let role = RoleRecord {
            permissions,
            updated_at: now,
            ..before.clone()
        };
        let event = AuthzEvent::RoleUpdated {
            role: &role,
            previous: &before.permissions,
        };
        enqueue(&tx, &event, actor).await?;
        tx.commit().await?;
        self.decisions.invalidate_all().await;
        Ok(role)
    }

    /// Deletes role `name`. Built-in roles cannot be deleted, nor can a role still bound to someone.
    pub async fn delete_role(&self, actor: &str, name: &str) -> Result<RoleRecord, AuthzError> {
        let name = RoleName::parse(name)?;
        let tx = begin_write(self.store.conn()).await?;
        let Some(role) = store::lock_role(&tx, name.as_str()).await? else {
            return Err(unknown_role(&name));
        };
        if role.built_in {
            return Err(AuthzError::Conflict(format!(
                "`{name}` is a built-in role and cannot be deleted"
            )));
        }
        let bound = store::count_bindings_of_role(&tx, name.as_str()).await?;
        if bound > 0 {
            return Err(AuthzError::Conflict(format!(
                "role `{name}` is still bound {bound} time(s); remove its bindings first"
            )));
        }
        store::delete_role(&tx, name.as_str()).await?;
        enqueue(&tx, &AuthzEvent::RoleDeleted(&role), actor).await?;
        tx.commit().await?;
        self.decisions.invalidate_all().await;
        Ok(role)
    }

    /// Binds `subject` to `role`, globally or on `resource` (`kind:id`); CONFLICT when that binding exists.
    pub async fn bind_role(
        &self,
        actor: &str,
        subject: &str,
        role: &str,
        resource: Option<&str>,
    ) -> Result<BindingRecord, AuthzError> {
        let subject = SubjectId::parse(subject)?;
        let role = RoleName::parse(role)?;
        let scope = match resource {
            None => Scope::Global,
            Some(resource) => Scope::Resource(crate::domain::ResourceRef::parse(resource)?),
        };
        let tx = begin_write(self.store.conn()).await?;
        if store::lock_role(&tx, role.as_str()).await?.is_none() {
            return Err(unknown_role(&role));
        }
        let binding = BindingRecord {
            id: Uuid::now_v7(),
            subject: subject.to_string(),
            role: role.to_string(),
            resource: scope.to_stored(),
            created_by: actor.to_owned(),
            created_at: Utc::now(),
        };
        store::insert_binding(&tx, &binding).await.map_err(|error| {
            conflict_on_unique(error, || format!("`{subject}` already holds role `{role}` {scope}"))
        })?;
        enqueue(&tx, &AuthzEvent::BindingCreated(&binding), actor).await?;
        tx.commit().await?;
        self.decisions.invalidate_subject(subject.as_str()).await;
        Ok(binding)
    }

    /// Removes the binding with id `binding_id`; NOT_FOUND when there is none.
    pub async fn unbind_role(&self, actor: &str, binding_id: &str) -> Result<BindingRecord, AuthzError> {
        let id = Uuid::parse_str(binding_id)
            .map_err(|_| InvalidInput::new(format!("`{}` is not a binding id", binding_id.escape_debug())))?;
        let tx = begin_write(self.store.conn()).await?;
        let Some(binding) = store::delete_binding(&tx, id).await? else {
            return Err(AuthzError::NotFound(format!("there is no role binding `{id}`")));
        };
        enqueue(&tx, &AuthzEvent::BindingDeleted(&binding), actor).await?;
        tx.commit().await?;
        self.decisions.invalidate_subject(&binding.subject).await;
        Ok(binding)
    }

    /// Disables `subject` on behalf of `actor` (identity's `user.disabled` event names both): from now on every
    /// check about it is denied, whatever it holds or owns. Its bindings are kept, for the record. `None` when it
    /// was already disabled, so a redelivered event changes nothing and publishes nothing.
    pub async fn disable_subject(&self, actor: &str, subject: &str) -> Result<Option<DisabledRecord>, AuthzError> {
        let subject = SubjectId::parse(subject)?;
        let record = DisabledRecord {
            subject: subject.to_string(),
            disabled_by: actor.to_owned(),
            disabled_at: Utc::now(),
        };
        let tx = begin_write(self.store.conn()).await?;
        if !store::insert_disabled_subject(&tx, &record).await? {
            return Ok(None);
        }
        enqueue(&tx, &AuthzEvent::SubjectDisabled(&record), actor).await?;
        tx.commit().await?;
        self.decisions.invalidate_subject(subject.as_str()).await;
        Ok(Some(record))
    }

    /// Whether `subject` is disabled.
    pub async fn is_disabled(&self, subject: &str) -> Result<bool, AuthzError> {
        Ok(self.store.disabled(subject).await?.is_some())
    }
}

/// Begins a transaction that will write. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`): a
/// transaction that reads first and writes later fails at once with "database is locked" when another connection
/// (e.g. the outbox relay) wrote in between, whereas waiting for the lock at `BEGIN` honours the busy timeout.
async fn begin_write(conn: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let sqlite_transaction_mode =
        (conn.get_database_backend() == DbBackend::Sqlite).then_some(SqliteTransactionMode::Immediate);
    conn.begin_with_options(TransactionOptions {
        sqlite_transaction_mode,
        ..TransactionOptions::default()
    })
    .await
}

/// Parses every permission, then sorts and deduplicates them, so a role's permissions have one spelling.
fn canonical_permissions(permissions: &[String]) -> Result<Vec<String>, InvalidInput> {
    if permissions.len() > MAX_PERMISSIONS {
        return Err(InvalidInput::new(format!(
            "a role may grant at most {MAX_PERMISSIONS} permissions"
        )));
    }
    let mut parsed = permissions
        .iter()
        .map(|p| Permission::parse(p).map(|p| p.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    parsed.sort();
    parsed.dedup();
    Ok(parsed)
}

fn unknown_role(name: &RoleName) -> AuthzError {
    AuthzError::NotFound(format!("there is no role named `{name}`"))
}

/// A unique violation raced past the check before it: report it as the conflict it is.
fn conflict_on_unique(error: DbErr, message: impl FnOnce() -> String) -> AuthzError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => AuthzError::Conflict(message()),
        _ => AuthzError::Store(error),
    }
}
