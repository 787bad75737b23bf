//! Rows into domain values. A row the domain refuses (an unknown status, currency or interval) is reported as a
//! database error: only this service writes these tables, so such a row means corruption, not bad input.

use sea_orm::DbErr;

use super::entities::{invoice, invoice_line, payment, plan, subscription};
use crate::domain::period::Period;
use crate::domain::{
    Currency, Interval, Invoice, InvoiceLine, InvoiceStatus, Money, Payment, Plan, Subscription, SubscriptionStatus,
    UserId,
};

fn corrupt(table: &str, id: impl std::fmt::Display, error: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(format!("{table} row {id} is not valid: {error}"))
}

fn currency(table: &str, id: impl std::fmt::Display, code: &str) -> Result<Currency, DbErr> {
    Currency::parse(code).map_err(|error| corrupt(table, id, error))
}

fn count(table: &str, id: impl std::fmt::Display, value: i32) -> Result<u32, DbErr> {
    u32::try_from(value).map_err(|error| corrupt(table, id, error))
}

/// A plan row as a [`Plan`].
pub(crate) fn plan(row: plan::Model) -> Result<Plan, DbErr> {
    let currency = currency("plans", row.id, &row.currency)?;
    Ok(Plan {
        id: row.id,
        interval: Interval::parse(&row.billing_interval).map_err(|e| corrupt("plans", row.id, e))?,
        trial_days: count("plans", row.id, row.trial_days)?,
        price: Money::new(row.price_minor, currency),
        code: row.code,
        name: row.name,
        active: row.active,
        created_at: row.created_at,
    })
}

/// A subscription row with its plan as a [`Subscription`].
pub(crate) fn subscription(row: subscription::Model, plan: Plan) -> Result<Subscription, DbErr> {
    Ok(Subscription {
        id: row.id,
        user_id: UserId::parse(&row.user_id).map_err(|e| corrupt("subscriptions", row.id, e))?,
        status: SubscriptionStatus::parse(&row.status).map_err(|e| corrupt("subscriptions", row.id, e))?,
        plan,
        anchor: row.anchor,
        period_index: count("subscriptions", row.id, row.period_index)?,
        current_period: Period {
            start: row.period_start,
            end: row.period_end,
        },
        trial_end: row.trial_end,
        canceled_at: row.canceled_at,
        created_at: row.created_at,
    })
}

/// An invoice row with its line rows (in order) as an [`Invoice`].
pub(crate) fn invoice(row: invoice::Model, lines: Vec<invoice_line::Model>) -> Result<Invoice, DbErr> {
    let currency = currency("invoices", row.id, &row.currency)?;
    let lines = lines
        .into_iter()
        .map(|line| InvoiceLine {
            description: line.description,
            quantity: line.quantity,
            unit_price: Money::new(line.unit_price_minor, currency),
            amount: Money::new(line.amount_minor, currency),
        })
        .collect();
    Ok(Invoice {
        id: row.id,
        user_id: UserId::parse(&row.user_id).map_err(|e| corrupt("invoices", row.id, e))?,
        subscription_id: row.subscription_id,
        status: InvoiceStatus::parse(&row.status).map_err(|e| corrupt("invoices", row.id, e))?,
        lines,
        subtotal: Money::new(row.subtotal_minor, currency),
        total: Money::new(row.total_minor, currency),
        period_start: row.period_start,
        period_end: row.period_end,
        due_at: row.due_at,
        created_at: row.created_at,
        paid_at: row.paid_at,
        voided_at: row.voided_at,
    })
}

/// A payment row as a [`Payment`].
pub(crate) fn payment(row: payment::Model) -> Result<Payment, DbErr> {
    let currency = currency("payments", row.id, &row.currency)?;
    Ok(Payment {
        id: row.id,
        invoice_id: row.invoice_id,
        payer_id: UserId::parse(&row.payer_id).map_err(|e| corrupt("payments", row.id, e))?,
        amount: Money::new(row.amount_minor, currency),
        idempotency_key: row.idempotency_key,
        created_at: row.created_at,
    })
}
