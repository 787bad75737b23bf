//! `User.subscription` and `User.invoices`: billing's contribution to identity's `User @key(fields: "id")`.
//!
//! Only the user themself or an administrator may read them: authz decides `read` on kind `subscription` or
//! `invoice` owned by the user, and anyone else is refused with FORBIDDEN (the denial is recorded). Each field
//! reaches its loader before its access check, so N users cost one read, and nothing is returned unless the
//! check passes.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};
use kernel::access::Resource;
use kernel::graphql::Caller;
use sea_orm::DbErr;

use super::Services;
use super::loaders::{InvoicePageKey, InvoicePageLoader, SubscriptionLoader};
use super::types::{InvoiceConnection, InvoiceEdge, InvoicePageInfo, InvoiceStatusValue, SubscriptionObject};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::{Cursor, PageSize, UserId};
use crate::error::BillingError;

/// A user, known here only by id; identity owns every other field.
#[derive(Debug, Clone)]
pub struct User {
    id: ID,
}

impl User {
    /// The stub for the user with `id`.
    pub fn new(id: ID) -> Self {
        Self { id }
    }
}

fn loader_failed(error: impl std::fmt::Display) -> async_graphql::Error {
    BillingError::Store(DbErr::Custom(error.to_string())).to_graphql()
}

fn user_id(id: &ID) -> async_graphql::Result<UserId> {
    UserId::parse(id).map_err(|error| BillingError::from(error).to_graphql())
}

#[Object]
impl User {
    /// The user's id, the entity key.
    async fn id(&self) -> &ID {
        &self.id
    }

    /// The user's current subscription (the one not canceled), or null. Readable by the user and administrators.
    async fn subscription(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SubscriptionObject>> {
        let user = user_id(&self.id)?;
        let found = ctx
            .data::<DataLoader<SubscriptionLoader>>()?
            .load_one(user.clone())
            .await
            .map_err(loader_failed)?;
        let resource = match &found {
            Some(subscription) => Resource::id("subscription", subscription.id.to_string()),
            None => Resource::kind("subscription"),
        };
        let services = ctx.data::<Services>()?;
        services
            .access
            .authorize(ctx.data::<Caller>()?, "read", &resource.owned_by(user.as_str()))
            .await?;
        Ok(found.map(SubscriptionObject::from))
    }

    /// The user's invoices, newest first: `first` (20 when not given, at most 100) after the cursor `after`,
    /// only those in `status` when given. Readable by the user and administrators.
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<InvoiceStatusValue>,
    ) -> async_graphql::Result<InvoiceConnection> {
        let user = user_id(&self.id)?;
        let size = PageSize::new(first.unwrap_or(DEFAULT_PAGE_SIZE)).map_err(|e| BillingError::from(e).to_graphql())?;
        let after = after
            .as_deref()
            .map(Cursor::decode)
            .transpose()
            .map_err(|e| BillingError::from(e).to_graphql())?;
        let key = InvoicePageKey {
            user: user.clone(),
            status: status.map(Into::into),
            after,
            size,
        };
        let page = ctx
            .data::<DataLoader<InvoicePageLoader>>()?
            .load_one(key)
            .await
            .map_err(loader_failed)?
            .unwrap_or_default();
        let services = ctx.data::<Services>()?;
        let resource = Resource::kind("invoice").owned_by(user.as_str());
        services
            .access
            .authorize(ctx.data::<Caller>()?, "read", &resource)
            .await?;
        let edges: Vec<InvoiceEdge> = page
            .invoices
            .into_iter()
            .map(|invoice| InvoiceEdge {
                cursor: Cursor::after(&invoice).encode(),
                node: invoice.into(),
            })
            .collect();
        let end_cursor = edges.last().map(|edge| edge.cursor.clone());
        Ok(InvoiceConnection {
            edges,
            page_info: InvoicePageInfo {
                has_next_page: page.has_next_page,
                end_cursor,
            },
        })
    }
}
