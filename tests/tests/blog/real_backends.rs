//! The blog on real PostgreSQL, each test in a fresh schema: the GraphQL life of a post, slug uniqueness under
//! concurrent creates (the unique index decides the race), batched reads, and the statement count of a page.

use blog::changes::{Changes, NewPost};
use blog::domain::{Body, PageSize, Slug, Tags, Title};
use blog::error::BlogError;
use blog::store::{BlogStore, PostFilter, Reader};
use serde_json::json;

use crate::harness::{AUTHOR, Db, Harness, READER, blog_db, drop_schema, error_code};

fn new_post(title: &str, slug: Option<&str>) -> NewPost {
    NewPost {
        title: Title::parse(title).unwrap(),
        slug: slug.map(|slug| Slug::parse(slug).unwrap()),
        body: Body::parse("body").unwrap(),
        tags: Tags::default(),
    }
}

#[tokio::test]
#[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
async fn a_post_lives_its_life_on_postgres() {
    let h = Harness::start_with(Db::Postgres).await;
    let id = h.create_post(AUTHOR, "On Postgres", &["pg"]).await;
    h.publish(&id).await;
    let comment = h
        .graphql(
            Some(READER),
            "mutation($id: ID!) { addComment(postId: $id, body: \"hello\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert!(comment["data"]["addComment"]["id"].is_string(), "{comment}");
    let taken = h
        .graphql(
            Some(AUTHOR),
            "mutation { createPost(input: { title: \"On Postgres\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&taken), "CONFLICT", "{taken}");
    let forbidden = h
        .graphql(
            Some(READER),
            "mutation($id: ID!) { archivePost(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&forbidden), "FORBIDDEN", "{forbidden}");
    assert_eq!(h.denials().await.len(), 1);
    let read = h
        .graphql(
            None,
            "{ posts(filter: { tag: \"pg\" }) { edges { node { slug comments { edges { node { body } } } } } } }",
            json!({}),
        )
        .await;
    let node = &read["data"]["posts"]["edges"][0]["node"];
    assert_eq!(node["slug"], "on-postgres", "{read}");
    assert_eq!(node["comments"]["edges"][0]["node"]["body"], "hello");
    h.finish().await;
}

#[tokio::test]
#[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
async fn concurrent_creates_of_one_slug_leave_one_post_and_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let (db, schema) = blog_db(Db::Postgres, &dir).await;
    let changes = Changes::new(BlogStore::new(db.conn().clone()));
    let attempts = (0..8).map(|n| {
        let changes = changes.clone();
        tokio::spawn(async move {
            changes
                .create_post(&format!("u{n}"), new_post("Race", Some("race")))
                .await
        })
    });
    let mut created = 0;
    for attempt in futures::future::join_all(attempts).await {
        match attempt.unwrap() {
            Ok(_) => created += 1,
            Err(BlogError::Conflict(message)) => assert!(message.contains("`race`"), "{message}"),
            Err(other) => panic!("a racing create failed otherwise: {other}"),
        }
    }
    assert_eq!(created, 1);
    let store = BlogStore::new(db.conn().clone());
    let page = store
        .posts(
            &PostFilter::default(),
            &Reader::signed_in("admin", true),
            None,
            PageSize::new(None).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(crate::harness::outbox_rows(&db).await.len(), 1, "one post, one event");
    drop_schema(&db, schema).await;
}

#[tokio::test]
#[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
async fn batched_reads_page_each_author_and_post_separately_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let (db, schema) = blog_db(Db::Postgres, &dir).await;
    let store = BlogStore::new(db.conn().clone());
    let changes = Changes::new(store.clone());
    let mut by_author = std::collections::HashMap::<String, Vec<uuid::Uuid>>::new();
    for n in 0..9 {
        let author = format!("a{}", n % 3);
        let (post, _) = changes
            .create_post(&author, new_post(&format!("P {n}"), None))
            .await
            .unwrap();
        if n % 2 == 0 {
            changes.publish_post("editor", post.id).await.unwrap();
        }
        by_author.entry(author).or_default().push(post.id);
    }
    let authors: Vec<String> = vec!["a0".into(), "a1".into(), "a2".into(), "nobody".into()];
    let size = PageSize::new(Some(2)).unwrap();
    let all = store
        .posts_of(
            &authors,
            &PostFilter::default(),
            &Reader::signed_in("admin", true),
            None,
            size,
        )
        .await
        .unwrap();
    for author in ["a0", "a1", "a2"] {
        let page = &all[author];
        let newest: Vec<_> = by_author[author].iter().rev().take(2).copied().collect();
        assert_eq!(page.items.iter().map(|p| p.id).collect::<Vec<_>>(), newest, "{author}");
        assert!(page.has_next_page, "{author}");
    }
    assert!(all["nobody"].items.is_empty());
    // An anonymous reader sees only the published ones (n even).
    let public = store
        .posts_of(
            &authors,
            &PostFilter::default(),
            &Reader::anonymous(),
            None,
            PageSize::new(None).unwrap(),
        )
        .await
        .unwrap();
    let visible: usize = public.values().map(|page| page.items.len()).sum();
    assert_eq!(visible, 5);
    drop_schema(&db, schema).await;
}

#[tokio::test]
#[cfg_attr(not(backend_postgres), ignore = "PLATFORM_TEST_POSTGRES_URL is not set")]
async fn a_page_costs_the_same_statements_for_5_or_50_posts_on_postgres() {
    crate::statements::a_page_costs_the_same_statements_for_5_or_50_posts(Db::Postgres).await;
}
