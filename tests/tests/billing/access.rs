//! Reading billing data: only the owner or an administrator reads an invoice, a subscription or a user's
//! invoices; anyone else gets FORBIDDEN with no data, and the denial is recorded. Reads of many users are
//! batched, and invoices page by opaque cursors.

use serde_json::{Value, json};

use crate::harness::{ADMIN, Harness, INVOICE, MEMBER, OTHER, USER_SUBSCRIPTION, error_code};

#[tokio::test]
async fn another_user_reading_an_invoice_is_forbidden_and_the_denial_is_recorded() {
    let h = Harness::start().await;
    h.create_plan("pro", "900", "EUR", 0).await;
    let (_, invoice) = h.subscribe(MEMBER, "pro").await;
    let id = invoice.unwrap()["id"].as_str().unwrap().to_owned();

    let owner = h.graphql(Some(MEMBER), INVOICE, json!({ "id": id })).await;
    assert_eq!(owner["data"]["invoice"]["user"]["id"], MEMBER, "{owner}");
    let admin = h.graphql(Some(ADMIN), INVOICE, json!({ "id": id })).await;
    assert_eq!(admin["data"]["invoice"]["id"], id.as_str(), "{admin}");

    let stranger = h.graphql(Some(OTHER), INVOICE, json!({ "id": id })).await;
    assert_eq!(error_code(&stranger), "FORBIDDEN", "{stranger}");
    assert!(stranger["data"]["invoice"].is_null(), "{stranger}");
    assert!(
        !stranger.to_string().contains("\"900\""),
        "the amount leaked: {stranger}"
    );
    let anonymous = h.graphql(None, INVOICE, json!({ "id": id })).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED", "{anonymous}");

    let denials = h.events("access.denied").await;
    assert_eq!(denials.len(), 1, "{denials:?}");
    assert_eq!(denials[0]["actor"], OTHER);
    assert_eq!(denials[0]["source"], "billing");
    assert_eq!(denials[0]["payload"]["action"], "invoice:read");
    assert_eq!(denials[0]["payload"]["resource"], format!("invoice:{id}"));
    h.finish().await;
}

#[tokio::test]
async fn another_users_subscription_and_invoices_are_forbidden_through_the_user_entity() {
    let h = Harness::start().await;
    h.create_plan("pro", "900", "EUR", 0).await;
    h.subscribe(MEMBER, "pro").await;
    let reps = json!({ "reps": [{ "__typename": "User", "id": MEMBER }] });

    let own = h.graphql(Some(MEMBER), USER_SUBSCRIPTION, reps.clone()).await;
    assert_eq!(own["data"]["_entities"][0]["subscription"]["status"], "ACTIVE", "{own}");
    let theirs = h.graphql(Some(OTHER), USER_SUBSCRIPTION, reps).await;
    assert_eq!(error_code(&theirs), "FORBIDDEN", "{theirs}");
    assert!(theirs["data"]["_entities"][0]["subscription"].is_null(), "{theirs}");

    let invoices = h.invoices_of(OTHER, MEMBER, json!({})).await;
    assert_eq!(error_code(&invoices), "FORBIDDEN", "{invoices}");
    assert!(!invoices.to_string().contains("EUR"), "an invoice leaked: {invoices}");
    assert_eq!(h.events("access.denied").await.len(), 2);
    h.finish().await;
}

fn invoice_ids(body: &Value, index: usize) -> Vec<String> {
    body["data"]["_entities"][index]["invoices"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges in {body}"))
        .iter()
        .map(|edge| edge["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_administrator_reads_many_users_in_one_request_and_pages_follow_their_cursors() {
    let h = Harness::start().await;
    h.create_plan("pro", "900", "EUR", 0).await;
    let users = ["u-a", "u-b", "u-c"];
    for user in users {
        h.authz
            .manager()
            .bind_role("test-setup", user, "member", None)
            .await
            .unwrap();
    }
    // Each subscribes and cancels a few times, leaving several invoices apiece.
    let cancel = "mutation($id: ID!) { cancelSubscription(id: $id) { id } }";
    for user in users {
        for _ in 0..3 {
            let (subscription, _) = h.subscribe(user, "pro").await;
            let body = h.graphql(Some(user), cancel, json!({ "id": subscription["id"] })).await;
            assert!(body["errors"].is_null(), "{body}");
        }
    }
    let reps: Vec<Value> = users
        .iter()
        .map(|id| json!({ "__typename": "User", "id": id }))
        .collect();
    let body = h
        .graphql(
            Some(ADMIN),
            crate::harness::USER_INVOICES,
            json!({ "reps": reps, "first": 2 }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    for (index, user) in users.iter().enumerate() {
        assert_eq!(body["data"]["_entities"][index]["id"], *user);
        assert_eq!(invoice_ids(&body, index).len(), 2, "{body}");
        assert_eq!(
            body["data"]["_entities"][index]["invoices"]["pageInfo"]["hasNextPage"],
            true
        );
    }

    // The first user's pages, newest first, without gaps or repeats.
    let first = h.invoices_of(MEMBER, MEMBER, json!({})).await;
    assert!(invoice_ids(&first, 0).is_empty(), "{first}");
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = h.invoices_of(ADMIN, "u-a", json!({ "first": 2, "after": after })).await;
        assert!(page["errors"].is_null(), "{page}");
        seen.extend(invoice_ids(&page, 0));
        let info = &page["data"]["_entities"][0]["invoices"]["pageInfo"];
        if info["hasNextPage"] != true {
            break;
        }
        after = Some(info["endCursor"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen.len(), 3);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3);
    // UUIDv7 ids grow with creation time, so newest first is descending.
    let mut newest_first = seen.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, newest_first);

    let bad_first = h.invoices_of(ADMIN, "u-a", json!({ "first": 0 })).await;
    assert_eq!(error_code(&bad_first), "BAD_USER_INPUT", "{bad_first}");
    let bad_cursor = h.invoices_of(ADMIN, "u-a", json!({ "after": "not-a-cursor" })).await;
    assert_eq!(error_code(&bad_cursor), "BAD_USER_INPUT", "{bad_cursor}");
    let open_only = h.invoices_of(ADMIN, "u-a", json!({ "status": "PAID" })).await;
    assert!(invoice_ids(&open_only, 0).is_empty(), "{open_only}");
    h.finish().await;
}
