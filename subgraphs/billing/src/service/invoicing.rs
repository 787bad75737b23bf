//! The invoice for one period of a subscription.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Terms;
use crate::domain::invoice::subtotal;
use crate::domain::{InvalidInput, Invoice, InvoiceStatus, NewInvoiceLine, Period, Subscription};

/// An open invoice billing `subscription`'s plan for `period`, due `terms.payment_due_after` into the period.
pub(crate) fn period_invoice(
    subscription: &Subscription,
    period: Period,
    terms: Terms,
    now: DateTime<Utc>,
) -> Result<Invoice, InvalidInput> {
    let plan = &subscription.plan;
    let description = format!(
        "{} ({} to {})",
        plan.name,
        period.start.format("%Y-%m-%d"),
        period.end.format("%Y-%m-%d")
    );
    let line = NewInvoiceLine::new(&description, 1, plan.price)?;
    let lines = vec![line];
    let subtotal = subtotal(plan.price.currency(), &lines)?;
    let due_after = chrono::Duration::from_std(terms.payment_due_after)
        .map_err(|_| InvalidInput::new("the payment term is too long"))?;
    let due_at = period
        .start
        .checked_add_signed(due_after)
        .ok_or_else(|| InvalidInput::new("the due date is past the calendar's range"))?;
    Ok(Invoice {
        id: Uuid::now_v7(),
        user_id: subscription.user_id.clone(),
        subscription_id: Some(subscription.id),
        status: InvoiceStatus::Open,
        lines,
        subtotal,
        total: subtotal,
        period_start: Some(period.start),
        period_end: Some(period.end),
        due_at,
        created_at: now,
        paid_at: None,
        voided_at: None,
    })
}
