//! A page costs a small, bounded number of SQL statements whatever its size: posts, their tags, their comments and their
//! authors' posts are each read in one batched statement, and so are `_entities`. Counted with SeaORM's metric
//! callback on the connection the schema reads through.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::Variables;
use blog::changes::{Changes, NewPost};
use blog::domain::{Body, CommentBody, Tags, Title};
use blog::graphql::Services;
use blog::store::BlogStore;
use kernel::access::{AccessGuard, AuthzClient};
use kernel::db::Database;
use kernel::graphql::Caller;
use serde_json::{Value, json};

use crate::harness::{Db, blog_db, drop_schema};

const PAGE: &str = "query($first: Int!) { posts(first: $first) { edges { node {
    id title tags
    author { id posts(first: 2) { edges { node { id } } } }
    comments(first: 3) { edges { node { id body author { id } } } }
} } } }";

const ENTITIES: &str = "query($reps: [_Any!]!) { _entities(representations: $reps) {
    ... on Post { id tags comments(first: 3) { edges { node { id } } } }
} }";

/// Writes `count` published posts by five authors, each with four comments; returns their ids.
async fn seed(db: &Database, count: usize) -> Vec<String> {
    let changes = Changes::new(BlogStore::new(db.conn().clone()));
    let mut ids = Vec::new();
    for n in 0..count {
        let author = format!("author-{}", n % 5);
        let new = NewPost {
            title: Title::parse(&format!("Post {n}")).unwrap(),
            slug: None,
            body: Body::parse("text").unwrap(),
            tags: Tags::parse(&[format!("t{}", n % 3)]).unwrap(),
        };
        let (post, _) = changes.create_post(&author, new).await.unwrap();
        changes.publish_post("editor", post.id).await.unwrap();
        for c in 0..4 {
            let body = CommentBody::parse(&format!("comment {c}")).unwrap();
            changes.add_comment("reader", post.id, body).await.unwrap();
        }
        ids.push(post.id.to_string());
    }
    ids
}

/// Runs `query` anonymously through a schema whose connection counts statements; returns the count and data.
async fn counted(db: &Database, query: &str, variables: Value) -> (usize, Value) {
    let statements = Arc::new(AtomicUsize::new(0));
    let mut conn = db.conn().clone();
    let counter = statements.clone();
    conn.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let store = BlogStore::new(conn);
    // Anonymous readers never reach authz, so an address nobody listens on is never called.
    let authorizer = AuthzClient::new("http://127.0.0.1:1", &Default::default()).unwrap();
    let schema = blog::graphql::schema(Services {
        store: store.clone(),
        changes: Changes::new(store),
        guard: AccessGuard::new("blog", Arc::new(authorizer)),
    });
    let request = async_graphql::Request::new(query)
        .variables(Variables::from_json(variables))
        .data(Caller::anonymous(None));
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    (statements.load(Ordering::SeqCst), data)
}

/// Compares a page (and an `_entities` batch) of 5 posts with one of 50 on `kind`.
pub async fn a_page_costs_the_same_statements_for_5_or_50_posts(kind: Db) {
    let dir = tempfile::tempdir().unwrap();
    let (db, schema) = blog_db(kind, &dir).await;
    let ids = seed(&db, 50).await;

    let (small, data) = counted(&db, PAGE, json!({ "first": 5 })).await;
    assert_eq!(data["posts"]["edges"].as_array().unwrap().len(), 5);
    let (large, data) = counted(&db, PAGE, json!({ "first": 50 })).await;
    let edges = data["posts"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 50);
    assert!(
        edges
            .iter()
            .all(|edge| edge["node"]["comments"]["edges"].as_array().unwrap().len() == 3)
    );
    assert!(
        edges
            .iter()
            .all(|edge| edge["node"]["author"]["posts"]["edges"].as_array().unwrap().len() == 2)
    );
    // Posts, tags, comments and the authors' posts: one statement each when every key of a kind lands in one
    // batch. Batches are cut by time, so a starved runtime may split one in two; a resolver reading per post
    // would cost 150 statements for this page, so the bound still tells batched from N+1.
    assert!(small >= 4 && large >= 4, "{small}, {large}: a kind of read is missing");
    assert!(
        large <= 8,
        "a page of 50 posts cost {large} statements (a page of 5 cost {small})"
    );

    let reps = |n: usize| -> Value {
        ids[..n]
            .iter()
            .map(|id| json!({ "__typename": "Post", "id": id }))
            .collect()
    };
    let (small, _) = counted(&db, ENTITIES, json!({ "reps": reps(5) })).await;
    let (large, data) = counted(&db, ENTITIES, json!({ "reps": reps(50) })).await;
    assert_eq!(data["_entities"].as_array().unwrap().len(), 50);
    // Posts, tags and comments: one statement each, or a few when a batch is split (per entity it would be 150).
    assert!(small >= 3 && large >= 3, "{small}, {large}: a kind of read is missing");
    assert!(large <= 6, "50 entities cost {large} statements (5 cost {small})");
    drop_schema(&db, schema).await;
}

#[tokio::test]
async fn a_page_costs_the_same_statements_for_5_or_50_posts_on_sqlite() {
    a_page_costs_the_same_statements_for_5_or_50_posts(Db::Sqlite).await;
}
