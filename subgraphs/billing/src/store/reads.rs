//! Reading billing's tables. Each function takes the connection to run on, so a change can read inside its own
//! transaction; lists of many users' data are read in one statement per table, for the GraphQL loaders.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::convert;
use super::entities::{invoice, invoice_line, payment, plan, subscription};
use crate::domain::{Cursor, Invoice, InvoiceStatus, Payment, Plan, Subscription, SubscriptionStatus, UserId};

/// Every plan by code; archived ones only when `include_archived`.
pub async fn plans(conn: &impl ConnectionTrait, include_archived: bool) -> Result<Vec<Plan>, DbErr> {
    let mut query = plan::Entity::find();
    if !include_archived {
        query = query.filter(plan::Column::Active.eq(true));
    }
    let rows = query.order_by_asc(plan::Column::Code).all(conn).await?;
    rows.into_iter().map(convert::plan).collect()
}

/// The plan with `code`.
pub async fn plan_by_code(conn: &impl ConnectionTrait, code: &str) -> Result<Option<Plan>, DbErr> {
    plan::Entity::find()
        .filter(plan::Column::Code.eq(code))
        .one(conn)
        .await?
        .map(convert::plan)
        .transpose()
}

async fn plans_by_id(conn: &impl ConnectionTrait, ids: Vec<Uuid>) -> Result<HashMap<Uuid, Plan>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = plan::Entity::find()
        .filter(plan::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|row| convert::plan(row).map(|plan| (plan.id, plan)))
        .collect()
}

/// Subscription rows with their plans, read in one further statement.
async fn with_plans(conn: &impl ConnectionTrait, rows: Vec<subscription::Model>) -> Result<Vec<Subscription>, DbErr> {
    let mut plan_ids: Vec<Uuid> = rows.iter().map(|row| row.plan_id).collect();
    plan_ids.sort_unstable();
    plan_ids.dedup();
    let plans = plans_by_id(conn, plan_ids).await?;
    rows.into_iter()
        .map(|row| {
            let plan = plans
                .get(&row.plan_id)
                .cloned()
                .ok_or_else(|| DbErr::Custom(format!("subscription {} names a missing plan", row.id)))?;
            convert::subscription(row, plan)
        })
        .collect()
}

/// The subscription with `id`.
pub async fn subscription(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Subscription>, DbErr> {
    let Some(row) = subscription::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    Ok(with_plans(conn, vec![row]).await?.pop())
}

/// The current (not canceled) subscription of each of `users` that has one.
pub async fn current_subscriptions(
    conn: &impl ConnectionTrait,
    users: &[UserId],
) -> Result<HashMap<UserId, Subscription>, DbErr> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = subscription::Entity::find()
        .filter(subscription::Column::UserId.is_in(users.iter().map(UserId::as_str)))
        .filter(subscription::Column::Status.ne(SubscriptionStatus::Canceled.as_str()))
        .all(conn)
        .await?;
    let subscriptions = with_plans(conn, rows).await?;
    Ok(subscriptions.into_iter().map(|s| (s.user_id.clone(), s)).collect())
}

/// Live subscriptions whose current period ended at or before `now`, oldest end first, at most `limit`.
pub async fn subscriptions_to_renew(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Subscription>, DbErr> {
    let rows = subscription::Entity::find()
        .filter(subscription::Column::Status.ne(SubscriptionStatus::Canceled.as_str()))
        .filter(subscription::Column::PeriodEnd.lte(now))
        .order_by_asc(subscription::Column::PeriodEnd)
        .order_by_asc(subscription::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    with_plans(conn, rows).await
}

/// Invoice rows with their lines, read in one further statement.
async fn with_lines(conn: &impl ConnectionTrait, rows: Vec<invoice::Model>) -> Result<Vec<Invoice>, DbErr> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let lines = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.is_in(ids))
        .order_by_asc(invoice_line::Column::InvoiceId)
        .order_by_asc(invoice_line::Column::Position)
        .all(conn)
        .await?;
    let mut by_invoice: HashMap<Uuid, Vec<invoice_line::Model>> = HashMap::new();
    for line in lines {
        by_invoice.entry(line.invoice_id).or_default().push(line);
    }
    rows.into_iter()
        .map(|row| {
            let lines = by_invoice.remove(&row.id).unwrap_or_default();
            convert::invoice(row, lines)
        })
        .collect()
}

/// The invoice with `id`, with its lines.
pub async fn invoice(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Invoice>, DbErr> {
    let Some(row) = invoice::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    Ok(with_lines(conn, vec![row]).await?.pop())
}

/// The invoices of `users`, newest first by `(created_at, id)`, only those with `status` when given and only
/// those strictly older than `after` when given, at most `per_user + 1` of each user's.
pub async fn invoices_of_users(
    conn: &impl ConnectionTrait,
    users: &[UserId],
    status: Option<InvoiceStatus>,
    after: Option<Cursor>,
    per_user: usize,
) -> Result<HashMap<UserId, Vec<Invoice>>, DbErr> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query = invoice::Entity::find().filter(invoice::Column::UserId.is_in(users.iter().map(UserId::as_str)));
    if let Some(status) = status {
        query = query.filter(invoice::Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = after {
        let at = cursor.created_at();
        query = query.filter(
            Condition::any().add(invoice::Column::CreatedAt.lt(at)).add(
                Condition::all()
                    .add(invoice::Column::CreatedAt.eq(at))
                    .add(invoice::Column::Id.lt(cursor.id)),
            ),
        );
    }
    // A user has a few invoices a year, so reading all of a batch's rows and cutting each user's list here
    // costs less than a window query that each backend spells differently.
    let rows = query
        .order_by_desc(invoice::Column::CreatedAt)
        .order_by_desc(invoice::Column::Id)
        .all(conn)
        .await?;
    let mut kept = Vec::new();
    let mut per_user_count: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let seen = per_user_count.entry(row.user_id.clone()).or_default();
        if *seen <= per_user {
            *seen += 1;
            kept.push(row);
        }
    }
    let mut by_user: HashMap<UserId, Vec<Invoice>> = HashMap::new();
    for invoice in with_lines(conn, kept).await? {
        by_user.entry(invoice.user_id.clone()).or_default().push(invoice);
    }
    Ok(by_user)
}

/// Open invoices of active subscriptions whose due date passed before `now`: (subscription id, invoice id).
/// Only active ones: an overdue invoice of a subscription that is past due (or canceled) already had its effect,
/// and selecting it again on every pass would crowd out the ones that have not.
pub async fn overdue_invoices(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<(Uuid, Uuid)>, DbErr> {
    let active = subscription::Entity::find()
        .select_only()
        .column(subscription::Column::Id)
        .filter(subscription::Column::Status.eq(SubscriptionStatus::Active.as_str()));
    let rows: Vec<(Option<Uuid>, Uuid)> = invoice::Entity::find()
        .select_only()
        .column(invoice::Column::SubscriptionId)
        .column(invoice::Column::Id)
        .filter(invoice::Column::Status.eq(InvoiceStatus::Open.as_str()))
        .filter(invoice::Column::SubscriptionId.in_subquery(active.into_query()))
        .filter(invoice::Column::DueAt.lt(now))
        .order_by_asc(invoice::Column::DueAt)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(subscription, invoice)| subscription.map(|s| (s, invoice)))
        .collect())
}

/// Whether the subscription `id` still has an open invoice due before `now`.
pub async fn has_overdue_invoice(conn: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let found = invoice::Entity::find()
        .filter(invoice::Column::SubscriptionId.eq(id))
        .filter(invoice::Column::Status.eq(InvoiceStatus::Open.as_str()))
        .filter(invoice::Column::DueAt.lt(now))
        .one(conn)
        .await?;
    Ok(found.is_some())
}

/// The payment `payer` recorded under `key`.
pub async fn payment_by_key(conn: &impl ConnectionTrait, payer: &UserId, key: &str) -> Result<Option<Payment>, DbErr> {
    payment::Entity::find()
        .filter(payment::Column::PayerId.eq(payer.as_str()))
        .filter(payment::Column::IdempotencyKey.eq(key))
        .one(conn)
        .await?
        .map(convert::payment)
        .transpose()
}

/// Every payment of invoice `id`.
pub async fn payments_of_invoice(conn: &impl ConnectionTrait, id: Uuid) -> Result<Vec<Payment>, DbErr> {
    let rows = payment::Entity::find()
        .filter(payment::Column::InvoiceId.eq(id))
        .order_by_asc(payment::Column::CreatedAt)
        .all(conn)
        .await?;
    rows.into_iter().map(convert::payment).collect()
}
