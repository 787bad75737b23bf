//! Seeding through the router, as people would: an administrator signs up and is made `admin` with `authz
//! bind-role` (the one step no one can do through the graph), creates the plan the load subscribes to; then one
//! user per worker signs up, is onboarded as `member` from identity's `user.created` event over Kafka, is made
//! `editor` by the administrator (so it may publish its own posts), and signs in.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::client::{Answer, GraphqlClient};
use crate::error::SoakError;
use crate::stack::Stack;

/// How long onboarding may take: a consumer group on a fresh broker needs seconds to be given its partitions.
const ONBOARDING_TIMEOUT: Duration = Duration::from_secs(120);
/// Sign-ups and sign-ins in flight at once while seeding.
const SEED_PARALLELISM: usize = 8;

/// The plan every worker subscribes to: 12.50 EUR a month, no trial, so subscribing opens an invoice at once.
pub const PLAN_CODE: &str = "soak-monthly";

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user's id.
    pub user_id: String,
    /// The current access token.
    pub access_token: String,
    /// The single-use refresh token.
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: Instant,
}

impl Session {
    /// Reads a `Session` object of the graph (`accessToken`, `refreshToken`, `expiresIn`).
    pub fn from_graph(user_id: &str, session: &Value) -> Option<Self> {
        Some(Self {
            user_id: user_id.to_owned(),
            access_token: session["accessToken"].as_str()?.to_owned(),
            refresh_token: session["refreshToken"].as_str()?.to_owned(),
            expires_at: Instant::now() + Duration::from_secs(session["expiresIn"].as_u64()?),
        })
    }
}

/// What seeding made.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The administrator.
    pub admin: Session,
    /// One signed-in member and editor per worker.
    pub users: Vec<Session>,
    /// How long seeding took.
    pub took: Duration,
}

/// Seeds the administrator, the plan and `users` workers' users, whose e-mail addresses carry `run_id`.
pub async fn seed(stack: &Stack, client: &GraphqlClient, run_id: &str, users: usize) -> Result<Seeded, SoakError> {
    let started = Instant::now();
    let password = format!("soak password {run_id}");
    let admin_email = format!("admin-{run_id}@soak.test");
    let admin_id = sign_up(client, &admin_email, &password, "Soak Admin").await?;
    stack.bind_role_offline(&admin_id, "admin").await?;
    let admin = sign_in(client, &admin_id, &admin_email, &password).await?;
    call(
        client,
        Some(&admin.access_token),
        "CreatePlan",
        "mutation CreatePlan($code: String!) { createPlan(input: { code: $code, name: \"Soak monthly\",
            price: { amount: \"1250\", currency: \"EUR\" }, interval: MONTH }) { code } }",
        json!({ "code": PLAN_CODE }),
    )
    .await?;

    let emails: Vec<String> = (0..users)
        .map(|index| format!("user{index}-{run_id}@soak.test"))
        .collect();
    let ids = in_parallel(emails.clone(), {
        let (client, password) = (client.clone(), password.clone());
        move |email| {
            let (client, password) = (client.clone(), password.clone());
            async move { sign_up(&client, &email, &password, "Soak Writer").await }
        }
    })
    .await?;
    for id in &ids {
        wait_for_role(client, &admin.access_token, id, "member").await?;
        call(
            client,
            Some(&admin.access_token),
            "BindEditor",
            "mutation BindEditor($subject: ID!) { bindRole(subject: $subject, role: \"editor\") { id } }",
            json!({ "subject": id }),
        )
        .await?;
    }
    let sessions = in_parallel(ids.into_iter().zip(emails).collect(), {
        let (client, password) = (client.clone(), password.clone());
        move |(id, email): (String, String)| {
            let (client, password) = (client.clone(), password.clone());
            async move { sign_in(&client, &id, &email, &password).await }
        }
    })
    .await?;
    Ok(Seeded {
        admin,
        users: sessions,
        took: started.elapsed(),
    })
}

/// Runs `task` over `items`, [`SEED_PARALLELISM`] at a time, keeping the items' order in the results.
async fn in_parallel<I, T, F, Fut>(items: Vec<I>, task: F) -> Result<Vec<T>, SoakError>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut,
    Fut: Future<Output = Result<T, SoakError>> + Send + 'static,
{
    let mut results: Vec<Option<T>> = (0..items.len()).map(|_| None).collect();
    let mut running = JoinSet::new();
    for (index, item) in items.into_iter().enumerate() {
        if running.len() >= SEED_PARALLELISM {
            collect_one(&mut running, &mut results).await?;
        }
        let future = task(item);
        running.spawn(async move { (index, future.await) });
    }
    while !running.is_empty() {
        collect_one(&mut running, &mut results).await?;
    }
    Ok(results.into_iter().flatten().collect())
}

async fn collect_one<T: 'static>(
    running: &mut JoinSet<(usize, Result<T, SoakError>)>,
    results: &mut [Option<T>],
) -> Result<(), SoakError> {
    match running.join_next().await {
        Some(Ok((index, outcome))) => {
            results[index] = Some(outcome?);
            Ok(())
        }
        Some(Err(error)) => Err(SoakError::Seed {
            step: "a seeding task".to_owned(),
            detail: error.to_string(),
        }),
        None => Ok(()),
    }
}

/// Sends one seeding request; anything but data is an error naming the operation.
async fn call(
    client: &GraphqlClient,
    token: Option<&str>,
    name: &str,
    document: &str,
    variables: Value,
) -> Result<Value, SoakError> {
    match client.send(token, name, document, variables).await.0 {
        Answer::Data(data) => Ok(data),
        Answer::Error(code) => Err(SoakError::Seed {
            step: name.to_owned(),
            detail: format!("answered {code}"),
        }),
    }
}

async fn sign_up(client: &GraphqlClient, email: &str, password: &str, name: &str) -> Result<String, SoakError> {
    let data = call(
        client,
        None,
        "SignUp",
        "mutation SignUp($input: SignUpInput!) { signUp(input: $input) { id } }",
        json!({ "input": { "email": email, "password": password, "displayName": name } }),
    )
    .await?;
    data["signUp"]["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| SoakError::Seed {
            step: "SignUp".to_owned(),
            detail: format!("no id in {data}"),
        })
}

async fn sign_in(client: &GraphqlClient, id: &str, email: &str, password: &str) -> Result<Session, SoakError> {
    let data = call(
        client,
        None,
        "SignIn",
        "mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) {
            accessToken refreshToken expiresIn } }",
        json!({ "email": email, "password": password }),
    )
    .await?;
    Session::from_graph(id, &data["signIn"]).ok_or_else(|| SoakError::Seed {
        step: "SignIn".to_owned(),
        detail: format!("no session in {data}"),
    })
}

/// Polls the user's role bindings (identity's user, authz's `roles`) until `role` is among them.
async fn wait_for_role(client: &GraphqlClient, admin: &str, user: &str, role: &str) -> Result<(), SoakError> {
    let deadline = Instant::now() + ONBOARDING_TIMEOUT;
    loop {
        let data = call(
            client,
            Some(admin),
            "UserRoles",
            "query UserRoles($id: ID!) { user(id: $id) { roles { role } } }",
            json!({ "id": user }),
        )
        .await?;
        let roles = data["user"]["roles"].as_array().cloned().unwrap_or_default();
        if roles.iter().any(|binding| binding["role"] == role) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(SoakError::Seed {
                step: format!("onboarding of {user}"),
                detail: format!("no `{role}` role after {}s", ONBOARDING_TIMEOUT.as_secs()),
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_read_from_the_graphs_session_object() {
        let session = json!({ "accessToken": "a", "refreshToken": "r", "expiresIn": 900 });
        let read = Session::from_graph("u1", &session).unwrap();
        assert_eq!((read.user_id.as_str(), read.access_token.as_str()), ("u1", "a"));
        assert!(read.expires_at > Instant::now() + Duration::from_secs(800));
        assert!(Session::from_graph("u1", &json!({ "accessToken": "a" })).is_none());
    }
}
