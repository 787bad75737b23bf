//! Posts and comments through GraphQL: the life of a post, who sees drafts, slugs, paging, tags, `User.posts` and
//! `_entities`.

use serde_json::json;

use crate::harness::{ADMIN, AUTHOR, EDITOR, Harness, READER, error_code};

const POST: &str = "query($id: ID!) { post(id: $id) { id slug title body status tags author { id } publishedAt } }";

#[tokio::test]
async fn a_post_is_drafted_published_commented_and_archived() {
    let h = Harness::start().await;
    let body = h
        .graphql(
            Some(AUTHOR),
            "mutation { createPost(input: { title: \"Hello, World!\", body: \"# Hi\", tags: [\"Rust\", \"rust\", \"web\"] }) {
                id slug status tags author { id } publishedAt } }",
            json!({}),
        )
        .await;
    let created = &body["data"]["createPost"];
    assert_eq!(created["slug"], "hello-world", "{body}");
    assert_eq!(created["status"], "DRAFT");
    assert_eq!(created["tags"], json!(["rust", "web"]));
    assert_eq!(created["author"]["id"], AUTHOR);
    assert!(created["publishedAt"].is_null());
    let id = created["id"].as_str().unwrap().to_owned();

    h.publish(&id).await;
    let read = h.graphql(None, POST, json!({ "id": id })).await;
    assert_eq!(read["data"]["post"]["status"], "PUBLISHED", "{read}");
    assert!(read["data"]["post"]["publishedAt"].is_string());

    let comment = h
        .graphql(
            Some(READER),
            "mutation($id: ID!) { addComment(postId: $id, body: \"  Nice!  \") { id postId body author { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(comment["data"]["addComment"]["body"], "Nice!", "{comment}");
    assert_eq!(comment["data"]["addComment"]["author"]["id"], READER);
    let comments = h
        .graphql(
            None,
            "query($id: ID!) { post(id: $id) { comments { edges { node { id body } } pageInfo { hasNextPage } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        comments["data"]["post"]["comments"]["edges"][0]["node"]["body"],
        "Nice!"
    );

    let archived = h
        .graphql(
            Some(AUTHOR),
            "mutation($id: ID!) { archivePost(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(archived["data"]["archivePost"]["status"], "ARCHIVED", "{archived}");
    let gone = h.graphql(None, POST, json!({ "id": id })).await;
    assert!(gone["data"]["post"].is_null(), "{gone}");
    let again = h
        .graphql(
            Some(AUTHOR),
            "mutation($id: ID!) { archivePost(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&again), "CONFLICT", "{again}");
    h.finish().await;
}

#[tokio::test]
async fn drafts_are_seen_by_their_author_and_editors_only() {
    let h = Harness::start().await;
    let id = h.create_post(AUTHOR, "Secret plans", &[]).await;
    for (who, sees) in [
        (None, false),
        (Some(READER), false),
        (Some(AUTHOR), true),
        (Some(EDITOR), true),
        (Some(ADMIN), true),
    ] {
        let body = h.graphql(who, POST, json!({ "id": id })).await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(!body["data"]["post"].is_null(), sees, "{who:?}: {body}");
        let by_slug = h
            .graphql(who, "{ postBySlug(slug: \"secret-plans\") { id } }", json!({}))
            .await;
        assert_eq!(!by_slug["data"]["postBySlug"].is_null(), sees, "{who:?}: {by_slug}");
        let listed = h.graphql(who, "{ posts { edges { node { id } } } }", json!({})).await;
        let count = listed["data"]["posts"]["edges"].as_array().unwrap().len();
        assert_eq!(count, usize::from(sees), "{who:?}: {listed}");
    }
    // A reader who cannot see the draft cannot comment on it either: it is absent to them.
    let comment = h
        .graphql(
            Some(READER),
            "mutation($id: ID!) { addComment(postId: $id, body: \"first\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&comment), "NOT_FOUND", "{comment}");
    // The author sees it, but drafts take no comments.
    let comment = h
        .graphql(
            Some(AUTHOR),
            "mutation($id: ID!) { addComment(postId: $id, body: \"first\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&comment), "CONFLICT", "{comment}");
    h.finish().await;
}

#[tokio::test]
async fn a_taken_slug_is_a_conflict_whether_given_or_derived() {
    let h = Harness::start().await;
    h.create_post(AUTHOR, "Same title", &[]).await;
    let derived = h
        .graphql(
            Some(AUTHOR),
            "mutation { createPost(input: { title: \"Same  title!\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&derived), "CONFLICT", "{derived}");
    let chosen = h
        .graphql(
            Some(EDITOR),
            "mutation { createPost(input: { title: \"Other\", slug: \"same-title\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&chosen), "CONFLICT", "{chosen}");
    let other = h
        .graphql(
            Some(AUTHOR),
            "mutation { createPost(input: { title: \"Same title\", slug: \"same-title-2\" }) { id slug } }",
            json!({}),
        )
        .await;
    assert_eq!(other["data"]["createPost"]["slug"], "same-title-2", "{other}");
    let id = other["data"]["createPost"]["id"].as_str().unwrap();
    let renamed = h
        .graphql(
            Some(AUTHOR),
            "mutation($id: ID!) { editPost(id: $id, input: { slug: \"same-title\" }) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&renamed), "CONFLICT", "{renamed}");
    h.finish().await;
}

#[tokio::test]
async fn an_author_edits_their_post_and_the_change_is_kept() {
    let h = Harness::start().await;
    let id = h.create_post(AUTHOR, "First draft", &["a"]).await;
    let body = h
        .graphql(
            Some(AUTHOR),
            "mutation($id: ID!) { editPost(id: $id, input: { title: \"Second draft\", body: \"More\", tags: [\"b\"] }) {
                title slug body tags } }",
            json!({ "id": id }),
        )
        .await;
    let edited = &body["data"]["editPost"];
    assert_eq!(edited["title"], "Second draft", "{body}");
    // The slug stays where it was: links to the post keep working.
    assert_eq!(edited["slug"], "first-draft");
    assert_eq!(edited["body"], "More");
    assert_eq!(edited["tags"], json!(["b"]));
    let stored = h.store().post(id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.title, "Second draft");
    h.finish().await;
}

#[tokio::test]
async fn posts_page_newest_first_with_an_opaque_cursor_and_filters() {
    let h = Harness::start().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let tag = if n % 2 == 0 { "even" } else { "odd" };
        let id = h.create_post(AUTHOR, &format!("Post number {n}"), &[tag]).await;
        h.publish(&id).await;
        ids.push(id);
    }
    let other = h.create_post(EDITOR, "By the editor", &["even"]).await;
    h.publish(&other).await;
    let page = "query($first: Int, $after: String, $filter: PostFilter) {
        posts(first: $first, after: $after, filter: $filter) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }";
    let filter = json!({ "authorId": AUTHOR });
    let first = h.graphql(None, page, json!({ "first": 3, "filter": filter })).await;
    let got: Vec<&str> = first["data"]["posts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[4].as_str(), &ids[3], &ids[2]], "{first}");
    assert_eq!(first["data"]["posts"]["pageInfo"]["hasNextPage"], true);
    let cursor = first["data"]["posts"]["pageInfo"]["endCursor"].as_str().unwrap();
    let second = h
        .graphql(None, page, json!({ "first": 3, "after": cursor, "filter": filter }))
        .await;
    let got: Vec<&str> = second["data"]["posts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[1].as_str(), &ids[0]], "{second}");
    assert_eq!(second["data"]["posts"]["pageInfo"]["hasNextPage"], false);

    let tagged = h.graphql(None, page, json!({ "filter": { "tag": "EVEN" } })).await;
    assert_eq!(
        tagged["data"]["posts"]["edges"].as_array().unwrap().len(),
        4,
        "{tagged}"
    );
    let drafts = h.graphql(None, page, json!({ "filter": { "status": "DRAFT" } })).await;
    assert_eq!(drafts["data"]["posts"]["edges"], json!([]), "{drafts}");
    h.finish().await;
}

#[tokio::test]
async fn user_posts_and_entities_resolve_references_with_visibility() {
    let h = Harness::start().await;
    let published = h.create_post(AUTHOR, "Out in the open", &[]).await;
    h.publish(&published).await;
    let draft = h.create_post(AUTHOR, "Not yet", &[]).await;
    let query = "query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on User { id posts { edges { node { id status } } } }
        ... on Post { id title author { id } } } }";
    let reps = json!([
        { "__typename": "User", "id": AUTHOR },
        { "__typename": "Post", "id": published },
        { "__typename": "Post", "id": draft },
    ]);
    let anonymous = h.graphql(None, query, json!({ "reps": reps })).await;
    let entities = &anonymous["data"]["_entities"];
    assert_eq!(
        entities[0]["posts"]["edges"].as_array().unwrap().len(),
        1,
        "{anonymous}"
    );
    assert_eq!(entities[1]["title"], "Out in the open");
    assert_eq!(entities[1]["author"]["id"], AUTHOR);
    assert!(entities[2].is_null(), "{anonymous}");
    let own = h.graphql(Some(AUTHOR), query, json!({ "reps": reps })).await;
    let entities = &own["data"]["_entities"];
    assert_eq!(entities[0]["posts"]["edges"].as_array().unwrap().len(), 2, "{own}");
    assert_eq!(entities[2]["title"], "Not yet");
    let drafts_only = h
        .graphql(
            Some(AUTHOR),
            "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { posts(status: DRAFT) { edges { node { id } } } } } }",
            json!({ "reps": [{ "__typename": "User", "id": AUTHOR }] }),
        )
        .await;
    assert_eq!(
        drafts_only["data"]["_entities"][0]["posts"]["edges"][0]["node"]["id"], draft,
        "{drafts_only}"
    );
    h.finish().await;
}
