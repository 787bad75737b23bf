//! The operations on a real SQLite database, on an explicit clock: subscribing, renewing, falling past due and
//! being reinstated by a payment, and the events each change writes to the outbox.

use std::time::Duration;

use chrono::{DateTime, Utc};
use kernel::db::{Database, DatabaseConfig};
use sea_orm::{ConnectionTrait, Statement};

use super::{Billing, Terms};
use crate::domain::{
    Currency, IdempotencyKey, Interval, InvoiceStatus, Money, NewPlan, PlanCode, SubscriptionStatus, UserId,
};
use crate::error::BillingError;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::parse("EUR").unwrap())
}

async fn billing(dir: &tempfile::TempDir) -> Billing {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("billing.db").display());
    let db: Database = kernel::db::connect(&DatabaseConfig {
        url: url.into(),
        ..DatabaseConfig::default()
    })
    .await
    .unwrap();
    kernel::db::migrate::<migrations::billing::Migrator>(&db).await.unwrap();
    let terms = Terms {
        payment_due_after: Duration::from_secs(7 * 86_400),
    };
    Billing::new(db.conn().clone(), terms)
}

async fn plan(billing: &Billing, code: &str, trial_days: i32) {
    let plan = NewPlan::parse(code, "Pro", eur(900), Interval::Month, trial_days).unwrap();
    billing
        .create_plan("admin", plan, at("2026-01-01T00:00:00Z"))
        .await
        .unwrap();
}

/// The event types in the outbox, oldest first.
async fn events(billing: &Billing) -> Vec<String> {
    let rows = billing
        .conn()
        .query_all_raw(Statement::from_string(
            billing.conn().get_database_backend(),
            "SELECT envelope FROM outbox ORDER BY sequence",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            let text: String = row.try_get("", "envelope").unwrap();
            let envelope: serde_json::Value = serde_json::from_str(&text).unwrap();
            envelope["event_type"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn an_unpaid_invoice_makes_the_subscription_past_due_and_paying_it_reinstates_it() {
    let dir = tempfile::tempdir().unwrap();
    let billing = billing(&dir).await;
    plan(&billing, "pro", 0).await;
    let user = UserId::parse("u1").unwrap();
    let subscribed = billing
        .subscribe(&user, &PlanCode::parse("pro").unwrap(), at("2026-01-31T10:00:00Z"))
        .await
        .unwrap();
    let first = subscribed.invoice.unwrap();
    assert_eq!(subscribed.subscription.status, SubscriptionStatus::Active);
    assert_eq!(first.due_at, at("2026-02-07T10:00:00Z"));
    assert_eq!(first.total, eur(900));

    // Before the due date nothing changes; after it, the subscription is past due.
    let quiet = billing.renew(at("2026-02-07T09:59:59Z")).await.unwrap();
    assert_eq!(quiet, super::RenewalReport::default());
    let report = billing.renew(at("2026-02-08T00:00:00Z")).await.unwrap();
    assert_eq!(report.marked_past_due, 1);
    let id = subscribed.subscription.id;
    assert_eq!(
        billing.subscription(id).await.unwrap().status,
        SubscriptionStatus::PastDue
    );

    let key = IdempotencyKey::parse("k1").unwrap();
    let payment = billing
        .pay(&user, &first, eur(900), &key, at("2026-02-09T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(payment.amount, eur(900));
    assert_eq!(billing.invoice(first.id).await.unwrap().status, InvoiceStatus::Paid);
    assert_eq!(
        billing.subscription(id).await.unwrap().status,
        SubscriptionStatus::Active
    );
    assert_eq!(
        events(&billing).await,
        [
            "plan.created",
            "subscription.changed",
            "invoice.created",
            "subscription.changed",
            "payment.recorded",
            "invoice.paid",
            "subscription.changed",
        ]
    );
}

#[tokio::test]
async fn an_ended_month_opens_the_next_periods_invoice_on_the_clamped_day() {
    let dir = tempfile::tempdir().unwrap();
    let billing = billing(&dir).await;
    plan(&billing, "pro", 0).await;
    let user = UserId::parse("u1").unwrap();
    let subscribed = billing
        .subscribe(&user, &PlanCode::parse("pro").unwrap(), at("2026-01-31T10:00:00Z"))
        .await
        .unwrap();
    let first = subscribed.invoice.unwrap();
    let key = IdempotencyKey::parse("k1").unwrap();
    billing
        .pay(&user, &first, eur(900), &key, at("2026-02-01T00:00:00Z"))
        .await
        .unwrap();

    // Two periods end before this pass: each is closed and invoiced, one at a time.
    let report = billing.renew(at("2026-03-31T10:00:00Z")).await.unwrap();
    assert_eq!(report.periods_renewed, 2);
    assert_eq!(report.invoices_opened, 2);
    let subscription = billing.subscription(subscribed.subscription.id).await.unwrap();
    assert_eq!(subscription.period_index, 2);
    assert_eq!(subscription.current_period.start, at("2026-03-31T10:00:00Z"));
    assert_eq!(subscription.current_period.end, at("2026-04-30T10:00:00Z"));
    // The second invoice is overdue by now, so the subscription fell past due in the same pass.
    assert_eq!(report.marked_past_due, 1);
    // A second pass at the same time finds nothing more to do.
    let again = billing.renew(at("2026-03-31T10:00:00Z")).await.unwrap();
    assert_eq!(again, super::RenewalReport::default());
}

#[tokio::test]
async fn a_trial_ends_into_an_active_subscription_with_its_first_invoice() {
    let dir = tempfile::tempdir().unwrap();
    let billing = billing(&dir).await;
    plan(&billing, "trial", 14).await;
    let user = UserId::parse("u2").unwrap();
    let subscribed = billing
        .subscribe(&user, &PlanCode::parse("trial").unwrap(), at("2026-03-01T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(subscribed.subscription.status, SubscriptionStatus::Trialing);
    assert!(subscribed.invoice.is_none());
    let report = billing.renew(at("2026-03-15T00:00:00Z")).await.unwrap();
    assert_eq!(report.trials_ended, 1);
    let subscription = billing.subscription(subscribed.subscription.id).await.unwrap();
    assert_eq!(subscription.status, SubscriptionStatus::Active);
    assert_eq!(subscription.current_period.end, at("2026-04-15T00:00:00Z"));
}

#[tokio::test]
async fn a_second_current_subscription_and_a_settled_invoice_are_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let billing = billing(&dir).await;
    plan(&billing, "pro", 0).await;
    let user = UserId::parse("u3").unwrap();
    let code = PlanCode::parse("pro").unwrap();
    let now = at("2026-05-01T00:00:00Z");
    let subscribed = billing.subscribe(&user, &code, now).await.unwrap();
    assert!(matches!(
        billing.subscribe(&user, &code, now).await,
        Err(BillingError::Conflict(_))
    ));
    let invoice = subscribed.invoice.unwrap();
    let voided = billing.void("admin", &invoice, now).await.unwrap();
    let key = IdempotencyKey::parse("k").unwrap();
    assert!(matches!(
        billing.pay(&user, &voided, eur(900), &key, now).await,
        Err(BillingError::Conflict(_))
    ));
    // Once canceled, the user may subscribe again.
    billing.cancel("u3", subscribed.subscription, now).await.unwrap();
    assert!(billing.subscribe(&user, &code, now).await.is_ok());
}

#[tokio::test]
async fn a_canceled_subscription_neither_renews_nor_falls_past_due() {
    let dir = tempfile::tempdir().unwrap();
    let billing = billing(&dir).await;
    plan(&billing, "pro", 0).await;
    let user = UserId::parse("u4").unwrap();
    let subscribed = billing
        .subscribe(&user, &PlanCode::parse("pro").unwrap(), at("2026-06-01T00:00:00Z"))
        .await
        .unwrap();
    let id = subscribed.subscription.id;
    billing
        .cancel("u4", subscribed.subscription, at("2026-06-02T00:00:00Z"))
        .await
        .unwrap();
    let report = billing.renew(at("2026-09-01T00:00:00Z")).await.unwrap();
    assert_eq!(report, super::RenewalReport::default());
    assert_eq!(
        billing.subscription(id).await.unwrap().status,
        SubscriptionStatus::Canceled
    );
}
