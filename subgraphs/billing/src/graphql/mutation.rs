//! Mutations. Each asks authz first, through the access guard (an anonymous caller is UNAUTHENTICATED, a refused
//! one FORBIDDEN and recorded), then parses its input and makes the change.

use async_graphql::{Context, ID, Object};
use chrono::Utc;
use kernel::access::Resource;
use kernel::graphql::Caller;

use super::types::{CreatePlanInput, InvoiceObject, MoneyInput, PaymentObject, PlanObject, SubscriptionObject};
use super::{Services, graphql_error};
use crate::domain::{IdempotencyKey, NewPlan, PlanCode, UserId, parse_id};

/// The subgraph's mutation root.
#[derive(Debug, Default)]
pub struct Mutation;

#[Object]
impl Mutation {
    /// Creates a plan. Needs `plan:create` (administrators).
    async fn create_plan(&self, ctx: &Context<'_>, input: CreatePlanInput) -> async_graphql::Result<PlanObject> {
        let services = ctx.data::<Services>()?;
        let caller = ctx.data::<Caller>()?;
        let claims = services
            .access
            .authorize(caller, "create", &Resource::kind("plan"))
            .await?;
        let price = input.price.to_money().map_err(graphql_error)?;
        let plan = NewPlan::parse(&input.code, &input.name, price, input.interval.into(), input.trial_days)
            .map_err(graphql_error)?;
        let plan = services
            .billing
            .create_plan(&claims.sub, plan, Utc::now())
            .await
            .map_err(graphql_error)?;
        Ok(plan.into())
    }

    /// Archives the plan `code`: it keeps its subscribers and takes no new ones. Needs `plan:archive`.
    async fn archive_plan(&self, ctx: &Context<'_>, code: String) -> async_graphql::Result<PlanObject> {
        let services = ctx.data::<Services>()?;
        let caller = ctx.data::<Caller>()?;
        caller.require()?;
        let code = PlanCode::parse(&code).map_err(graphql_error)?;
        let plan = services.billing.plan(&code).await.map_err(graphql_error)?;
        let resource = Resource::id("plan", plan.id.to_string());
        let claims = services.access.authorize(caller, "archive", &resource).await?;
        let plan = services
            .billing
            .archive_plan(&claims.sub, plan)
            .await
            .map_err(graphql_error)?;
        Ok(plan.into())
    }

    /// Subscribes the caller to the plan `planCode`: trialing when it has trial days, else active with an open
    /// invoice for the first period. CONFLICT when the caller already has a current subscription.
    async fn subscribe(&self, ctx: &Context<'_>, plan_code: String) -> async_graphql::Result<SubscriptionObject> {
        let services = ctx.data::<Services>()?;
        let caller = ctx.data::<Caller>()?;
        let subject = caller.require()?.sub.clone();
        let resource = Resource::kind("subscription").owned_by(subject.as_str());
        services.access.authorize(caller, "create", &resource).await?;
        let user = UserId::parse(&subject).map_err(graphql_error)?;
        let code = PlanCode::parse(&plan_code).map_err(graphql_error)?;
        let subscribed = services
            .billing
            .subscribe(&user, &code, Utc::now())
            .await
            .map_err(graphql_error)?;
        Ok(subscribed.subscription.into())
    }

    /// Cancels the subscription `id`. Its owner may; so may administrators.
    async fn cancel_subscription(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<SubscriptionObject> {
        let services = ctx.data::<Services>()?;
        let caller = ctx.data::<Caller>()?;
        caller.require()?;
        let id = parse_id(&id, "subscription").map_err(graphql_error)?;
        let subscription = services.billing.subscription(id).await.map_err(graphql_error)?;
        let resource = Resource::id("subscription", id.to_string()).owned_by(subscription.user_id.as_str());
        let claims = services.access.authorize(caller, "cancel", &resource).await?;
        let canceled = services
            .billing
            .cancel(&claims.sub, subscription, Utc::now())
            .await
            .map_err(graphql_error)?;
        Ok(canceled.into())
    }

    /// Pays the invoice `invoiceId` in full. `amount` must be exactly the amount due (else BAD_USER_INPUT). The
    /// same `idempotencyKey` again answers the same payment without paying twice; reusing it for another invoice
    /// or amount is a CONFLICT, as is paying an invoice that is paid or void. Its owner may; so may
    /// administrators.
    async fn pay_invoice(
        &self,
        ctx: &Context<'_>,
        invoice_id: ID,
        amount: MoneyInput,
        idempotency_key: String,
    ) -> async_graphql::Result<PaymentObject> {
        let services = ctx.data::<Services>()?;
        let caller = ctx.data::<Caller>()?;
        caller.require()?;
        let id = parse_id(&invoice_id, "invoice").map_err(graphql_error)?;
        let amount = amount.to_money().map_err(graphql_error)?;
        let key = IdempotencyKey::parse(&idempotency_key).map_err(graphql_error)?;
        let invoice = services.billing.invoice(id).await.map_err(graphql_error)?;
        let resource = Resource::id("invoice", id.to_string()).owned_by(invoice.user_id.as_str());
        let claims = services.access.authorize(caller, "pay", &resource).await?;
        let payer = UserId::parse(&claims.sub).map_err(graphql_error)?;
        let payment = services
            .billing
            .pay(&payer, &invoice, amount, &key, Utc::now())
            .await
            .map_err(graphql_error)?;
        Ok(payment.into())
    }

    /// Voids the invoice `id`: nothing is owed on it any more. Needs `invoice:void` (administrators).
    async fn void_invoice(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<InvoiceObject> {
        let services = ctx.data::<Services>()?;
        let caller = ctx.data::<Caller>()?;
        caller.require()?;
        let id = parse_id(&id, "invoice").map_err(graphql_error)?;
        let invoice = services.billing.invoice(id).await.map_err(graphql_error)?;
        let resource = Resource::id("invoice", id.to_string()).owned_by(invoice.user_id.as_str());
        let claims = services.access.authorize(caller, "void", &resource).await?;
        let voided = services
            .billing
            .void(&claims.sub, &invoice, Utc::now())
            .await
            .map_err(graphql_error)?;
        Ok(voided.into())
    }
}
