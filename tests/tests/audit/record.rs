//! gRPC `Record`: synchronous records, stored once per id, refused without a token or with bad input; a user's own
//! token records only that user's denials, and an attempt to write anything else is itself recorded.

use std::collections::HashMap;

use proto::audit::v1::{Outcome as WireOutcome, RecordRequest};
use serde_json::json;
use tonic::Code;

use crate::harness::Harness;

fn denial(id: &str) -> RecordRequest {
    RecordRequest {
        id: id.to_owned(),
        actor: "u1".into(),
        action: "post.publish".into(),
        resource: "post:9".into(),
        outcome: WireOutcome::Denied.into(),
        source_service: "blog".into(),
        occurred_at: "2026-11-26T10:00:00.123456Z".into(),
        trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
        request_metadata: HashMap::from([("client_address".to_owned(), "10.1.2.3".to_owned())]),
        payload_json: r#"{"reason":"no binding grants post:publish"}"#.into(),
    }
}

#[tokio::test]
async fn a_record_is_stored_once_and_a_repeat_reports_created_false() {
    let h = Harness::start().await;
    let id = uuid::Uuid::now_v7();
    let mut client = h.grpc().await;
    let first = client.record(h.authed(denial(&id.to_string()))).await.unwrap();
    assert!(first.get_ref().created);
    let mut changed = denial(&id.to_string());
    changed.action = "post.delete".into();
    let repeat = client.record(h.authed(changed)).await.unwrap();
    assert!(!repeat.get_ref().created);

    let stored = h.store.get(id).await.unwrap().unwrap();
    assert_eq!(
        stored.action, "post.publish",
        "a repeat must never change the first record"
    );
    assert_eq!(stored.trace_id.as_deref(), Some("0af7651916cd43dd8448eb211c80319c"));

    let body = h.log(json!({ "filter": { "resource": "post:9" } })).await;
    let edges = body["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(edges.len(), 1, "{body}");
    let node = &edges[0]["node"];
    assert_eq!(node["id"], id.to_string());
    assert_eq!(node["outcome"], "DENIED");
    assert_eq!(node["sourceService"], "blog");
    assert_eq!(node["occurredAt"], "2026-11-26T10:00:00.123456+00:00");
    assert_eq!(node["requestMetadata"]["client_address"], "10.1.2.3");
    assert_eq!(node["payload"]["reason"], "no binding grants post:publish");
    h.finish().await;
}

#[tokio::test]
async fn a_record_without_a_token_is_unauthenticated_and_nothing_is_stored() {
    let h = Harness::start().await;
    let before = h.store.count().await.unwrap();
    let mut client = h.grpc().await;
    let status = client
        .record(tonic::Request::new(denial(&uuid::Uuid::now_v7().to_string())))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    let mut forged = tonic::Request::new(denial(&uuid::Uuid::now_v7().to_string()));
    forged
        .metadata_mut()
        .insert("authorization", "Bearer not.a.jwt".parse().unwrap());
    assert_eq!(client.record(forged).await.unwrap_err().code(), Code::Unauthenticated);
    assert_eq!(h.store.count().await.unwrap(), before);
    h.finish().await;
}

#[tokio::test]
async fn a_malformed_id_or_an_empty_action_is_invalid_argument_and_nothing_is_stored() {
    let h = Harness::start().await;
    let mut client = h.grpc().await;
    let mut cases = Vec::new();
    cases.push(("malformed id", denial("not-a-uuid")));
    cases.push(("nil id", denial("00000000-0000-0000-0000-000000000000")));
    let mut empty_action = denial(&uuid::Uuid::now_v7().to_string());
    empty_action.action = "  ".into();
    cases.push(("empty action", empty_action));
    let mut bad_payload = denial(&uuid::Uuid::now_v7().to_string());
    bad_payload.payload_json = "{oops".into();
    cases.push(("payload that is not JSON", bad_payload));
    let mut no_outcome = denial(&uuid::Uuid::now_v7().to_string());
    no_outcome.outcome = WireOutcome::Unspecified.into();
    cases.push(("unspecified outcome", no_outcome));
    let before = h.store.count().await.unwrap();
    for (what, request) in cases {
        let status = client.record(h.authed(request)).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{what}: {status:?}");
        assert!(!status.message().is_empty(), "{what}");
    }
    assert_eq!(
        h.store.count().await.unwrap(),
        before,
        "a refused call stored something"
    );
    // The administrator's view agrees: nothing from these calls is in the log.
    let body = h.log(json!({ "filter": { "actor": "u1" } })).await;
    assert_eq!(body["data"]["auditLog"]["edges"], json!([]), "{body}");
    h.finish().await;
}

#[tokio::test]
async fn a_user_token_records_only_its_own_denials_and_a_forged_record_is_refused_and_itself_recorded() {
    let h = Harness::start().await;
    let mut client = h.grpc().await;
    let as_u1 = |request: RecordRequest| {
        let mut request = tonic::Request::new(request);
        let value = format!("Bearer {}", h.token("u1"));
        request.metadata_mut().insert("authorization", value.parse().unwrap());
        request
    };

    let own = uuid::Uuid::now_v7();
    assert!(
        client
            .record(as_u1(denial(&own.to_string())))
            .await
            .unwrap()
            .get_ref()
            .created
    );
    let success = uuid::Uuid::now_v7();
    let mut forged = denial(&success.to_string());
    forged.outcome = WireOutcome::Success.into();
    let refused = client.record(as_u1(forged)).await.unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused}");
    let framed = uuid::Uuid::now_v7();
    let mut someone_else = denial(&framed.to_string());
    someone_else.actor = "u2".into();
    let refused = client.record(as_u1(someone_else)).await.unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused}");

    assert!(h.store.get(own).await.unwrap().is_some());
    assert!(
        h.store.get(success).await.unwrap().is_none(),
        "nothing the refused call asked for is stored"
    );
    assert!(h.store.get(framed).await.unwrap().is_none());
    let body = h
        .log(json!({ "filter": { "actor": "u1", "action": "audit_log:record" } }))
        .await;
    let edges = body["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(edges.len(), 2, "{body}");
    for edge in edges {
        assert_eq!(edge["node"]["outcome"], "DENIED");
        assert_eq!(edge["node"]["resource"], "audit_log");
    }
    let attempted: Vec<&str> = edges
        .iter()
        .map(|edge| edge["node"]["payload"]["attempted"]["actor"].as_str().unwrap())
        .collect();
    assert!(attempted.contains(&"u1") && attempted.contains(&"u2"), "{body}");
    h.finish().await;
}
