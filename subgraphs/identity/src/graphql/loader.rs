//! Batched user loads: every user asked for while one request resolves is read in a single statement.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::DatabaseConnection;

use crate::domain::UserId;
use crate::store::{self, StoreError, UserRecord};

/// Loads users by id, many per statement; behind an async-graphql `DataLoader` (without a cache, so a shared
/// loader never serves stale rows).
pub struct UserLoader {
    conn: DatabaseConnection,
}

impl UserLoader {
    /// A loader reading through `conn`.
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }
}

impl Loader<UserId> for UserLoader {
    type Value = UserRecord;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[UserId]) -> Result<HashMap<UserId, UserRecord>, Self::Error> {
        let users = store::find_users(&self.conn, keys).await.map_err(Arc::new)?;
        Ok(users.into_iter().map(|user| (user.id, user)).collect())
    }
}
