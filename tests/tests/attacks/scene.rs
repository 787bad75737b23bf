//! The scene every attack plays in: the platform behind its router, an administrator, the victim `b` with things
//! worth taking (a published post and a draft, a comment, a subscription with an open invoice) and the attacker
//! `a`, an ordinary member. Also how an attack is judged: the exact error, the database untouched, the audit log.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, FromQueryResult, JsonValue, Statement};
use serde_json::{Value, json};

use crate::stack::{Service, Stack};

/// The password every user of the scene signs up with.
pub const PASSWORD: &str = "a long enough passphrase";
/// The plan `b` subscribes to, and the amount its invoice is for.
pub const PLAN_PRICE: &str = "1250";

/// A signed-in user.
pub struct User {
    pub id: String,
    pub email: String,
    pub access: String,
    pub refresh: String,
}

/// What the victim owns.
pub struct Belongings {
    pub published_post: String,
    pub draft_post: String,
    pub draft_title: String,
    pub comment: String,
    pub subscription: String,
    pub invoice: String,
}

/// The running platform and its cast.
pub struct Scene {
    pub stack: Stack,
    pub admin_id: String,
    pub admin: String,
    pub a: User,
    pub b: User,
    pub owned: Belongings,
}

impl Scene {
    /// Starts the platform, signs up the cast (both members onboarded by authz) and gives `b` its belongings.
    pub async fn start() -> Self {
        let stack = Stack::start().await;
        let admin_id = stack.sign_up("root@example.test", "Root").await;
        stack.make_admin(&admin_id).await;
        let a_id = stack.sign_up("mallory@example.test", "Mallory").await;
        let b_id = stack.sign_up("bea@example.test", "Bea").await;
        stack.wait_for_role(&a_id, "member").await;
        stack.wait_for_role(&b_id, "member").await;
        let admin = stack.sign_in("root@example.test").await;
        let a = sign_in(&stack, "mallory@example.test").await;
        let b = sign_in(&stack, "bea@example.test").await;
        assert_eq!((a.id.as_str(), b.id.as_str()), (a_id.as_str(), b_id.as_str()));

        let create = "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }";
        let published_post = ok(
            &stack,
            &b.access,
            create,
            json!({ "input": { "title": "Bea's notes", "body": "Public." } }),
            "createPost",
        )
        .await["id"]
            .as_str()
            .expect("a post id")
            .to_owned();
        let publish = "mutation($id: ID!) { publishPost(id: $id) { status } }";
        ok(&stack, &admin, publish, json!({ "id": published_post }), "publishPost").await;
        let draft_title = "Bea's unannounced merger".to_owned();
        let draft_post = ok(
            &stack,
            &b.access,
            create,
            json!({ "input": { "title": draft_title, "body": "Secret." } }),
            "createPost",
        )
        .await["id"]
            .as_str()
            .expect("a post id")
            .to_owned();
        let comment = ok(
            &stack,
            &b.access,
            "mutation($id: ID!) { addComment(postId: $id, body: \"Mine.\") { id } }",
            json!({ "id": published_post }),
            "addComment",
        )
        .await["id"]
            .as_str()
            .expect("a comment id")
            .to_owned();

        ok(
            &stack,
            &admin,
            "mutation($price: MinorUnits!) { createPlan(input: { code: \"pro\", name: \"Pro\",
                price: { amount: $price, currency: \"EUR\" }, interval: MONTH }) { code } }",
            json!({ "price": PLAN_PRICE }),
            "createPlan",
        )
        .await;
        let subscription = ok(
            &stack,
            &b.access,
            "mutation { subscribe(planCode: \"pro\") { id } }",
            json!({}),
            "subscribe",
        )
        .await["id"]
            .as_str()
            .expect("a subscription id")
            .to_owned();
        let invoices = ok(
            &stack,
            &b.access,
            "{ me { invoices(first: 1) { edges { node { id } } } } }",
            json!({}),
            "me",
        )
        .await;
        let invoice = invoices["invoices"]["edges"][0]["node"]["id"]
            .as_str()
            .expect("the first period's invoice")
            .to_owned();
        Self {
            stack,
            admin_id,
            admin,
            a,
            b,
            owned: Belongings {
                published_post,
                draft_post,
                draft_title,
                comment,
                subscription,
                invoice,
            },
        }
    }

    /// Sends `query` through the router with `token` and returns the HTTP status and the body.
    pub async fn attempt(&self, token: Option<&str>, query: &str, variables: Value) -> (reqwest::StatusCode, Value) {
        let response = self.stack.post(token, query, variables).await;
        let status = response.status();
        (status, response.json().await.expect("a JSON body"))
    }

    /// Every row of the tables that hold `services`' business state (outboxes and the audit log excluded), to
    /// compare before and after an attack.
    pub async fn state(&self, services: &[Service]) -> BTreeMap<String, Vec<JsonValue>> {
        let mut state = BTreeMap::new();
        for service in services {
            let database = self.stack.database(*service).await;
            for table in tables(*service) {
                let statement = Statement::from_string(database.backend(), format!("SELECT * FROM {table} ORDER BY 1"));
                let mut rows = JsonValue::find_by_statement(statement)
                    .all(database.conn())
                    .await
                    .unwrap_or_else(|error| panic!("read {table}: {error}"));
                rows.sort_by_key(JsonValue::to_string);
                state.insert(format!("{}.{table}", service.name()), rows);
            }
            database.conn().clone().close().await.expect("close the connection");
        }
        state
    }

    /// The number `sql` (a `SELECT COUNT(*) …`) counts in `service`'s database.
    pub async fn count(&self, service: Service, sql: &str) -> i64 {
        let database = self.stack.database(service).await;
        let row = database
            .conn()
            .query_one_raw(Statement::from_string(database.backend(), sql.to_owned()))
            .await
            .expect("query")
            .expect("a row");
        let count = row.try_get_by_index::<i64>(0).expect("a count");
        database.conn().clone().close().await.expect("close the connection");
        count
    }

    /// Waits until the audit log (read by the administrator through the router) holds records matching
    /// `filter` (an `AuditLogFilter`), and returns them, newest first.
    pub async fn audited(&self, filter: Value) -> Vec<Value> {
        let query = "query($filter: AuditLogFilter) { auditLog(filter: $filter, first: 50) {
            edges { node { actor action resource outcome sourceService payload } } } }";
        for _ in 0..400 {
            let body = self
                .stack
                .graphql(Some(&self.admin), query, json!({ "filter": filter }))
                .await;
            assert!(body.get("errors").is_none(), "{body}");
            let edges = body["data"]["auditLog"]["edges"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if !edges.is_empty() {
                return edges.into_iter().map(|edge| edge["node"].clone()).collect();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no audit record matches {filter}");
    }

    /// Waits until the audit log holds a denial of `actor` doing `action` on `resource`, recorded by `source`.
    pub async fn assert_denial_audited(&self, actor: &str, action: &str, resource: &str, source: &str) {
        let records = self
            .audited(json!({ "actor": actor, "action": action, "resource": resource }))
            .await;
        assert!(
            records
                .iter()
                .any(|record| record["outcome"] == "DENIED" && record["sourceService"] == source),
            "no denial of {actor} doing {action} on {resource} recorded by {source}: {records:?}"
        );
    }
}

/// The tables holding `service`'s business state.
fn tables(service: Service) -> &'static [&'static str] {
    match service {
        Service::Identity => &["users", "credentials", "refresh_tokens"],
        Service::Authz => &["roles", "role_permissions", "role_bindings", "disabled_subjects"],
        Service::Audit => &[],
        Service::Blog => &["posts", "post_tags", "comments"],
        Service::Billing => &["plans", "subscriptions", "invoices", "invoice_lines", "payments"],
    }
}

/// Signs in through the router.
pub async fn sign_in(stack: &Stack, email: &str) -> User {
    let body = stack
        .graphql(
            None,
            "mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) {
                accessToken refreshToken user { id } } }",
            json!({ "email": email, "password": PASSWORD }),
        )
        .await;
    let session = &body["data"]["signIn"];
    let text = |field: &str| {
        session[field]
            .as_str()
            .unwrap_or_else(|| panic!("sign-in of {email} failed: {body}"))
            .to_owned()
    };
    User {
        id: session["user"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_owned(),
        email: email.to_owned(),
        access: text("accessToken"),
        refresh: text("refreshToken"),
    }
}

/// Runs `query` as `token` and returns `data.<field>`, failing on any error.
async fn ok(stack: &Stack, token: &str, query: &str, variables: Value, field: &str) -> Value {
    let body = stack.graphql(Some(token), query, variables).await;
    assert!(body.get("errors").is_none(), "{field}: {body}");
    body["data"][field].clone()
}

/// The `extensions.code` of every error of a GraphQL response, in order.
pub fn codes(body: &Value) -> Vec<&str> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {body}"))
        .iter()
        .map(|error| error["extensions"]["code"].as_str().unwrap_or("<no code>"))
        .collect()
}

/// Asserts that `body` mentions none of `secrets`.
pub fn assert_no_leak(body: &Value, secrets: &[&str]) {
    let text = body.to_string();
    for secret in secrets {
        assert!(!text.contains(secret), "the response leaks {secret:?}: {text}");
    }
}
