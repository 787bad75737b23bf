//! Queries: plans (public), one invoice or subscription (its owner and administrators), and the `User` entity.

use async_graphql::{Context, ID, Object};
use kernel::access::Resource;
use kernel::graphql::Caller;

use super::types::{InvoiceObject, PlanObject, SubscriptionObject};
use super::{Services, User, graphql_error};
use crate::domain::{PlanCode, parse_id};
use crate::store::reads;

/// The subgraph's query root.
#[derive(Debug, Default)]
pub struct Query;

#[Object]
impl Query {
    /// The plans on offer, by code; archived ones too with `includeArchived: true`. Readable by anyone.
    async fn plans(&self, ctx: &Context<'_>, include_archived: Option<bool>) -> async_graphql::Result<Vec<PlanObject>> {
        let include_archived = include_archived.unwrap_or(false);
        let services = ctx.data::<Services>()?;
        let plans = reads::plans(services.billing.conn(), include_archived)
            .await
            .map_err(graphql_error)?;
        Ok(plans.into_iter().map(PlanObject::from).collect())
    }

    /// The plan with `code`, or null. Readable by anyone.
    async fn plan(&self, ctx: &Context<'_>, code: String) -> async_graphql::Result<Option<PlanObject>> {
        let code = PlanCode::parse(&code).map_err(graphql_error)?;
        let services = ctx.data::<Services>()?;
        let plan = reads::plan_by_code(services.billing.conn(), code.as_str())
            .await
            .map_err(graphql_error)?;
        Ok(plan.map(PlanObject::from))
    }

    /// The invoice with `id`, or null; only its owner and administrators may read it (others: FORBIDDEN).
    async fn invoice(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<InvoiceObject>> {
        let caller = ctx.data::<Caller>()?;
        caller.require()?;
        let id = parse_id(&id, "invoice").map_err(graphql_error)?;
        let services = ctx.data::<Services>()?;
        let Some(invoice) = reads::invoice(services.billing.conn(), id)
            .await
            .map_err(graphql_error)?
        else {
            return Ok(None);
        };
        let resource = Resource::id("invoice", id.to_string()).owned_by(invoice.user_id.as_str());
        services.access.authorize(caller, "read", &resource).await?;
        Ok(Some(invoice.into()))
    }

    /// The subscription with `id`, or null; only its owner and administrators may read it (others: FORBIDDEN).
    async fn subscription(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<SubscriptionObject>> {
        let caller = ctx.data::<Caller>()?;
        caller.require()?;
        let id = parse_id(&id, "subscription").map_err(graphql_error)?;
        let services = ctx.data::<Services>()?;
        let Some(subscription) = reads::subscription(services.billing.conn(), id)
            .await
            .map_err(graphql_error)?
        else {
            return Ok(None);
        };
        let resource = Resource::id("subscription", id.to_string()).owned_by(subscription.user_id.as_str());
        services.access.authorize(caller, "read", &resource).await?;
        Ok(Some(subscription.into()))
    }

    /// Resolves `User` references from other subgraphs: billing adds `subscription` and `invoices`.
    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User::new(id)
    }
}
