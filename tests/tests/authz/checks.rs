//! The Check API over gRPC: seeded roles, global and resource-scoped bindings, ownership, wildcards, BatchCheck
//! and ListPermissions, and refusal of unauthenticated calls.

use proto::authz::v1::{BatchCheckRequest, ListPermissionsRequest, Subject};

use crate::harness::{ADMIN, Harness, allowed, check};

#[tokio::test]
async fn migration_seeds_admin_editor_and_member() {
    let h = Harness::start().await;
    let body = h
        .graphql(
            Some(&h.token("u1")),
            "{ roles { name builtIn permissions } }",
            serde_json::json!({}),
        )
        .await;
    let roles = body["data"]["roles"].as_array().unwrap_or_else(|| panic!("{body}"));
    let find = |name: &str| {
        roles
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    assert_eq!(find("admin")["permissions"], serde_json::json!(["*:*"]));
    assert_eq!(find("admin")["builtIn"], true);
    for permission in [
        "post:create",
        "post:edit",
        "post:publish",
        "post:archive",
        "comment:create",
        "comment:delete",
    ] {
        assert!(
            find("editor")["permissions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == permission),
            "editor lacks {permission}"
        );
    }
    for permission in ["post:create", "comment:create", "subscription:create"] {
        assert!(
            find("member")["permissions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == permission),
            "member lacks {permission}"
        );
    }
    assert!(
        !find("member")["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "post:publish")
    );
    h.finish().await;
}

#[tokio::test]
async fn global_binding_allows_its_permissions_and_says_which_role() {
    let h = Harness::start().await;
    h.bind("u1", "editor", None).await;
    let response = h.check(check("u1", "post", "publish", "42", "")).await;
    assert!(allowed(&response), "{}", response.reason);
    assert_eq!(
        response.reason,
        "allowed: role `editor` bound globally grants `post:publish`"
    );
    let response = h.check(check("u1", "invoice", "pay", "1", "")).await;
    assert!(!allowed(&response));
    assert!(response.reason.contains("no role bound to `u1`"), "{}", response.reason);
    h.finish().await;
}

#[tokio::test]
async fn binding_on_one_post_does_not_allow_another_post() {
    let h = Harness::start().await;
    h.bind("u1", "editor", Some("post:123")).await;
    let on_it = h.check(check("u1", "post", "publish", "123", "")).await;
    assert!(allowed(&on_it), "{}", on_it.reason);
    assert!(on_it.reason.contains("bound on `post:123`"), "{}", on_it.reason);
    let other = h.check(check("u1", "post", "publish", "124", "")).await;
    assert!(!allowed(&other), "{}", other.reason);
    assert!(other.reason.contains("globally or on `post:124`"), "{}", other.reason);
    let type_level = h.check(check("u1", "post", "create", "", "")).await;
    assert!(!allowed(&type_level), "{}", type_level.reason);
    h.finish().await;
}

#[tokio::test]
async fn owner_may_edit_but_not_publish_their_own_post() {
    let h = Harness::start().await;
    for action in ["read", "edit", "delete", "archive", "cancel", "pay"] {
        let response = h.check(check("author", "post", action, "7", "author")).await;
        assert!(allowed(&response), "{action}: {}", response.reason);
        assert!(response.reason.contains("owns `post:7`"), "{}", response.reason);
    }
    let publish = h.check(check("author", "post", "publish", "7", "author")).await;
    assert!(!allowed(&publish), "{}", publish.reason);
    assert!(publish.reason.contains("holds no role"), "{}", publish.reason);
    let stranger = h.check(check("stranger", "post", "edit", "7", "author")).await;
    assert!(!allowed(&stranger));
    h.finish().await;
}

#[tokio::test]
async fn wildcard_permissions_grant_any_kind_or_action() {
    let h = Harness::start().await;
    let admin = h.check(check(ADMIN, "invoice", "refund", "9", "")).await;
    assert!(allowed(&admin), "{}", admin.reason);
    assert!(admin.reason.contains("`*:*`"), "{}", admin.reason);
    h.authz
        .manager()
        .create_role("t", "auditor", "", &["*:read".to_owned(), "audit:*".to_owned()])
        .await
        .unwrap();
    h.bind("u2", "auditor", None).await;
    assert!(allowed(&h.check(check("u2", "invoice", "read", "1", "")).await));
    assert!(allowed(&h.check(check("u2", "audit", "export", "", "")).await));
    assert!(!allowed(&h.check(check("u2", "invoice", "refund", "1", "")).await));
    h.finish().await;
}

#[tokio::test]
async fn batch_check_answers_in_order_reading_each_subject_once() {
    let h = Harness::start().await;
    h.bind("u1", "editor", None).await;
    h.bind("u2", "member", None).await;
    let checks = vec![
        check("u1", "post", "publish", "1", ""),
        check("u2", "post", "publish", "1", ""),
        check("u1", "comment", "delete", "3", ""),
        check("u2", "post", "create", "", ""),
        check("u2", "post", "edit", "5", "u2"),
        check("u1", "invoice", "pay", "1", ""),
    ];
    let before = h.counter("authz_store_grant_reads").await;
    let mut client = Harness::grpc_at(&h.authz).await;
    let results = client
        .batch_check(h.authed(BatchCheckRequest { checks }))
        .await
        .unwrap()
        .into_inner()
        .results;
    let verdicts: Vec<bool> = results.iter().map(allowed).collect();
    assert_eq!(verdicts, [true, false, true, true, true, false]);
    assert!(results[4].reason.contains("owns"), "{}", results[4].reason);
    let after = h.counter("authz_store_grant_reads").await;
    assert_eq!(after - before, 2, "one store read per distinct subject, not per check");
    h.finish().await;
}

#[tokio::test]
async fn batch_check_with_one_malformed_check_is_refused_naming_it() {
    let h = Harness::start().await;
    let checks = vec![
        check("u1", "post", "read", "1", ""),
        check("u1", "Post", "read", "1", ""),
    ];
    let mut client = Harness::grpc_at(&h.authz).await;
    let status = client
        .batch_check(h.authed(BatchCheckRequest { checks }))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(status.message().starts_with("check 1:"), "{}", status.message());
    h.finish().await;
}

#[tokio::test]
async fn list_permissions_shows_global_roles_and_every_grant_with_its_scope() {
    let h = Harness::start().await;
    h.bind("u1", "member", None).await;
    h.bind("u1", "editor", Some("org:7")).await;
    let mut client = Harness::grpc_at(&h.authz).await;
    let request = ListPermissionsRequest {
        subject: Some(Subject {
            id: "u1".to_owned(),
            kind: String::new(),
        }),
    };
    let listed = client.list_permissions(h.authed(request)).await.unwrap().into_inner();
    assert_eq!(listed.roles, ["member"]);
    assert!(
        listed
            .grants
            .iter()
            .any(|g| g.permission == "post:create" && g.role == "member" && g.scope.is_empty())
    );
    assert!(
        listed
            .grants
            .iter()
            .any(|g| g.permission == "post:publish" && g.role == "editor" && g.scope == "org:7")
    );
    assert!(!listed.grants.iter().any(|g| g.role == "admin"));
    h.finish().await;
}

#[tokio::test]
async fn grpc_calls_without_a_valid_token_are_unauthenticated() {
    let h = Harness::start().await;
    let mut client = Harness::grpc_at(&h.authz).await;
    let status = client.check(check(ADMIN, "post", "read", "1", "")).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    let status = client
        .batch_check(BatchCheckRequest { checks: Vec::new() })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    let status = client
        .list_permissions(ListPermissionsRequest { subject: None })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    let mut forged = tonic::Request::new(check(ADMIN, "post", "read", "1", ""));
    forged
        .metadata_mut()
        .insert("authorization", "Bearer not.a.jwt".parse().unwrap());
    assert_eq!(
        client.check(forged).await.unwrap_err().code(),
        tonic::Code::Unauthenticated
    );
    h.finish().await;
}

#[tokio::test]
async fn malformed_check_is_invalid_argument() {
    let h = Harness::start().await;
    let mut client = Harness::grpc_at(&h.authz).await;
    for bad in [
        check("", "post", "read", "1", ""),
        check("u1", "", "read", "1", ""),
        check("u1", "post", "re ad", "1", ""),
        check("u1", "post", "*", "1", ""),
        check("u1", "post'; --", "read", "1", ""),
    ] {
        let status = client.check(h.authed(bad.clone())).await.unwrap_err();
        assert_eq!(status.code(), tonic::Code::InvalidArgument, "{bad:?}");
    }
    h.finish().await;
}
