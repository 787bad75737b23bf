//! Writes are decided by authz: owners may edit and archive their own posts and delete their own comments,
//! editors and administrators anything; a refusal is FORBIDDEN, changes nothing, and leaves a denial in the
//! blog's outbox (audit being unreachable here). Anonymous writes are UNAUTHENTICATED and leave nothing.

use serde_json::json;

use crate::harness::{AUTHOR, EDITOR, Harness, NOBODY, READER, error_code};

#[tokio::test]
async fn a_member_may_not_edit_someone_elses_post_and_the_denial_is_recorded() {
    let h = Harness::start().await;
    let id = h.create_post(AUTHOR, "Mine", &[]).await;
    h.publish(&id).await;
    let before = h.outbox().await.len();
    let body = h
        .graphql(
            Some(READER),
            "mutation($id: ID!) { editPost(id: $id, input: { title: \"Hijacked\" }) { title } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    assert!(body["data"].is_null() || body["data"]["editPost"].is_null(), "{body}");
    let stored = h.store().post(id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.title, "Mine");
    let outbox = h.outbox().await;
    assert_eq!(outbox.len(), before + 1, "only the denial was written");
    let denials = h.denials().await;
    assert_eq!(denials.len(), 1, "{denials:?}");
    let denial = &denials[0];
    assert_eq!(denial["actor"], READER);
    assert_eq!(denial["source"], "blog");
    assert_eq!(denial["payload"]["action"], "post:edit");
    assert_eq!(denial["payload"]["resource"], format!("post:{id}"));
    assert_eq!(denial["payload"]["outcome"], "denied");
    h.finish().await;
}

#[tokio::test]
async fn owners_edit_and_archive_but_publishing_needs_a_role() {
    let h = Harness::start().await;
    let id = h.create_post(AUTHOR, "Draft", &[]).await;
    let edit = h
        .graphql(
            Some(AUTHOR),
            "mutation($id: ID!) { editPost(id: $id, input: { body: \"changed\" }) { body } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(edit["data"]["editPost"]["body"], "changed", "{edit}");
    let publish = h
        .graphql(
            Some(AUTHOR),
            "mutation($id: ID!) { publishPost(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&publish), "FORBIDDEN", "{publish}");
    assert_eq!(h.denials().await[0]["payload"]["action"], "post:publish");
    h.publish(&id).await;
    let archive = h
        .graphql(
            Some(AUTHOR),
            "mutation($id: ID!) { archivePost(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(archive["data"]["archivePost"]["status"], "ARCHIVED", "{archive}");
    h.finish().await;
}

#[tokio::test]
async fn a_subject_without_a_role_may_not_create_posts_or_comment() {
    let h = Harness::start().await;
    let create = h
        .graphql(
            Some(NOBODY),
            "mutation { createPost(input: { title: \"Spam\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&create), "FORBIDDEN", "{create}");
    let id = h.create_post(AUTHOR, "Open", &[]).await;
    h.publish(&id).await;
    let comment = h
        .graphql(
            Some(NOBODY),
            "mutation($id: ID!) { addComment(postId: $id, body: \"spam\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&comment), "FORBIDDEN", "{comment}");
    let actions: Vec<String> = h
        .denials()
        .await
        .iter()
        .map(|denial| denial["payload"]["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["post:create", "comment:create"]);
    let posts = h
        .graphql(None, "{ posts { edges { node { title } } } }", json!({}))
        .await;
    assert_eq!(posts["data"]["posts"]["edges"].as_array().unwrap().len(), 1, "{posts}");
    h.finish().await;
}

#[tokio::test]
async fn comments_are_deleted_by_their_author_or_an_editor_only() {
    let h = Harness::start().await;
    let id = h.create_post(AUTHOR, "Discuss", &[]).await;
    h.publish(&id).await;
    let add = "mutation($id: ID!, $body: String!) { addComment(postId: $id, body: $body) { id } }";
    let delete = "mutation($id: ID!) { deleteComment(id: $id) { id body } }";
    let mut comments = Vec::new();
    for body in ["one", "two"] {
        let added = h.graphql(Some(READER), add, json!({ "id": id, "body": body })).await;
        comments.push(added["data"]["addComment"]["id"].as_str().unwrap().to_owned());
    }
    let refused = h.graphql(Some(AUTHOR), delete, json!({ "id": comments[0] })).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    assert_eq!(
        h.denials().await[0]["payload"]["resource"],
        format!("comment:{}", comments[0])
    );
    let own = h.graphql(Some(READER), delete, json!({ "id": comments[0] })).await;
    assert_eq!(own["data"]["deleteComment"]["body"], "one", "{own}");
    let editor = h.graphql(Some(EDITOR), delete, json!({ "id": comments[1] })).await;
    assert_eq!(editor["data"]["deleteComment"]["body"], "two", "{editor}");
    let again = h.graphql(Some(EDITOR), delete, json!({ "id": comments[1] })).await;
    assert_eq!(error_code(&again), "NOT_FOUND", "{again}");
    h.finish().await;
}

#[tokio::test]
async fn anonymous_writes_are_unauthenticated_and_leave_no_trace() {
    let h = Harness::start().await;
    let id = h.create_post(AUTHOR, "Public", &[]).await;
    h.publish(&id).await;
    let before = h.outbox().await.len();
    let writes = [
        ("mutation { createPost(input: { title: \"x\" }) { id } }", json!({})),
        (
            "mutation($id: ID!) { editPost(id: $id, input: { title: \"x\" }) { id } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { publishPost(id: $id) { id } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { archivePost(id: $id) { id } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { addComment(postId: $id, body: \"x\") { id } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { deleteComment(id: $id) { id } }",
            json!({ "id": id }),
        ),
    ];
    for (query, variables) in writes {
        let body = h.graphql(None, query, variables).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{query}: {body}");
    }
    assert_eq!(h.outbox().await.len(), before);
    h.finish().await;
}

#[tokio::test]
async fn a_forged_token_is_refused_before_anything_runs() {
    let h = Harness::start().await;
    let response: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{}/graphql", h.blog().http_addr()))
        .bearer_auth("not.a.token")
        .json(&json!({ "query": "mutation { createPost(input: { title: \"x\" }) { id } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(error_code(&response), "UNAUTHENTICATED", "{response}");
    assert!(h.outbox().await.is_empty());
    h.finish().await;
}
