//! GraphQL `auditLog`: administrators only (decided by the real authz), newest first, paged by opaque cursors,
//! filtered by actor, resource, action and time; bad arguments are refused with BAD_USER_INPUT.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::harness::{ADMIN, Harness, LOG_QUERY, MEMBER, error_code, record};

fn base() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn ids(body: &Value) -> Vec<String> {
    body["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges in {body}"))
        .iter()
        .map(|edge| edge["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn only_administrators_read_the_log_a_member_is_forbidden_and_no_token_is_unauthenticated() {
    let h = Harness::start().await;
    h.store
        .append(&record("u1", "post.publish", "post:1", base()))
        .await
        .unwrap();

    let admin = h.graphql(Some(&h.token(ADMIN)), LOG_QUERY, json!({})).await;
    assert!(admin["errors"].is_null(), "{admin}");
    assert!(!ids(&admin).is_empty());

    let member = h.graphql(Some(&h.token(MEMBER)), LOG_QUERY, json!({})).await;
    assert_eq!(error_code(&member), "FORBIDDEN", "{member}");
    assert!(member["data"].is_null(), "{member}");

    let anonymous = h.graphql(None, LOG_QUERY, json!({})).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED", "{anonymous}");

    // Authz decides from current bindings, not from the token: a new administrator reads at once.
    let newcomer = "auditor-7";
    assert_eq!(
        error_code(&h.graphql(Some(&h.token(newcomer)), LOG_QUERY, json!({})).await),
        "FORBIDDEN"
    );
    h.authz
        .manager()
        .bind_role("test-setup", newcomer, "admin", None)
        .await
        .unwrap();
    let now = h.graphql(Some(&h.token(newcomer)), LOG_QUERY, json!({})).await;
    assert!(now["errors"].is_null(), "{now}");
    h.finish().await;
}

#[tokio::test]
async fn pages_follow_their_cursors_newest_first_without_gaps_or_repeats() {
    let h = Harness::start().await;
    let mut expected = Vec::new();
    for n in 0..25 {
        // Pairs share a timestamp, so the id must break ties for the order to be total.
        let at = base() + Duration::seconds(n / 2);
        let r = record("pager", "item.made", &format!("item:{n}"), at);
        expected.push((at, r.id.as_uuid()));
        h.store.append(&r).await.unwrap();
    }
    expected.sort();
    expected.reverse();
    let expected: Vec<String> = expected.into_iter().map(|(_, id)| id.to_string()).collect();

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let body = h
            .log(json!({ "filter": { "actor": "pager" }, "first": 10, "after": after }))
            .await;
        let page = ids(&body);
        let info = &body["data"]["auditLog"]["pageInfo"];
        pages += 1;
        seen.extend(page.clone());
        if !info["hasNextPage"].as_bool().unwrap() {
            assert_eq!(page.len(), 5);
            break;
        }
        assert_eq!(page.len(), 10);
        let edges = body["data"]["auditLog"]["edges"].as_array().unwrap();
        assert_eq!(info["endCursor"], edges[9]["cursor"]);
        after = info["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected);

    let empty = h.log(json!({ "filter": { "actor": "nobody" } })).await;
    assert_eq!(
        empty["data"]["auditLog"]["pageInfo"],
        json!({"hasNextPage": false, "endCursor": null})
    );
    h.finish().await;
}

#[tokio::test]
async fn filters_narrow_the_log_by_actor_resource_action_and_time() {
    let h = Harness::start().await;
    let records = [
        record("alice", "post.publish", "post:1", base()),
        record("alice", "post.delete", "post:1", base() + Duration::hours(1)),
        record("bob", "post.publish", "post:2", base() + Duration::hours(2)),
        record("bob", "comment.create", "comment:5", base() + Duration::hours(3)),
    ];
    for r in &records {
        h.store.append(r).await.unwrap();
    }
    let id = |n: usize| records[n].id.to_string();
    let cases = [
        (json!({ "actor": "alice" }), vec![id(1), id(0)]),
        (json!({ "resource": "post:1" }), vec![id(1), id(0)]),
        (json!({ "action": "post.publish" }), vec![id(2), id(0)]),
        (json!({ "actor": "bob", "action": "post.publish" }), vec![id(2)]),
        (
            json!({ "from": "2026-01-01T01:00:00Z", "to": "2026-01-01T03:00:00Z" }),
            vec![id(2), id(1)],
        ),
        (json!({ "actor": "carol" }), vec![]),
    ];
    for (filter, want) in cases {
        let body = h.log(json!({ "filter": filter })).await;
        let got: Vec<String> = ids(&body)
            .into_iter()
            .filter(|got| records.iter().any(|r| r.id.to_string() == *got))
            .collect();
        assert_eq!(got, want, "filter {filter}");
    }
    h.finish().await;
}

#[tokio::test]
async fn a_malformed_cursor_a_bad_time_or_first_over_the_cap_is_bad_user_input_and_nothing_changes() {
    let h = Harness::start().await;
    h.store
        .append(&record("u1", "post.publish", "post:1", base()))
        .await
        .unwrap();
    let before = h.store.all().await.unwrap();
    let cases = [
        json!({ "after": "not-a-cursor" }),
        json!({ "after": "djE6MTIzOmdhcmJhZ2U" }),
        json!({ "first": 101 }),
        json!({ "first": 0 }),
        json!({ "filter": { "from": "yesterday" } }),
    ];
    for arguments in cases {
        let body = h.log(arguments.clone()).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{arguments}: {body}");
        assert!(body["data"].is_null(), "{body}");
    }
    assert_eq!(h.store.all().await.unwrap(), before);
    let capped = h.log(json!({ "first": 100 })).await;
    assert!(capped["errors"].is_null(), "{capped}");
    h.finish().await;
}
