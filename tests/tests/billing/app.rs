//! `BillingApp::from_config`: the service built from configuration alone migrates its database and serves; with
//! authz unreachable, reads of public plans still work and writes fail closed.

use billing::{BillingApp, BillingConfig};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::harness::{CREATE_PLAN, error_code};

#[tokio::test]
async fn a_service_built_from_config_migrates_serves_and_fails_closed_without_authz() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = BillingConfig::default();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("billing.db").display());
    config.database.url = SecretString::from(url);
    config.server.http_addr = "127.0.0.1:0".parse().unwrap();
    config.server.grpc_addr = Some("127.0.0.1:0".parse().unwrap());
    config.server.shutdown_grace_ms = 200;
    // Nothing listens here: every access check fails.
    config.authz.address = "http://127.0.0.1:1".to_owned();
    config.audit.address = "http://127.0.0.1:1".to_owned();
    let running = BillingApp::from_config(config).await.unwrap().start().await.unwrap();
    assert_ne!(running.http_addr().port(), 0);
    assert!(running.grpc_addr().is_some());

    let post = |query: &'static str, variables: Value| {
        let url = format!("http://{}/graphql", running.http_addr());
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .json(&json!({ "query": query, "variables": variables }))
                .send()
                .await
                .unwrap();
            response.json::<Value>().await.unwrap()
        }
    };
    let plans = post("{ plans { code } }", json!({})).await;
    assert_eq!(plans["data"]["plans"], json!([]), "{plans}");
    let input = json!({ "input": {
        "code": "pro", "name": "Pro", "price": { "amount": "900", "currency": "EUR" }, "interval": "MONTH",
    }});
    let anonymous = post(CREATE_PLAN, input).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED", "{anonymous}");
    running.stop().await;
}
