//! `platform dev` end to end: the stack started through the library function the command calls, on ephemeral
//! ports and a temporary data folder. The seeded member writes a post, subscribes to a seeded plan and pays, and
//! the seeded administrator finds those actions in the audit log; a second start on the same folder reuses the
//! data; with real backends configured, the same stack runs on PostgreSQL, Redis and Kafka.

#[path = "platform_dev/harness.rs"]
mod harness;

use std::time::Duration;

use harness::{Dev, account, data};
use serde_json::json;

#[tokio::test]
async fn the_seeded_member_blogs_subscribes_and_pays_and_the_seeded_admin_audits_it() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let dev = Dev::start(&harness::embedded(dir.path(), &platform_tests::unique_name("dev"))).await;
    for service in ["identity", "authz", "audit", "blog", "billing", "router"] {
        assert!(
            dev.printed
                .contains(&format!("platform dev: {service:<8} up  GraphQL http://127.0.0.1:")),
            "{service} was not reported:\n{}",
            dev.printed
        );
    }
    assert!(
        dev.printed.contains("demo data seeded: 3 users, 2 posts, 2 plans"),
        "{}",
        dev.printed
    );
    assert!(
        dev.printed
            .contains(&format!("GraphiQL at {}", dev.stack.graphql_url())),
        "{}",
        dev.printed
    );
    assert!(dir.path().join("supergraph.graphql").is_file());

    // A signed-in member reads the editor's published post with its author's name; the draft stays hidden.
    let (member_id, member) = dev.sign_in(&account("member")).await;
    let body = dev
        .graphql(
            Some(&member),
            "{ posts(first: 5) { edges { node { title status author { displayName } } } } }",
            json!({}),
        )
        .await;
    let posts = data(&body, "posts")["edges"].as_array().expect("edges").clone();
    assert_eq!(posts.len(), 1, "{body}");
    assert_eq!(posts[0]["node"]["title"], "Welcome to the platform");
    assert_eq!(posts[0]["node"]["status"], "PUBLISHED");
    assert_eq!(
        posts[0]["node"]["author"]["displayName"],
        account("editor").display_name
    );
    let body = dev
        .graphql(None, "{ plans { code interval price { formatted } } }", json!({}))
        .await;
    assert_eq!(
        data(&body, "plans"),
        &json!([
            { "code": "pro", "interval": "YEAR", "price": { "formatted": "EUR 99.00" } },
            { "code": "starter", "interval": "MONTH", "price": { "formatted": "EUR 9.00" } },
        ]),
        "{body}"
    );

    // The member writes a draft.
    let body = dev
        .graphql(
            Some(&member),
            "mutation($input: CreatePostInput!) { createPost(input: $input) { id status author { id } } }",
            json!({ "input": { "title": "My first post", "body": "Hello from the demo member" } }),
        )
        .await;
    let post = data(&body, "createPost");
    assert_eq!(post["status"], "DRAFT");
    assert_eq!(post["author"]["id"], member_id.as_str());
    let post_id = post["id"].as_str().expect("a post id").to_owned();

    // The member subscribes to the seeded monthly plan and pays its first invoice.
    let body = dev
        .graphql(
            Some(&member),
            "mutation { subscribe(planCode: \"starter\") { id status } }",
            json!({}),
        )
        .await;
    let subscription_id = data(&body, "subscribe")["id"].as_str().expect("an id").to_owned();
    let body = dev
        .graphql(
            Some(&member),
            "{ me { invoices(first: 5) { edges { node { id status total { amount currency } } } } } }",
            json!({}),
        )
        .await;
    let invoice = &data(&body, "me")["invoices"]["edges"][0]["node"];
    assert_eq!(invoice["status"], "OPEN", "{body}");
    assert_eq!(
        invoice["total"],
        json!({ "amount": "900", "currency": "EUR" }),
        "{body}"
    );
    let invoice_id = invoice["id"].as_str().expect("an invoice id").to_owned();
    let body = dev
        .graphql(
            Some(&member),
            "mutation($id: ID!) { payInvoice(invoiceId: $id, amount: { amount: \"900\", currency: \"EUR\" },
                idempotencyKey: \"demo-checkout\") { id } }",
            json!({ "id": invoice_id }),
        )
        .await;
    data(&body, "payInvoice");
    let body = dev
        .graphql(
            Some(&member),
            "{ me { subscription { status plan { code } } invoices(first: 5) { edges { node { status } } } } }",
            json!({}),
        )
        .await;
    let me = data(&body, "me");
    assert_eq!(me["subscription"]["status"], "ACTIVE", "{body}");
    assert_eq!(me["subscription"]["plan"]["code"], "starter", "{body}");
    assert_eq!(me["invoices"]["edges"][0]["node"]["status"], "PAID", "{body}");

    // The seeded administrator finds each of those actions in the audit log; the member may not read it.
    let (_, admin) = dev.sign_in(&account("admin")).await;
    for (action, resource) in [
        ("post.created", format!("post:{post_id}")),
        ("subscription.changed", format!("subscription:{subscription_id}")),
        ("invoice.paid", format!("invoice:{invoice_id}")),
    ] {
        let record = dev
            .audit_record(
                &admin,
                json!({ "actor": member_id, "action": action }),
                Duration::from_secs(30),
            )
            .await;
        assert_eq!(record["resource"], resource.as_str(), "{record}");
        assert_eq!(record["outcome"], "SUCCESS", "{record}");
    }
    let body = dev
        .graphql(Some(&member), "{ auditLog { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");

    dev.stack.stop().await;
}

#[tokio::test]
async fn a_second_start_on_the_same_data_folder_reuses_the_users_posts_plans_and_signing_key() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = harness::embedded(dir.path(), &platform_tests::unique_name("dev"));

    let first = Dev::start(&config).await;
    assert!(first.stack.seeded().created_anything());
    let mut ids = Vec::new();
    for role in ["admin", "editor", "member"] {
        ids.push(first.sign_in(&account(role)).await.0);
    }
    let (_, old_token) = first.sign_in(&account("member")).await;
    first.stack.stop().await;

    let second = Dev::start(&config).await;
    assert!(!second.stack.seeded().created_anything(), "{}", second.printed);
    assert!(
        second.printed.contains("demo data already present"),
        "{}",
        second.printed
    );
    for (role, id) in ["admin", "editor", "member"].into_iter().zip(&ids) {
        assert_eq!(
            &second.sign_in(&account(role)).await.0,
            id,
            "{role} is a different user now"
        );
    }
    // Tokens issued before the restart still verify: the signing key is kept in the data folder.
    let body = second.graphql(Some(&old_token), "{ me { id } }", json!({})).await;
    assert_eq!(data(&body, "me")["id"], ids[2].as_str());

    // Nothing was created twice.
    let body = second
        .graphql(
            None,
            "mutation { signUp(input: { email: \"admin@demo.test\", password: \"another password\", displayName: \"X\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT", "{body}");
    let (editor_id, editor) = second.sign_in(&account("editor")).await;
    let body = second
        .graphql(
            Some(&editor),
            "query($f: PostFilter) { posts(filter: $f, first: 10) { edges { node { title status } } } }",
            json!({ "f": { "authorId": editor_id } }),
        )
        .await;
    let mut titles: Vec<String> = data(&body, "posts")["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| {
            format!(
                "{} {}",
                edge["node"]["status"].as_str().unwrap_or("?"),
                edge["node"]["title"].as_str().unwrap_or("?")
            )
        })
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        ["DRAFT Notes on federation", "PUBLISHED Welcome to the platform"],
        "{body}"
    );
    let body = second.graphql(None, "{ plans { code } }", json!({})).await;
    assert_eq!(data(&body, "plans"), &json!([{ "code": "pro" }, { "code": "starter" }]));
    second.stack.stop().await;
}

#[tokio::test]
#[cfg_attr(
    not(all(backend_postgres, backend_redis, backend_kafka)),
    ignore = "PLATFORM_TEST_POSTGRES_URL, PLATFORM_TEST_REDIS_URL and PLATFORM_TEST_KAFKA_BROKERS are not all set"
)]
async fn with_real_backends_the_seeded_member_signs_in_and_writes_a_post() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = platform::DevConfig {
        backends: platform::Backends::Real,
        postgres_url: platform_tests::postgres_url().into(),
        redis_url: platform_tests::redis_url().into(),
        kafka_brokers: platform_tests::kafka_brokers(),
        ..harness::embedded(dir.path(), &platform_tests::unique_name("dev"))
    };
    let dev = Dev::start(&config).await;
    assert!(dev.printed.contains("real backends: PostgreSQL"), "{}", dev.printed);
    assert!(!dir.path().join("identity.db").exists(), "SQLite was used");
    let (member_id, member) = dev.sign_in(&account("member")).await;
    let body = dev
        .graphql(
            Some(&member),
            "mutation($input: CreatePostInput!) { createPost(input: $input) { id author { id displayName } } }",
            json!({ "input": { "title": "Written on PostgreSQL" } }),
        )
        .await;
    let post = data(&body, "createPost");
    assert_eq!(post["author"]["id"], member_id.as_str());
    assert_eq!(post["author"]["displayName"], account("member").display_name);
    dev.stack.stop().await;
}
