//! Starts `platform dev` the way the command does — through `platform::DevStack::start` — on ephemeral ports, a
//! given data folder and a namespace of its own, and talks to it through the router as a frontend would.

use std::path::Path;
use std::time::Duration;

use platform::seed::DemoAccount;
use platform::{Backends, DevConfig, DevStack, Ports};
use serde_json::{Value, json};

/// A running dev stack, what it printed while starting, and an HTTP client for its router.
pub struct Dev {
    pub stack: DevStack,
    pub printed: String,
    client: reqwest::Client,
}

/// The config the tests start with: ephemeral ports, `data_dir`, embedded backends, a fresh namespace.
pub fn embedded(data_dir: &Path, namespace: &str) -> DevConfig {
    DevConfig {
        data_dir: data_dir.to_path_buf(),
        ports: Ports::Ephemeral,
        backends: Backends::Embedded,
        namespace: namespace.to_owned(),
        ..DevConfig::default()
    }
}

impl Dev {
    /// Starts the stack `config` describes and keeps what it printed.
    pub async fn start(config: &DevConfig) -> Self {
        let mut printed = Vec::new();
        let stack = DevStack::start(config, &mut printed)
            .await
            .expect("platform dev starts");
        Self {
            stack,
            printed: String::from_utf8(printed).expect("the progress output is UTF-8"),
            client: reqwest::Client::new(),
        }
    }

    /// Posts a GraphQL request to the router and returns the JSON answer.
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(self.stack.graphql_url())
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .expect("the router answers")
            .json()
            .await
            .expect("a JSON body")
    }

    /// Signs `account` in through the router; returns its user id and access token.
    pub async fn sign_in(&self, account: &DemoAccount) -> (String, String) {
        let body = self
            .graphql(
                None,
                "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken user { id } } }",
                json!({ "e": account.email, "p": account.password }),
            )
            .await;
        let session = data(&body, "signIn");
        (
            session["user"]["id"].as_str().expect("a user id").to_owned(),
            session["accessToken"].as_str().expect("a token").to_owned(),
        )
    }

    /// Waits until the audit log, read as `admin`, holds a record matching `filter`, and returns it.
    pub async fn audit_record(&self, admin: &str, filter: Value, timeout: Duration) -> Value {
        let query = "query($f: AuditLogFilter) { auditLog(filter: $f, first: 10) {
            edges { node { actor action resource outcome } } } }";
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let body = self.graphql(Some(admin), query, json!({ "f": filter })).await;
            if let Some(record) = data(&body, "auditLog")["edges"][0]["node"].as_object() {
                return Value::Object(record.clone());
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no audit record matches {filter}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The field `field` of a successful answer; panics with the body when it carries errors.
pub fn data<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(body.get("errors").is_none(), "{field}: {body}");
    &body["data"][field]
}

/// The demo account with `role`.
pub fn account(role: &str) -> DemoAccount {
    platform::seed::DEMO_ACCOUNTS
        .into_iter()
        .find(|account| account.role == role)
        .expect("a demo account with that role")
}
