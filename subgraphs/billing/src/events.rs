//! What billing publishes. Every change is written to the outbox in the same transaction as the change
//! ([`enqueue`]); the kernel's relay publishes it to [`TOPIC`], keyed by the changed subscription's or invoice's
//! id so each one's events keep their order. Payloads carry `id` (and `user_id` where a user is concerned), so
//! the audit log names the resource and whose it is.

use kernel::events::EventEnvelope;
use kernel::outbox::OutboxError;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::domain::{Invoice, Money, Payment, Plan, Subscription, SubscriptionStatus};

/// The topic billing publishes to.
pub const TOPIC: &str = "billing.events";
/// The `source` of billing's envelopes.
pub const SOURCE: &str = "billing";
/// A subscription was created, or its status, plan or period changed.
pub const SUBSCRIPTION_CHANGED: &str = "subscription.changed";
/// An invoice was opened.
pub const INVOICE_CREATED: &str = "invoice.created";
/// An invoice was paid in full.
pub const INVOICE_PAID: &str = "invoice.paid";
/// An invoice was voided.
pub const INVOICE_VOIDED: &str = "invoice.voided";
/// A payment was recorded.
pub const PAYMENT_RECORDED: &str = "payment.recorded";
/// A plan was created.
pub const PLAN_CREATED: &str = "plan.created";
/// A plan was archived.
pub const PLAN_ARCHIVED: &str = "plan.archived";

/// One change, as published.
#[derive(Debug, Clone, Copy)]
pub enum BillingEvent<'a> {
    /// A subscription after a change; `previous` is its status before (none for a new one).
    SubscriptionChanged {
        /// The subscription after the change.
        subscription: &'a Subscription,
        /// Its status before, or none when it was just created.
        previous: Option<SubscriptionStatus>,
    },
    /// An invoice was opened.
    InvoiceCreated(&'a Invoice),
    /// An invoice was paid by `payment`.
    InvoicePaid {
        /// The invoice, now paid.
        invoice: &'a Invoice,
        /// The payment that paid it.
        payment: &'a Payment,
    },
    /// An invoice was voided.
    InvoiceVoided(&'a Invoice),
    /// A payment against `invoice` was recorded.
    PaymentRecorded {
        /// The payment.
        payment: &'a Payment,
        /// The invoice it pays.
        invoice: &'a Invoice,
    },
    /// A plan was created.
    PlanCreated(&'a Plan),
    /// A plan was archived.
    PlanArchived(&'a Plan),
}

fn money(amount: Money) -> Value {
    // Minor units as a string: a JSON number loses precision past 2^53 in many consumers.
    json!({
        "minor_units": amount.minor().to_string(),
        "currency": amount.currency().code(),
        "formatted": amount.to_string(),
    })
}

fn plan(plan: &Plan) -> Value {
    json!({
        "id": plan.id.to_string(),
        "code": plan.code,
        "name": plan.name,
        "price": money(plan.price),
        "interval": plan.interval.as_str(),
        "trial_days": plan.trial_days,
        "active": plan.active,
    })
}

impl BillingEvent<'_> {
    /// The envelope's event type.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::SubscriptionChanged { .. } => SUBSCRIPTION_CHANGED,
            Self::InvoiceCreated(_) => INVOICE_CREATED,
            Self::InvoicePaid { .. } => INVOICE_PAID,
            Self::InvoiceVoided(_) => INVOICE_VOIDED,
            Self::PaymentRecorded { .. } => PAYMENT_RECORDED,
            Self::PlanCreated(_) => PLAN_CREATED,
            Self::PlanArchived(_) => PLAN_ARCHIVED,
        }
    }

    /// The message key: the subscription's, invoice's or plan's id.
    pub fn key(&self) -> String {
        match self {
            Self::SubscriptionChanged { subscription, .. } => subscription.id.to_string(),
            Self::InvoiceCreated(invoice) | Self::InvoiceVoided(invoice) | Self::InvoicePaid { invoice, .. } => {
                invoice.id.to_string()
            }
            Self::PaymentRecorded { invoice, .. } => invoice.id.to_string(),
            Self::PlanCreated(plan) | Self::PlanArchived(plan) => plan.id.to_string(),
        }
    }

    /// The event's data.
    pub fn payload(&self) -> Value {
        match self {
            Self::SubscriptionChanged { subscription, previous } => json!({
                "id": subscription.id.to_string(),
                "user_id": subscription.user_id.as_str(),
                "plan_code": subscription.plan.code,
                "status": subscription.status.as_str(),
                "previous_status": previous.map(SubscriptionStatus::as_str),
                "current_period_start": subscription.current_period.start.to_rfc3339(),
                "current_period_end": subscription.current_period.end.to_rfc3339(),
            }),
            Self::InvoiceCreated(invoice) | Self::InvoiceVoided(invoice) => json!({
                "id": invoice.id.to_string(),
                "user_id": invoice.user_id.as_str(),
                "subscription_id": invoice.subscription_id.map(|id| id.to_string()),
                "status": invoice.status.as_str(),
                "total": money(invoice.total),
                "due_at": invoice.due_at.to_rfc3339(),
            }),
            Self::InvoicePaid { invoice, payment } => json!({
                "id": invoice.id.to_string(),
                "user_id": invoice.user_id.as_str(),
                "payment_id": payment.id.to_string(),
                "amount": money(payment.amount),
            }),
            Self::PaymentRecorded { payment, invoice } => json!({
                "id": payment.id.to_string(),
                "user_id": invoice.user_id.as_str(),
                "payer_id": payment.payer_id.as_str(),
                "invoice_id": invoice.id.to_string(),
                "amount": money(payment.amount),
            }),
            Self::PlanCreated(p) | Self::PlanArchived(p) => plan(p),
        }
    }

    /// The envelope describing this change, made by `actor` (none for the service's own scheduled work).
    pub fn envelope(&self, actor: Option<&str>) -> EventEnvelope {
        let envelope = EventEnvelope::new(self.event_type(), SOURCE, self.payload());
        match actor {
            Some(actor) => envelope.with_actor(actor),
            None => envelope,
        }
    }
}

/// Writes `event` to the outbox through `conn`, which must be the transaction making the change.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    event: BillingEvent<'_>,
    actor: Option<&str>,
) -> Result<(), OutboxError> {
    kernel::outbox::enqueue(conn, TOPIC, &event.key(), &event.envelope(actor)).await
}
