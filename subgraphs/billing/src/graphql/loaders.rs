//! Batched reads for `User.subscription` and `User.invoices`: every user asked for while one request resolves
//! (an `_entities` call for N users, say) is read in one statement per table, not one per user.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{DatabaseConnection, DbErr};

use crate::domain::{Cursor, Invoice, InvoiceStatus, PageSize, Subscription, UserId};
use crate::store::reads;

/// Loads users' current subscriptions; a user without one has no entry.
pub struct SubscriptionLoader {
    conn: DatabaseConnection,
}

impl SubscriptionLoader {
    /// A loader reading through `conn`.
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }
}

impl Loader<UserId> for SubscriptionLoader {
    type Value = Subscription;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[UserId]) -> Result<HashMap<UserId, Subscription>, Self::Error> {
        reads::current_subscriptions(&self.conn, keys).await.map_err(Arc::new)
    }
}

/// One page of one user's invoices, as asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InvoicePageKey {
    /// Whose invoices.
    pub user: UserId,
    /// Only those in this status, when given.
    pub status: Option<InvoiceStatus>,
    /// Only those after this cursor, when given.
    pub after: Option<Cursor>,
    /// At most this many.
    pub size: PageSize,
}

/// One page of invoices.
#[derive(Debug, Clone, Default)]
pub struct InvoicePage {
    /// The invoices, newest first.
    pub invoices: Vec<Invoice>,
    /// Whether more follow.
    pub has_next_page: bool,
}

/// Loads pages of users' invoices: one read per distinct `(status, after, size)` in the batch, usually one.
pub struct InvoicePageLoader {
    conn: DatabaseConnection,
}

impl InvoicePageLoader {
    /// A loader reading through `conn`.
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }
}

impl Loader<InvoicePageKey> for InvoicePageLoader {
    type Value = InvoicePage;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[InvoicePageKey]) -> Result<HashMap<InvoicePageKey, InvoicePage>, Self::Error> {
        type Shape = (Option<InvoiceStatus>, Option<Cursor>, PageSize);
        let mut groups: HashMap<Shape, Vec<UserId>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.status, key.after, key.size))
                .or_default()
                .push(key.user.clone());
        }
        let mut pages = HashMap::new();
        for ((status, after, size), users) in groups {
            let mut found = reads::invoices_of_users(&self.conn, &users, status, after, size.get())
                .await
                .map_err(Arc::new)?;
            for user in users {
                let mut invoices = found.remove(&user).unwrap_or_default();
                let has_next_page = invoices.len() > size.get();
                invoices.truncate(size.get());
                let key = InvoicePageKey {
                    user,
                    status,
                    after,
                    size,
                };
                pages.insert(
                    key,
                    InvoicePage {
                        invoices,
                        has_next_page,
                    },
                );
            }
        }
        Ok(pages)
    }
}
