//! Paying invoices through the graph: the same idempotency key answers the same payment, a reused key or a wrong
//! amount is refused, a settled invoice cannot be paid, and only administrators void.

use serde_json::json;

use crate::harness::{ADMIN, Harness, INVOICE, MEMBER, OTHER, error_code};

const VOID: &str = "mutation($id: ID!) { voidInvoice(id: $id) { id status amountDue { amount } } }";

#[tokio::test]
async fn the_same_key_answers_the_same_payment_and_records_it_once() {
    let h = Harness::start().await;
    h.create_plan("pro", "900", "EUR", 0).await;
    let (_, invoice) = h.subscribe(MEMBER, "pro").await;
    let id = invoice.unwrap()["id"].as_str().unwrap().to_owned();

    let first = h.pay(MEMBER, &id, "900", "EUR", "key-1").await;
    assert!(first["errors"].is_null(), "{first}");
    let again = h.pay(MEMBER, &id, "900", "EUR", "key-1").await;
    assert_eq!(again["data"]["payInvoice"], first["data"]["payInvoice"], "{again}");
    assert_eq!(h.count("payments").await, 1);
    assert_eq!(h.events("payment.recorded").await.len(), 1);
    let paid = h.events("invoice.paid").await;
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["payload"]["id"], id.as_str());
    assert_eq!(paid[0]["payload"]["user_id"], MEMBER);

    let read = h.graphql(Some(MEMBER), INVOICE, json!({ "id": id })).await;
    assert_eq!(read["data"]["invoice"]["status"], "PAID", "{read}");

    // The key belongs to that payment: another amount under it conflicts, and so does a new key now.
    let reused = h.pay(MEMBER, &id, "901", "EUR", "key-1").await;
    assert_eq!(error_code(&reused), "CONFLICT", "{reused}");
    let settled = h.pay(MEMBER, &id, "900", "EUR", "key-2").await;
    assert_eq!(error_code(&settled), "CONFLICT", "{settled}");
    assert_eq!(h.count("payments").await, 1);
    h.finish().await;
}

#[tokio::test]
async fn a_key_reused_for_another_invoice_conflicts() {
    let h = Harness::start().await;
    h.create_plan("pro", "900", "EUR", 0).await;
    let (_, mine) = h.subscribe(MEMBER, "pro").await;
    let (_, theirs) = h.subscribe(OTHER, "pro").await;
    let mine = mine.unwrap()["id"].as_str().unwrap().to_owned();
    let theirs = theirs.unwrap()["id"].as_str().unwrap().to_owned();
    assert!(h.pay(MEMBER, &mine, "900", "EUR", "shared").await["errors"].is_null());
    // An administrator pays both under one key: the second use is for another invoice.
    let admin_first = h.pay(ADMIN, &theirs, "900", "EUR", "admin-key").await;
    assert!(admin_first["errors"].is_null(), "{admin_first}");
    let h2 = h.pay(ADMIN, &mine, "900", "EUR", "admin-key").await;
    assert_eq!(error_code(&h2), "CONFLICT", "{h2}");
    // Keys are the payer's own: another payer's identical key is no clash.
    let (_, admins) = h.subscribe(ADMIN, "pro").await;
    let admins = admins.unwrap()["id"].as_str().unwrap().to_owned();
    let own = h.pay(ADMIN, &admins, "900", "EUR", "shared").await;
    assert!(own["errors"].is_null(), "{own}");
    h.finish().await;
}

#[tokio::test]
async fn a_wrong_amount_or_bad_input_is_bad_user_input_and_pays_nothing() {
    let h = Harness::start().await;
    h.create_plan("pro", "900", "EUR", 0).await;
    let (_, invoice) = h.subscribe(MEMBER, "pro").await;
    let id = invoice.unwrap()["id"].as_str().unwrap().to_owned();
    for (amount, currency, key) in [
        ("899", "EUR", "k"),
        ("901", "EUR", "k"),
        ("900", "USD", "k"),
        ("900", "EURO", "k"),
        ("nine", "EUR", "k"),
        ("900", "EUR", ""),
    ] {
        let body = h.pay(MEMBER, &id, amount, currency, key).await;
        assert_eq!(
            error_code(&body),
            "BAD_USER_INPUT",
            "{amount} {currency} {key:?}: {body}"
        );
    }
    let not_an_id = h.pay(MEMBER, "inv-1", "900", "EUR", "k").await;
    assert_eq!(error_code(&not_an_id), "BAD_USER_INPUT", "{not_an_id}");
    let missing = h
        .pay(MEMBER, &uuid::Uuid::now_v7().to_string(), "900", "EUR", "k")
        .await;
    assert_eq!(error_code(&missing), "NOT_FOUND", "{missing}");
    let anonymous = h.pay_anonymously(&id).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED", "{anonymous}");
    assert_eq!(h.count("payments").await, 0);
    h.finish().await;
}

#[tokio::test]
async fn only_administrators_void_and_a_void_invoice_cannot_be_paid() {
    let h = Harness::start().await;
    h.create_plan("pro", "900", "EUR", 0).await;
    let (_, invoice) = h.subscribe(MEMBER, "pro").await;
    let id = invoice.unwrap()["id"].as_str().unwrap().to_owned();
    let by_owner = h.graphql(Some(MEMBER), VOID, json!({ "id": id })).await;
    assert_eq!(error_code(&by_owner), "FORBIDDEN", "{by_owner}");
    let voided = h.graphql(Some(ADMIN), VOID, json!({ "id": id })).await;
    assert_eq!(voided["data"]["voidInvoice"]["status"], "VOID", "{voided}");
    assert_eq!(voided["data"]["voidInvoice"]["amountDue"]["amount"], "0");
    let pay = h.pay(MEMBER, &id, "900", "EUR", "late").await;
    assert_eq!(error_code(&pay), "CONFLICT", "{pay}");
    assert_eq!(h.events("invoice.voided").await[0]["actor"], ADMIN);
    h.finish().await;
}

impl Harness {
    async fn pay_anonymously(&self, invoice: &str) -> serde_json::Value {
        let variables = json!({ "id": invoice, "amount": { "amount": "900", "currency": "EUR" }, "key": "k" });
        self.graphql(None, crate::harness::PAY, variables).await
    }
}
