//! Building the service from its configuration alone, as the binary does.

use std::sync::Arc;

use crate::app::{IdentityApp, IdentityDeps};
use crate::config::IdentityConfig;
use crate::error::StartError;
use crate::keys::SigningKeys;
use crate::roles::{AuthzRoleSource, FixedRoles, RoleSource};

/// The topics identity publishes to, created at start since brokers need not create them on first use.
const TOPICS: [&str; 1] = [crate::events::TOPIC];

/// Connects the database (and migrates it), cache, event bus and role source that `config` names, loads the
/// signing keys, and assembles the service.
pub async fn from_config(config: IdentityConfig) -> Result<IdentityApp, StartError> {
    let database = kernel::db::connect(&config.database).await?;
    kernel::db::migrate::<migrations::identity::Migrator>(&database).await?;
    let cache = kernel::cache::connect(&config.cache).await?;
    let events = kernel::events::connect(&config.events).await?;
    if let Err(error) = events.ensure_topics(&TOPICS).await {
        // The relay retries; a broker that is down now must not stop identity from serving.
        tracing::warn!(%error, "could not create the identity.events topic yet");
    }
    let keys = SigningKeys::from_config(&config.tokens.signing_keys)?;
    let roles: Arc<dyn RoleSource> = match &config.authz.address {
        Some(address) => {
            let issuer = Arc::new(keys.issuer(config.tokens.issuer.clone()));
            Arc::new(AuthzRoleSource::new(address, &config.authz.grpc, issuer)?)
        }
        None => {
            tracing::warn!("authz.address is not set: access tokens carry no roles");
            Arc::new(FixedRoles::none())
        }
    };
    let deps = IdentityDeps {
        database,
        cache,
        events,
        roles,
        keys,
    };
    IdentityApp::builder(config, deps).build()
}
