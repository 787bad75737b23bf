//! Every change is written to the outbox with the change, on `blog.events`, keyed by the post, naming the actor
//! and the resource; the relay then publishes it.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::harness::{AUTHOR, EDITOR, Harness, READER, eventually};

#[tokio::test]
async fn each_change_writes_its_event_keyed_by_the_post_and_the_relay_sends_it() {
    let h = Harness::start().await;
    let id = h.create_post(AUTHOR, "Evented", &["x"]).await;
    h.graphql(
        Some(AUTHOR),
        "mutation($id: ID!) { editPost(id: $id, input: { title: \"Evented again\" }) { id } }",
        json!({ "id": id }),
    )
    .await;
    h.publish(&id).await;
    let added = h
        .graphql(
            Some(READER),
            "mutation($id: ID!) { addComment(postId: $id, body: \"hi\") { id } }",
            json!({ "id": id }),
        )
        .await;
    let comment = added["data"]["addComment"]["id"].as_str().unwrap().to_owned();
    h.graphql(
        Some(READER),
        "mutation($id: ID!) { deleteComment(id: $id) { id } }",
        json!({ "id": comment }),
    )
    .await;
    h.graphql(
        Some(AUTHOR),
        "mutation($id: ID!) { archivePost(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await;

    let outbox = h.outbox().await;
    let seen: Vec<(&str, &str, &str)> = outbox
        .iter()
        .map(|(topic, key, envelope)| {
            assert_eq!(topic, "blog.events");
            assert_eq!(key, &id);
            (
                envelope["event_type"].as_str().unwrap(),
                envelope["actor"].as_str().unwrap(),
                envelope["payload"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("post.created", AUTHOR, id.as_str()),
            ("post.edited", AUTHOR, id.as_str()),
            ("post.published", EDITOR, id.as_str()),
            ("comment.created", READER, comment.as_str()),
            ("comment.deleted", READER, comment.as_str()),
            ("post.archived", AUTHOR, id.as_str()),
        ]
    );
    let created = &outbox[0].2["payload"];
    assert_eq!(created["author_id"], AUTHOR);
    assert_eq!(created["tags"], json!(["x"]));
    assert_eq!(outbox[1].2["payload"]["changed"], json!(["title"]));
    assert_eq!(outbox[3].2["payload"]["post_id"], id.as_str());
    assert!(outbox.iter().all(|(_, _, envelope)| envelope["source"] == "blog"));

    let db = h.db.clone();
    eventually("the relay has sent every event", || {
        let db = db.clone();
        async move {
            let statement = Statement::from_string(
                db.backend(),
                "SELECT COUNT(*) AS pending FROM outbox WHERE sent_at IS NULL",
            );
            let row = db.conn().query_one_raw(statement).await.unwrap().unwrap();
            row.try_get::<i64>("", "pending").unwrap() == 0
        }
    })
    .await;
    h.finish().await;
}

#[tokio::test]
async fn an_edit_that_changes_nothing_writes_no_event() {
    let h = Harness::start().await;
    let id = h.create_post(AUTHOR, "Steady", &["a"]).await;
    let body = h
        .graphql(
            Some(AUTHOR),
            "mutation($id: ID!) { editPost(id: $id, input: { title: \"Steady\", tags: [\"A\"] }) { title } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["editPost"]["title"], "Steady", "{body}");
    assert_eq!(h.outbox().await.len(), 1, "only post.created");
    h.finish().await;
}
