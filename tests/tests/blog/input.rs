//! Bad input is refused with BAD_USER_INPUT and a message that says what is wrong, before anything is written.

use serde_json::json;

use crate::harness::{AUTHOR, Harness, error_code};

#[tokio::test]
async fn bad_post_input_is_refused_with_a_clear_message() {
    let h = Harness::start().await;
    let create = "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }";
    let cases = [
        (json!({ "title": "   " }), "title must not be empty"),
        (json!({ "title": "x".repeat(201) }), "longer than 200"),
        (json!({ "title": "ok", "slug": "Not A Slug" }), "slug"),
        (json!({ "title": "ok", "tags": ["has space"] }), "tag"),
        (
            json!({ "title": "ok", "tags": (0..11).map(|n| format!("t{n}")).collect::<Vec<_>>() }),
            "at most 10 tags",
        ),
    ];
    for (input, message) in cases {
        let body = h.graphql(Some(AUTHOR), create, json!({ "input": input })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{input}: {body}");
        let text = body["errors"][0]["message"].as_str().unwrap();
        assert!(text.contains(message), "{input}: {text}");
    }
    assert!(h.outbox().await.is_empty(), "nothing may be written for bad input");
    h.finish().await;
}

#[tokio::test]
async fn bad_ids_cursors_and_page_sizes_are_refused() {
    let h = Harness::start().await;
    let id = h.create_post(AUTHOR, "Real", &[]).await;
    h.publish(&id).await;
    let cases = [
        ("{ post(id: \"p-1\") { id } }", "not a post id"),
        ("{ postBySlug(slug: \"Bad Slug\") { id } }", "slug"),
        ("{ posts(first: 101) { edges { cursor } } }", "between 1 and 100"),
        ("{ posts(first: 0) { edges { cursor } } }", "between 1 and 100"),
        (
            "{ posts(after: \"bm90LWEtY3Vyc29y\") { edges { cursor } } }",
            "not a cursor",
        ),
    ];
    for (query, message) in cases {
        let body = h.graphql(None, query, json!({})).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{query}: {body}");
        assert!(
            body["errors"][0]["message"].as_str().unwrap().contains(message),
            "{body}"
        );
    }
    // A post's cursor is not a comment's.
    let page = h.graphql(None, "{ posts { pageInfo { endCursor } } }", json!({})).await;
    let cursor = page["data"]["posts"]["pageInfo"]["endCursor"].as_str().unwrap();
    let comments = h
        .graphql(
            None,
            "query($id: ID!, $after: String) { post(id: $id) { comments(after: $after) { edges { cursor } } } }",
            json!({ "id": id, "after": cursor }),
        )
        .await;
    assert_eq!(error_code(&comments), "BAD_USER_INPUT", "{comments}");
    let blank = h
        .graphql(
            Some(AUTHOR),
            "mutation($id: ID!) { addComment(postId: $id, body: \" \") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&blank), "BAD_USER_INPUT", "{blank}");
    h.finish().await;
}
