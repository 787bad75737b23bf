//! Plans: readable by anyone, created and archived by administrators only; amounts are exact beyond 2^53 and
//! formatted with each currency's own decimals.

use serde_json::json;

use crate::harness::{ADMIN, CREATE_PLAN, Harness, MEMBER, error_code};

const PLANS: &str = "query($all: Boolean) { plans(includeArchived: $all) { code active price { amount formatted } } }";

fn plan_input(code: &str, amount: &str, currency: &str) -> serde_json::Value {
    json!({ "input": {
        "code": code,
        "name": "Pro",
        "price": { "amount": amount, "currency": currency },
        "interval": "MONTH",
    }})
}

#[tokio::test]
async fn anyone_reads_plans_but_only_administrators_create_and_archive_them() {
    let h = Harness::start().await;
    let created = h.create_plan("pro-monthly", "1299", "EUR", 0).await;
    assert_eq!(
        created["price"],
        json!({ "amount": "1299", "currency": "EUR", "formatted": "EUR 12.99" })
    );
    assert_eq!(created["interval"], "MONTH");

    let anonymous = h.graphql(None, PLANS, json!({})).await;
    assert_eq!(anonymous["data"]["plans"][0]["code"], "pro-monthly", "{anonymous}");
    let one = h
        .graphql(
            None,
            "{ plan(code: \"pro-monthly\") { name } missing: plan(code: \"nope\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(one["data"]["plan"]["name"], "Plan pro-monthly", "{one}");
    assert!(one["data"]["missing"].is_null(), "{one}");

    let by_member = h
        .graphql(Some(MEMBER), CREATE_PLAN, plan_input("cheap", "1", "EUR"))
        .await;
    assert_eq!(error_code(&by_member), "FORBIDDEN", "{by_member}");
    let by_nobody = h.graphql(None, CREATE_PLAN, plan_input("cheap", "1", "EUR")).await;
    assert_eq!(error_code(&by_nobody), "UNAUTHENTICATED", "{by_nobody}");
    let duplicate = h
        .graphql(Some(ADMIN), CREATE_PLAN, plan_input("pro-monthly", "1", "EUR"))
        .await;
    assert_eq!(error_code(&duplicate), "CONFLICT", "{duplicate}");

    let archive = "mutation($code: String!) { archivePlan(code: $code) { code active } }";
    let refused = h.graphql(Some(MEMBER), archive, json!({ "code": "pro-monthly" })).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let archived = h.graphql(Some(ADMIN), archive, json!({ "code": "pro-monthly" })).await;
    assert_eq!(archived["data"]["archivePlan"]["active"], false, "{archived}");
    let offered = h.graphql(None, PLANS, json!({})).await;
    assert_eq!(offered["data"]["plans"], json!([]), "{offered}");
    let all = h.graphql(None, PLANS, json!({ "all": true })).await;
    assert_eq!(all["data"]["plans"][0]["active"], false, "{all}");

    // Each refusal was recorded; the creation was published with its actor.
    let denials = h.events("access.denied").await;
    assert_eq!(denials.len(), 2, "{denials:?}");
    assert!(denials.iter().all(|d| d["actor"] == MEMBER));
    assert_eq!(denials[0]["payload"]["action"], "plan:create");
    let created_events = h.events("plan.created").await;
    assert_eq!(created_events.len(), 1);
    assert_eq!(created_events[0]["actor"], ADMIN);
    assert_eq!(created_events[0]["payload"]["code"], "pro-monthly");
    h.finish().await;
}

#[tokio::test]
async fn amounts_beyond_53_bits_and_zero_decimal_currencies_are_exact() {
    let h = Harness::start().await;
    let big = h.create_plan("enterprise", "9007199254740993", "EUR", 0).await;
    assert_eq!(big["price"]["amount"], "9007199254740993");
    assert_eq!(big["price"]["formatted"], "EUR 90071992547409.93");
    let yen = h.create_plan("tokyo", "1500", "jpy", 0).await;
    assert_eq!(
        yen["price"],
        json!({ "amount": "1500", "currency": "JPY", "formatted": "JPY 1500" })
    );
    let dinar = h.create_plan("kuwait", "1005", "KWD", 0).await;
    assert_eq!(dinar["price"]["formatted"], "KWD 1.005");
    h.finish().await;
}

#[tokio::test]
async fn bad_plans_are_refused_with_bad_user_input() {
    let h = Harness::start().await;
    let cases = [
        plan_input("x-eur", "100", "XYZ"),
        plan_input("x-frac", "12.5", "EUR"),
        plan_input("x-big", "9223372036854775808", "EUR"),
        plan_input("x-zero", "0", "EUR"),
        plan_input("Bad Code", "100", "EUR"),
        json!({ "input": {
            "code": "x-trial", "name": "T", "price": { "amount": "100", "currency": "EUR" },
            "interval": "YEAR", "trialDays": 400,
        }}),
    ];
    for variables in cases {
        let body = h.graphql(Some(ADMIN), CREATE_PLAN, variables.clone()).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{variables}: {body}");
    }
    assert_eq!(h.count("plans").await, 0);
    h.finish().await;
}
