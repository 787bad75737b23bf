//! The subgraph's object, enum and input types.

use async_graphql::{Enum, ID, InputObject, SimpleObject};

use super::scalars::MinorUnits;
use super::user::User;
use crate::domain::{
    Currency, Interval, InvalidInput, Invoice, InvoiceLine, InvoiceStatus, Money, Payment, Plan, Subscription,
    SubscriptionStatus,
};

fn time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339()
}

/// An amount of money: exact minor units, the currency, and the amount written out.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Money")]
pub struct MoneyObject {
    /// The amount in the currency's minor units.
    pub amount: MinorUnits,
    /// The ISO 4217 code, e.g. `EUR`.
    pub currency: String,
    /// The amount as people read it, with the currency's own decimals: `EUR 12.34`, `JPY 500`.
    pub formatted: String,
}

impl From<Money> for MoneyObject {
    fn from(money: Money) -> Self {
        Self {
            amount: MinorUnits::of(money.minor()),
            currency: money.currency().code().to_owned(),
            formatted: money.to_string(),
        }
    }
}

/// An amount a client sends.
#[derive(Debug, Clone, InputObject)]
pub struct MoneyInput {
    /// The amount in the currency's minor units.
    pub amount: MinorUnits,
    /// The ISO 4217 code, e.g. `EUR`.
    pub currency: String,
}

impl MoneyInput {
    /// The amount, checked.
    pub fn to_money(&self) -> Result<Money, InvalidInput> {
        Ok(Money::new(self.amount.value()?, Currency::parse(&self.currency)?))
    }
}

/// How often a plan bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "BillingInterval")]
pub enum IntervalValue {
    /// Every calendar month.
    Month,
    /// Every calendar year.
    Year,
}

impl From<Interval> for IntervalValue {
    fn from(interval: Interval) -> Self {
        match interval {
            Interval::Month => Self::Month,
            Interval::Year => Self::Year,
        }
    }
}

impl From<IntervalValue> for Interval {
    fn from(value: IntervalValue) -> Self {
        match value {
            IntervalValue::Month => Self::Month,
            IntervalValue::Year => Self::Year,
        }
    }
}

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "SubscriptionStatus")]
pub enum SubscriptionStatusValue {
    /// In its free trial.
    Trialing,
    /// Billed every period and paid up.
    Active,
    /// An invoice is unpaid after its due date.
    PastDue,
    /// Ended.
    Canceled,
}

impl From<SubscriptionStatus> for SubscriptionStatusValue {
    fn from(status: SubscriptionStatus) -> Self {
        match status {
            SubscriptionStatus::Trialing => Self::Trialing,
            SubscriptionStatus::Active => Self::Active,
            SubscriptionStatus::PastDue => Self::PastDue,
            SubscriptionStatus::Canceled => Self::Canceled,
        }
    }
}

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "InvoiceStatus")]
pub enum InvoiceStatusValue {
    /// Being put together.
    Draft,
    /// Owed.
    Open,
    /// Paid in full.
    Paid,
    /// Cancelled; nothing is owed.
    Void,
}

impl From<InvoiceStatus> for InvoiceStatusValue {
    fn from(status: InvoiceStatus) -> Self {
        match status {
            InvoiceStatus::Draft => Self::Draft,
            InvoiceStatus::Open => Self::Open,
            InvoiceStatus::Paid => Self::Paid,
            InvoiceStatus::Void => Self::Void,
        }
    }
}

impl From<InvoiceStatusValue> for InvoiceStatus {
    fn from(value: InvoiceStatusValue) -> Self {
        match value {
            InvoiceStatusValue::Draft => Self::Draft,
            InvoiceStatusValue::Open => Self::Open,
            InvoiceStatusValue::Paid => Self::Paid,
            InvoiceStatusValue::Void => Self::Void,
        }
    }
}

/// Something to subscribe to.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Plan")]
pub struct PlanObject {
    /// The plan's id.
    pub id: ID,
    /// The unique code, e.g. `pro-monthly`.
    pub code: String,
    /// The name shown to people.
    pub name: String,
    /// The price of one period.
    pub price: MoneyObject,
    /// How often it bills.
    pub interval: IntervalValue,
    /// Days of free trial before the first invoice.
    pub trial_days: i32,
    /// Whether new subscriptions may choose it.
    pub active: bool,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

impl From<Plan> for PlanObject {
    fn from(plan: Plan) -> Self {
        Self {
            id: ID(plan.id.to_string()),
            code: plan.code,
            name: plan.name,
            price: plan.price.into(),
            interval: plan.interval.into(),
            trial_days: i32::try_from(plan.trial_days).unwrap_or(i32::MAX),
            active: plan.active,
            created_at: time(plan.created_at),
        }
    }
}

/// A user on a plan. Not named `Subscription`, which an SDL without a schema definition reads as the
/// subscription root type.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "BillingSubscription")]
pub struct SubscriptionObject {
    /// The subscription's id.
    pub id: ID,
    /// Whose it is.
    pub user: User,
    /// The plan subscribed to.
    pub plan: PlanObject,
    /// Where it stands.
    pub status: SubscriptionStatusValue,
    /// The current period's start (RFC 3339): the trial's while trialing.
    pub current_period_start: String,
    /// The current period's end (RFC 3339).
    pub current_period_end: String,
    /// When the trial ends (RFC 3339), for a plan with one.
    pub trial_end: Option<String>,
    /// When it was canceled (RFC 3339).
    pub canceled_at: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

impl From<Subscription> for SubscriptionObject {
    fn from(subscription: Subscription) -> Self {
        Self {
            id: ID(subscription.id.to_string()),
            user: User::new(ID(subscription.user_id.to_string())),
            plan: subscription.plan.into(),
            status: subscription.status.into(),
            current_period_start: time(subscription.current_period.start),
            current_period_end: time(subscription.current_period.end),
            trial_end: subscription.trial_end.map(time),
            canceled_at: subscription.canceled_at.map(time),
            created_at: time(subscription.created_at),
        }
    }
}

/// One billed item.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "InvoiceLine")]
pub struct InvoiceLineObject {
    /// What is billed.
    pub description: String,
    /// How many (64-bit safe, as minor units are).
    pub quantity: MinorUnits,
    /// The price of one.
    pub unit_price: MoneyObject,
    /// `quantity × unitPrice`.
    pub amount: MoneyObject,
}

impl From<InvoiceLine> for InvoiceLineObject {
    fn from(line: InvoiceLine) -> Self {
        Self {
            description: line.description,
            quantity: MinorUnits::of(line.quantity),
            unit_price: line.unit_price.into(),
            amount: line.amount.into(),
        }
    }
}

/// What a user owes.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Invoice")]
pub struct InvoiceObject {
    /// The invoice's id.
    pub id: ID,
    /// Who owes it.
    pub user: User,
    /// The subscription it bills.
    pub subscription_id: Option<ID>,
    /// Where it stands.
    pub status: InvoiceStatusValue,
    /// What is billed, in order.
    pub lines: Vec<InvoiceLineObject>,
    /// The sum of the lines.
    pub subtotal: MoneyObject,
    /// What is owed in all.
    pub total: MoneyObject,
    /// What remains to be paid: the total while open, zero once paid or void.
    pub amount_due: MoneyObject,
    /// The billed period's start (RFC 3339).
    pub period_start: Option<String>,
    /// The billed period's end (RFC 3339).
    pub period_end: Option<String>,
    /// When payment is due (RFC 3339).
    pub due_at: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was paid (RFC 3339).
    pub paid_at: Option<String>,
    /// When it was voided (RFC 3339).
    pub voided_at: Option<String>,
}

impl From<Invoice> for InvoiceObject {
    fn from(invoice: Invoice) -> Self {
        let amount_due = invoice.amount_due().into();
        Self {
            id: ID(invoice.id.to_string()),
            user: User::new(ID(invoice.user_id.to_string())),
            subscription_id: invoice.subscription_id.map(|id| ID(id.to_string())),
            status: invoice.status.into(),
            lines: invoice.lines.into_iter().map(InvoiceLineObject::from).collect(),
            subtotal: invoice.subtotal.into(),
            total: invoice.total.into(),
            amount_due,
            period_start: invoice.period_start.map(time),
            period_end: invoice.period_end.map(time),
            due_at: time(invoice.due_at),
            created_at: time(invoice.created_at),
            paid_at: invoice.paid_at.map(time),
            voided_at: invoice.voided_at.map(time),
        }
    }
}

/// Money received against an invoice.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Payment")]
pub struct PaymentObject {
    /// The payment's id.
    pub id: ID,
    /// The invoice it paid.
    pub invoice_id: ID,
    /// The amount paid.
    pub amount: MoneyObject,
    /// The key it was recorded under.
    pub idempotency_key: String,
    /// When it was recorded (RFC 3339).
    pub created_at: String,
}

impl From<Payment> for PaymentObject {
    fn from(payment: Payment) -> Self {
        Self {
            id: ID(payment.id.to_string()),
            invoice_id: ID(payment.invoice_id.to_string()),
            amount: payment.amount.into(),
            idempotency_key: payment.idempotency_key,
            created_at: time(payment.created_at),
        }
    }
}

/// One invoice of a page, with the cursor that resumes after it.
#[derive(Debug, Clone, SimpleObject)]
pub struct InvoiceEdge {
    /// Pass as `after` to read the invoices following this one.
    pub cursor: String,
    /// The invoice.
    pub node: InvoiceObject,
}

/// Where a page of invoices ended. Named for billing so it never clashes with another subgraph's page type.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "InvoicePageInfo")]
pub struct InvoicePageInfo {
    /// Whether more invoices follow this page.
    pub has_next_page: bool,
    /// The last edge's cursor; null for an empty page.
    pub end_cursor: Option<String>,
}

/// A page of a user's invoices, newest first.
#[derive(Debug, Clone, SimpleObject)]
pub struct InvoiceConnection {
    /// The page's invoices.
    pub edges: Vec<InvoiceEdge>,
    /// Where the page ended.
    pub page_info: InvoicePageInfo,
}

/// A plan to create.
#[derive(Debug, Clone, InputObject)]
pub struct CreatePlanInput {
    /// The unique code: lowercase letters, digits and dashes, starting with a letter.
    pub code: String,
    /// The name shown to people.
    pub name: String,
    /// The price of one period; above zero.
    pub price: MoneyInput,
    /// How often it bills.
    pub interval: IntervalValue,
    /// Days of free trial before the first invoice (0 to 365).
    #[graphql(default)]
    pub trial_days: i32,
}
