//! Against real PostgreSQL (a fresh schema per test): duplicate payment requests racing each other still record
//! one payment, two keys racing for one invoice pay it once, racing subscriptions leave one current, and the
//! renewal on an explicit clock marks an unpaid subscription past due until it is paid.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::harness::{Db, Harness, MEMBER, SUBSCRIBE, USER_SUBSCRIPTION, error_code};

/// How many requests race in each test.
const RACERS: usize = 12;

async fn open_invoice(h: &Harness) -> String {
    h.create_plan("pro", "900", "EUR", 0).await;
    let (_, invoice) = h.subscribe(MEMBER, "pro").await;
    invoice.unwrap()["id"].as_str().unwrap().to_owned()
}

// Several worker threads, so the requests run in parallel rather than interleaved on one thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
async fn concurrent_duplicate_payments_record_one_payment_and_answer_it_to_all() {
    let h = Harness::start_with(Db::Postgres).await;
    let invoice = open_invoice(&h).await;
    let racers = (0..RACERS).map(|_| h.pay(MEMBER, &invoice, "900", "EUR", "same-key"));
    let answers: Vec<Value> = futures::future::join_all(racers).await;
    let ids: BTreeSet<String> = answers
        .iter()
        .map(|body| {
            assert!(body["errors"].is_null(), "{body}");
            body["data"]["payInvoice"]["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    assert_eq!(h.count("payments").await, 1);
    assert_eq!(h.events("payment.recorded").await.len(), 1);
    assert_eq!(h.events("invoice.paid").await.len(), 1);
    h.finish().await;
}

// Several worker threads, so the requests run in parallel rather than interleaved on one thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
async fn concurrent_payments_under_different_keys_pay_the_invoice_once() {
    let h = Harness::start_with(Db::Postgres).await;
    let invoice = open_invoice(&h).await;
    let keys: Vec<String> = (0..RACERS).map(|n| format!("key-{n}")).collect();
    let racers = keys.iter().map(|key| h.pay(MEMBER, &invoice, "900", "EUR", key));
    let answers: Vec<Value> = futures::future::join_all(racers).await;
    let paid = answers.iter().filter(|body| body["errors"].is_null()).count();
    assert_eq!(paid, 1, "{answers:?}");
    for body in answers.iter().filter(|body| !body["errors"].is_null()) {
        assert_eq!(error_code(body), "CONFLICT", "{body}");
    }
    assert_eq!(h.count("payments").await, 1);
    h.finish().await;
}

// Several worker threads, so the requests run in parallel rather than interleaved on one thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
async fn concurrent_subscriptions_of_one_user_leave_one_current() {
    let h = Harness::start_with(Db::Postgres).await;
    h.create_plan("pro", "900", "EUR", 0).await;
    let racers = (0..RACERS).map(|_| h.graphql(Some(MEMBER), SUBSCRIBE, json!({ "code": "pro" })));
    let answers: Vec<Value> = futures::future::join_all(racers).await;
    let created = answers.iter().filter(|body| body["errors"].is_null()).count();
    assert_eq!(created, 1, "{answers:?}");
    for body in answers.iter().filter(|body| !body["errors"].is_null()) {
        assert_eq!(error_code(body), "CONFLICT", "{body}");
    }
    assert_eq!(h.count("subscriptions").await, 1);
    assert_eq!(h.count("invoices").await, 1);
    h.finish().await;
}

#[tokio::test]
#[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
async fn an_unpaid_invoice_past_its_due_date_makes_the_subscription_past_due_until_paid() {
    let h = Harness::start_with(Db::Postgres).await;
    let invoice = open_invoice(&h).await;
    let status = || async {
        let reps = json!({ "reps": [{ "__typename": "User", "id": MEMBER }] });
        let body = h.graphql(Some(MEMBER), USER_SUBSCRIPTION, reps).await;
        body["data"]["_entities"][0]["subscription"]["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let billing = h.billing.billing();
    let report = billing.renew(Utc::now() + Duration::days(6)).await.unwrap();
    assert_eq!(report.marked_past_due, 0);
    assert_eq!(status().await, "ACTIVE");
    let report = billing.renew(Utc::now() + Duration::days(8)).await.unwrap();
    assert_eq!(report.marked_past_due, 1);
    assert_eq!(status().await, "PAST_DUE");

    let paid = h.pay(MEMBER, &invoice, "900", "EUR", "late-but-paid").await;
    assert!(paid["errors"].is_null(), "{paid}");
    assert_eq!(status().await, "ACTIVE");
    let statuses: Vec<String> = h
        .events("subscription.changed")
        .await
        .iter()
        .map(|event| event["payload"]["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["active", "past_due", "active"]);

    // A month and a day on, the period is closed and the next one invoiced, once however often it runs.
    let later = Utc::now() + Duration::days(32);
    let report = billing.renew(later).await.unwrap();
    assert_eq!(report.periods_renewed, 1);
    assert_eq!(billing.renew(later).await.unwrap().periods_renewed, 0);
    assert_eq!(h.count("invoices").await, 2);
    h.finish().await;
}

// Several worker threads, so the requests run in parallel rather than interleaved on one thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
async fn payments_racing_from_one_read_of_the_open_invoice_pay_it_once() {
    use billing::domain::{Currency, IdempotencyKey, Money, UserId, parse_id};
    use billing::error::BillingError;

    let h = Harness::start_with(Db::Postgres).await;
    let invoice = open_invoice(&h).await;
    let billing = h.billing.billing().clone();
    // Every racer holds the invoice as read while it was open, so none is turned away before the database
    // decides: the conditional update and the unique indexes alone must keep the payment single.
    let read = billing.invoice(parse_id(&invoice, "invoice").unwrap()).await.unwrap();
    let payer = UserId::parse(MEMBER).unwrap();
    let amount = Money::new(900, Currency::parse("EUR").unwrap());
    let racers = (0..RACERS).map(|n| {
        let (billing, read, payer) = (billing.clone(), read.clone(), payer.clone());
        // Half reuse one key, half bring their own.
        let key = IdempotencyKey::parse(&if n % 2 == 0 {
            "shared".to_owned()
        } else {
            format!("own-{n}")
        })
        .unwrap();
        tokio::spawn(async move { billing.pay(&payer, &read, amount, &key, Utc::now()).await })
    });
    let outcomes: Vec<Result<_, BillingError>> = futures::future::join_all(racers)
        .await
        .into_iter()
        .map(|joined| joined.unwrap())
        .collect();
    let paid: BTreeSet<String> = outcomes
        .iter()
        .filter_map(|outcome| outcome.as_ref().ok().map(|payment| payment.id.to_string()))
        .collect();
    assert_eq!(paid.len(), 1, "{outcomes:?}");
    for outcome in &outcomes {
        if let Err(error) = outcome {
            assert!(matches!(error, BillingError::Conflict(_)), "{error}");
        }
    }
    assert_eq!(h.count("payments").await, 1);
    assert_eq!(h.events("payment.recorded").await.len(), 1);
    h.finish().await;
}
