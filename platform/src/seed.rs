//! Demo data for the local stack, written through the public graph as a frontend would (sign-up, sign-in,
//! `createPlan`, `createPost`, `publishPost`) plus authz's role manager for the two roles nobody can grant
//! themselves. Every step first looks for what it would create, and a marker file records a finished seeding,
//! so a second start changes nothing.

use std::path::Path;
use std::time::Duration;

use authz::management::RoleManager;
use serde_json::{Value, json};

use crate::client::{Answer, GraphqlClient};
use crate::error::DevError;

/// One demo account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAccount {
    /// The role it is given besides `member` (which every new user gets), if any.
    pub role: &'static str,
    /// Its e-mail address.
    pub email: &'static str,
    /// Its demo password, printed at start: these accounts exist for trying the platform out only.
    pub password: &'static str,
    /// Its display name.
    pub display_name: &'static str,
}

/// The demo accounts: an administrator, an editor and a member.
pub const DEMO_ACCOUNTS: [DemoAccount; 3] = [
    DemoAccount {
        role: "admin",
        email: "admin@demo.test",
        password: "demo-admin-password",
        display_name: "Ada Admin",
    },
    DemoAccount {
        role: "editor",
        email: "editor@demo.test",
        password: "demo-editor-password",
        display_name: "Eddie Editor",
    },
    DemoAccount {
        role: "member",
        email: "member@demo.test",
        password: "demo-member-password",
        display_name: "Mia Member",
    },
];

/// The demo plans: code, name, price in euro cents, interval.
pub const DEMO_PLANS: [(&str, &str, u64, &str); 2] =
    [("starter", "Starter", 900, "MONTH"), ("pro", "Pro", 9_900, "YEAR")];

/// The editor's demo posts: title, body, and whether it is published.
const DEMO_POSTS: [(&str, &str, bool); 2] = [
    (
        "Welcome to the platform",
        "This post was written by the editor and published. Sign in as the member and write your own.",
        true,
    ),
    (
        "Notes on federation",
        "A draft: only its author, editors and administrators can see it.",
        false,
    ),
];

/// The file in the data folder that records a finished seeding.
const MARKER: &str = "demo-data-seeded";
/// The actor recorded on the role bindings made here.
const ACTOR: &str = "platform:seed";
/// How long new users may take to be onboarded as `member` (a real broker's consumer group needs seconds).
const ONBOARDING_TIMEOUT: Duration = Duration::from_secs(90);

/// What seeding did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Demo accounts signed up now.
    pub users: usize,
    /// Demo plans created now.
    pub plans: usize,
    /// Demo posts created now.
    pub posts: usize,
}

impl SeedReport {
    /// Whether anything was created (false when the demo data was all there already).
    pub fn created_anything(&self) -> bool {
        self.users + self.plans + self.posts > 0
    }
}

/// Makes sure the demo data exists, creating only what is missing, through the router at `client`.
pub async fn seed(client: &GraphqlClient, roles: &RoleManager, data_dir: &Path) -> Result<SeedReport, DevError> {
    let mut report = SeedReport::default();
    for account in DEMO_ACCOUNTS {
        if sign_up(client, account).await? {
            report.users += 1;
        }
    }
    let marker = data_dir.join(MARKER);
    if report.users == 0 && marker.is_file() {
        return Ok(report);
    }

    let mut sessions = Vec::with_capacity(DEMO_ACCOUNTS.len());
    for account in DEMO_ACCOUNTS {
        let (id, token) = sign_in(client, account).await?;
        if account.role != "member" {
            bind(roles, &id, account.role).await?;
        }
        sessions.push((id, token));
    }
    for (id, _) in &sessions {
        wait_for_role(roles, id, "member").await?;
    }
    let [(_, admin), (editor_id, editor), _] = sessions.as_slice() else {
        return Err(DevError::seed("sign in", "expected three demo accounts"));
    };
    report.plans = create_plans(client, admin).await?;
    report.posts = create_posts(client, editor_id, editor).await?;
    std::fs::write(&marker, "the demo accounts, plans and posts exist\n").map_err(|source| DevError::Io {
        path: marker.clone(),
        source,
    })?;
    Ok(report)
}

/// Signs `account` up; `false` when it exists already.
async fn sign_up(client: &GraphqlClient, account: DemoAccount) -> Result<bool, DevError> {
    let step = format!("sign up {}", account.email);
    let input = json!({ "email": account.email, "password": account.password, "displayName": account.display_name });
    match call(client, &step, None, SIGN_UP, json!({ "input": input })).await? {
        Answer::Data(_) => Ok(true),
        Answer::Error { code, .. } if code == "CONFLICT" => Ok(false),
        Answer::Error { code, message } => Err(DevError::seed(step, format!("{code}: {message}"))),
    }
}

/// Signs `account` in and returns its user id and access token.
async fn sign_in(client: &GraphqlClient, account: DemoAccount) -> Result<(String, String), DevError> {
    let step = format!("sign in as {}", account.email);
    let variables = json!({ "email": account.email, "password": account.password });
    let data = expect_data(&step, call(client, &step, None, SIGN_IN, variables).await?)?;
    let id = data["signIn"]["user"]["id"].as_str();
    let token = data["signIn"]["accessToken"].as_str();
    match (id, token) {
        (Some(id), Some(token)) => Ok((id.to_owned(), token.to_owned())),
        _ => Err(DevError::seed(step, format!("unexpected answer {data}"))),
    }
}

/// Binds `subject` to `role` globally unless it holds it already.
async fn bind(roles: &RoleManager, subject: &str, role: &str) -> Result<(), DevError> {
    let step = format!("bind {subject} to {role}");
    let bindings = roles.bindings_of(subject).await.map_err(|e| DevError::seed(&step, e))?;
    if bindings.iter().any(|binding| binding.role == role) {
        return Ok(());
    }
    match roles.bind_role(ACTOR, subject, role, None).await {
        Ok(_) | Err(authz::error::AuthzError::Conflict(_)) => Ok(()),
        Err(error) => Err(DevError::seed(step, error)),
    }
}

/// Waits until authz's onboarding (driven by identity's `user.created` event) has bound `subject` to `role`.
async fn wait_for_role(roles: &RoleManager, subject: &str, role: &str) -> Result<(), DevError> {
    let step = format!("wait for {subject} to be onboarded as {role}");
    let deadline = tokio::time::Instant::now() + ONBOARDING_TIMEOUT;
    loop {
        let bindings = roles.bindings_of(subject).await.map_err(|e| DevError::seed(&step, e))?;
        if bindings.iter().any(|binding| binding.role == role) {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(DevError::seed(step, "the user.created event never arrived"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Creates the demo plans that do not exist yet, as the administrator; returns how many it created.
async fn create_plans(client: &GraphqlClient, admin: &str) -> Result<usize, DevError> {
    let mut created = 0;
    for (code, name, cents, interval) in DEMO_PLANS {
        let step = format!("create plan {code}");
        let found = expect_data(&step, call(client, &step, None, PLAN, json!({ "code": code })).await?)?;
        if !found["plan"].is_null() {
            continue;
        }
        let input = json!({
            "code": code, "name": name, "interval": interval,
            "price": { "amount": cents.to_string(), "currency": "EUR" },
        });
        expect_data(
            &step,
            call(client, &step, Some(admin), CREATE_PLAN, json!({ "input": input })).await?,
        )?;
        created += 1;
    }
    Ok(created)
}

/// Writes the editor's demo posts (publishing the first) unless the editor has posts already.
async fn create_posts(client: &GraphqlClient, editor_id: &str, editor: &str) -> Result<usize, DevError> {
    let step = "look for the editor's posts";
    let filter = json!({ "filter": { "authorId": editor_id } });
    let existing = expect_data(step, call(client, step, Some(editor), EDITOR_POSTS, filter).await?)?;
    if existing["posts"]["edges"]
        .as_array()
        .is_some_and(|edges| !edges.is_empty())
    {
        return Ok(0);
    }
    for (title, body, published) in DEMO_POSTS {
        let step = format!("create post {title:?}");
        let input = json!({ "input": { "title": title, "body": body, "tags": ["demo"] } });
        let data = expect_data(&step, call(client, &step, Some(editor), CREATE_POST, input).await?)?;
        let Some(id) = data["createPost"]["id"].as_str() else {
            return Err(DevError::seed(step, format!("unexpected answer {data}")));
        };
        if published {
            let step = format!("publish post {title:?}");
            expect_data(
                &step,
                call(client, &step, Some(editor), PUBLISH_POST, json!({ "id": id })).await?,
            )?;
        }
    }
    Ok(DEMO_POSTS.len())
}

async fn call(
    client: &GraphqlClient,
    step: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Result<Answer, DevError> {
    client
        .request(token, query, variables)
        .await
        .map_err(|error| DevError::seed(step, error))
}

fn expect_data(step: &str, answer: Answer) -> Result<Value, DevError> {
    match answer {
        Answer::Data(data) => Ok(data),
        Answer::Error { code, message } => Err(DevError::seed(step, format!("{code}: {message}"))),
    }
}

const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { id } }";
const SIGN_IN: &str = "mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { accessToken user { id } } }";
const PLAN: &str = "query($code: String!) { plan(code: $code) { code } }";
const CREATE_PLAN: &str = "mutation($input: CreatePlanInput!) { createPlan(input: $input) { code } }";
const EDITOR_POSTS: &str = "query($filter: PostFilter) { posts(filter: $filter, first: 1) { edges { node { id } } } }";
const CREATE_POST: &str = "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }";
const PUBLISH_POST: &str = "mutation($id: ID!) { publishPost(id: $id) { id } }";
