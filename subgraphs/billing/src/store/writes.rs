//! Changing billing's tables. Each function takes the connection to run on, so callers put a change and the
//! outbox event describing it in one transaction. Status changes are conditional on the status read before
//! (`UPDATE … WHERE status = …`) and report how many rows they changed, so a change that lost a race to a
//! concurrent one is noticed rather than applied twice.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entities::{invoice, invoice_line, payment, plan, subscription};
use crate::domain::period::Period;
use crate::domain::{Invoice, InvoiceStatus, Payment, Plan, Subscription, SubscriptionStatus};

/// Inserts `plan`; a taken code fails with the database's unique violation.
pub async fn insert_plan(conn: &impl ConnectionTrait, plan: &Plan) -> Result<(), DbErr> {
    plan::Entity::insert(plan::ActiveModel {
        id: Set(plan.id),
        code: Set(plan.code.clone()),
        name: Set(plan.name.clone()),
        price_minor: Set(plan.price.minor()),
        currency: Set(plan.price.currency().code().to_owned()),
        billing_interval: Set(plan.interval.as_str().to_owned()),
        trial_days: Set(i32::try_from(plan.trial_days).unwrap_or(i32::MAX)),
        active: Set(plan.active),
        created_at: Set(plan.created_at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Archives the active plan `id`; `false` when it was not active.
pub async fn archive_plan(conn: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let result = plan::Entity::update_many()
        .col_expr(plan::Column::Active, Expr::value(false))
        .filter(plan::Column::Id.eq(id))
        .filter(plan::Column::Active.eq(true))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Inserts `subscription`; a second current subscription of its user fails with the unique violation.
pub async fn insert_subscription(conn: &impl ConnectionTrait, subscription: &Subscription) -> Result<(), DbErr> {
    subscription::Entity::insert(subscription::ActiveModel {
        id: Set(subscription.id),
        user_id: Set(subscription.user_id.as_str().to_owned()),
        plan_id: Set(subscription.plan.id),
        status: Set(subscription.status.as_str().to_owned()),
        anchor: Set(subscription.anchor),
        period_index: Set(index(subscription.period_index)),
        period_start: Set(subscription.current_period.start),
        period_end: Set(subscription.current_period.end),
        trial_end: Set(subscription.trial_end),
        canceled_at: Set(subscription.canceled_at),
        created_at: Set(subscription.created_at),
        updated_at: Set(subscription.created_at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

fn index(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// Moves subscription `id` from `from` to `to`; `false` when it was no longer in `from`.
pub async fn set_subscription_status(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: SubscriptionStatus,
    to: SubscriptionStatus,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = subscription::Entity::update_many()
        .col_expr(subscription::Column::Status, Expr::value(to.as_str()))
        .col_expr(subscription::Column::UpdatedAt, Expr::value(now));
    if to == SubscriptionStatus::Canceled {
        update = update.col_expr(subscription::Column::CanceledAt, Expr::value(Some(now)));
    }
    let result = update
        .filter(subscription::Column::Id.eq(id))
        .filter(subscription::Column::Status.eq(from.as_str()))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Moves subscription `id`, still in `from` at period `from_index`, into `status` and period `index`;
/// `false` when another change got there first.
#[allow(clippy::too_many_arguments)]
pub async fn advance_subscription(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: SubscriptionStatus,
    from_period_end: DateTime<Utc>,
    status: SubscriptionStatus,
    period_index: u32,
    period: Period,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = subscription::Entity::update_many()
        .col_expr(subscription::Column::Status, Expr::value(status.as_str()))
        .col_expr(subscription::Column::PeriodIndex, Expr::value(index(period_index)))
        .col_expr(subscription::Column::PeriodStart, Expr::value(period.start))
        .col_expr(subscription::Column::PeriodEnd, Expr::value(period.end))
        .col_expr(subscription::Column::UpdatedAt, Expr::value(now))
        .filter(subscription::Column::Id.eq(id))
        .filter(subscription::Column::Status.eq(from.as_str()))
        .filter(subscription::Column::PeriodEnd.eq(from_period_end))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Inserts `invoice` and its lines; a second invoice for one subscription period fails with the unique violation.
pub async fn insert_invoice(conn: &impl ConnectionTrait, invoice: &Invoice) -> Result<(), DbErr> {
    let currency = invoice.total.currency().code().to_owned();
    invoice::Entity::insert(invoice::ActiveModel {
        id: Set(invoice.id),
        user_id: Set(invoice.user_id.as_str().to_owned()),
        subscription_id: Set(invoice.subscription_id),
        status: Set(invoice.status.as_str().to_owned()),
        currency: Set(currency),
        subtotal_minor: Set(invoice.subtotal.minor()),
        total_minor: Set(invoice.total.minor()),
        period_start: Set(invoice.period_start),
        period_end: Set(invoice.period_end),
        due_at: Set(invoice.due_at),
        created_at: Set(invoice.created_at),
        paid_at: Set(invoice.paid_at),
        voided_at: Set(invoice.voided_at),
    })
    .exec_without_returning(conn)
    .await?;
    if invoice.lines.is_empty() {
        return Ok(());
    }
    let lines = invoice
        .lines
        .iter()
        .enumerate()
        .map(|(position, line)| invoice_line::ActiveModel {
            id: Set(Uuid::now_v7()),
            invoice_id: Set(invoice.id),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            description: Set(line.description.clone()),
            quantity: Set(line.quantity),
            unit_price_minor: Set(line.unit_price.minor()),
            amount_minor: Set(line.amount.minor()),
        });
    invoice_line::Entity::insert_many(lines)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Moves invoice `id` from `from` to `to`, stamping `paid_at` or `voided_at`; `false` when it was not in `from`.
pub async fn set_invoice_status(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: InvoiceStatus,
    to: InvoiceStatus,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = invoice::Entity::update_many().col_expr(invoice::Column::Status, Expr::value(to.as_str()));
    match to {
        InvoiceStatus::Paid => update = update.col_expr(invoice::Column::PaidAt, Expr::value(Some(now))),
        InvoiceStatus::Void => update = update.col_expr(invoice::Column::VoidedAt, Expr::value(Some(now))),
        InvoiceStatus::Draft | InvoiceStatus::Open => {}
    }
    let result = update
        .filter(invoice::Column::Id.eq(id))
        .filter(invoice::Column::Status.eq(from.as_str()))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Inserts `payment`; a reused idempotency key, or a second payment of one invoice, fails with the unique
/// violation.
pub async fn insert_payment(conn: &impl ConnectionTrait, payment: &Payment) -> Result<(), DbErr> {
    payment::Entity::insert(payment::ActiveModel {
        id: Set(payment.id),
        invoice_id: Set(payment.invoice_id),
        payer_id: Set(payment.payer_id.as_str().to_owned()),
        amount_minor: Set(payment.amount.minor()),
        currency: Set(payment.amount.currency().code().to_owned()),
        idempotency_key: Set(payment.idempotency_key.clone()),
        created_at: Set(payment.created_at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
