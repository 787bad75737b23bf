//! Subscribing and canceling through the graph: an open invoice for a plan without a trial, none during a trial,
//! one current subscription per user, and the events each change publishes.

use serde_json::json;

use crate::harness::{ADMIN, Harness, MEMBER, NOBODY, OTHER, SUBSCRIBE, USER_SUBSCRIPTION, error_code};

const CANCEL: &str = "mutation($id: ID!) { cancelSubscription(id: $id) { id status canceledAt } }";

#[tokio::test]
async fn subscribing_without_a_trial_opens_the_first_invoice_and_a_second_subscription_conflicts() {
    let h = Harness::start().await;
    h.create_plan("pro", "900", "EUR", 0).await;
    let (subscription, invoice) = h.subscribe(MEMBER, "pro").await;
    assert_eq!(subscription["status"], "ACTIVE");
    assert_eq!(subscription["plan"]["code"], "pro");
    assert_eq!(subscription["user"]["id"], MEMBER);
    let invoice = invoice.expect("an open invoice for the first period");
    assert_eq!(invoice["status"], "OPEN");
    assert_eq!(invoice["total"]["formatted"], "EUR 9.00");
    assert_eq!(invoice["amountDue"]["amount"], "900");
    assert_eq!(invoice["lines"][0]["quantity"], "1");

    let again = h.graphql(Some(MEMBER), SUBSCRIBE, json!({ "code": "pro" })).await;
    assert_eq!(error_code(&again), "CONFLICT", "{again}");

    let changed = h.events("subscription.changed").await;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["actor"], MEMBER);
    assert_eq!(changed[0]["payload"]["id"], subscription["id"]);
    assert_eq!(changed[0]["payload"]["user_id"], MEMBER);
    assert_eq!(changed[0]["payload"]["status"], "active");
    let created = h.events("invoice.created").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["payload"]["id"], invoice["id"]);
    assert_eq!(created[0]["payload"]["user_id"], MEMBER);
    h.finish().await;
}

#[tokio::test]
async fn a_plan_with_a_trial_starts_trialing_without_an_invoice() {
    let h = Harness::start().await;
    h.create_plan("trial", "900", "EUR", 14).await;
    let (subscription, invoice) = h.subscribe(MEMBER, "trial").await;
    assert_eq!(subscription["status"], "TRIALING");
    assert_eq!(subscription["trialEnd"], subscription["currentPeriodEnd"]);
    assert!(invoice.is_none());
    assert_eq!(h.count("invoices").await, 0);
    h.finish().await;
}

#[tokio::test]
async fn only_the_owner_or_an_administrator_cancels_and_a_subject_without_a_role_cannot_subscribe() {
    let h = Harness::start().await;
    h.create_plan("pro", "900", "EUR", 0).await;
    let (subscription, _) = h.subscribe(MEMBER, "pro").await;
    let id = subscription["id"].clone();

    let anonymous = h.graphql(None, SUBSCRIBE, json!({ "code": "pro" })).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED", "{anonymous}");
    let roleless = h.graphql(Some(NOBODY), SUBSCRIBE, json!({ "code": "pro" })).await;
    assert_eq!(error_code(&roleless), "FORBIDDEN", "{roleless}");
    let unknown = h.graphql(Some(OTHER), SUBSCRIBE, json!({ "code": "gold" })).await;
    assert_eq!(error_code(&unknown), "NOT_FOUND", "{unknown}");

    let stranger = h.graphql(Some(OTHER), CANCEL, json!({ "id": id })).await;
    assert_eq!(error_code(&stranger), "FORBIDDEN", "{stranger}");
    let owner = h.graphql(Some(MEMBER), CANCEL, json!({ "id": id })).await;
    assert_eq!(owner["data"]["cancelSubscription"]["status"], "CANCELED", "{owner}");
    let twice = h.graphql(Some(ADMIN), CANCEL, json!({ "id": id })).await;
    assert_eq!(error_code(&twice), "CONFLICT", "{twice}");

    // Canceled is not current: the owner reads no subscription and may subscribe again.
    let reps = json!({ "reps": [{ "__typename": "User", "id": MEMBER }] });
    let read = h.graphql(Some(MEMBER), USER_SUBSCRIPTION, reps).await;
    assert!(read["errors"].is_null(), "{read}");
    assert!(read["data"]["_entities"][0]["subscription"].is_null(), "{read}");
    let changed = h.events("subscription.changed").await;
    assert_eq!(changed.last().unwrap()["payload"]["status"], "canceled");
    assert_eq!(changed.last().unwrap()["payload"]["previous_status"], "active");
    assert_eq!(changed.last().unwrap()["actor"], MEMBER);
    h.subscribe(MEMBER, "pro").await;
    h.finish().await;
}
