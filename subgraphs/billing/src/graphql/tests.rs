//! `User.subscription` and `User.invoices` of many users cost the same number of statements as of one user:
//! the loaders batch every entity of a request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_graphql::{Request, Variables};
use chrono::Utc;
use kernel::access::{AccessError, AccessGuard, Authorizer, Decision, Resource};
use kernel::auth::Claims;
use kernel::db::DatabaseConfig;
use kernel::graphql::Caller;
use secrecy::SecretString;
use serde_json::json;

use super::{Services, schema};
use crate::domain::{Currency, Interval, Money, NewPlan, PlanCode, UserId};
use crate::service::{Billing, Terms};

/// Allows everything; this test is about statements, not decisions.
struct AllowAll;

#[async_trait::async_trait]
impl Authorizer for AllowAll {
    async fn check(&self, _: &str, _: &SecretString, _: &str, _: &Resource) -> Result<Decision, AccessError> {
        Ok(Decision::Allow {
            reason: "test".to_owned(),
        })
    }
}

fn caller() -> Caller {
    let claims = Claims {
        sub: "admin".to_owned(),
        iss: "https://identity.test".to_owned(),
        aud: "platform".to_owned(),
        exp: u64::MAX,
        iat: 0,
        nbf: 0,
        jti: "j1".to_owned(),
        roles: Vec::new(),
        scope: String::new(),
    };
    Caller::authenticated(claims, SecretString::from("token"), None)
}

const ENTITIES: &str = "query($reps: [_Any!]!) {
  _entities(representations: $reps) {
    ... on User { id subscription { status plan { code } } invoices(first: 5) { edges { node { id lines { description } } } } }
  }
}";

#[tokio::test]
async fn many_users_cost_as_many_statements_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("billing.db").display());
    let db = kernel::db::connect(&DatabaseConfig {
        url: url.into(),
        ..DatabaseConfig::default()
    })
    .await
    .unwrap();
    kernel::db::migrate::<migrations::billing::Migrator>(&db).await.unwrap();
    let terms = Terms {
        payment_due_after: Duration::from_secs(86_400),
    };
    let setup = Billing::new(db.conn().clone(), terms);
    let price = Money::new(900, Currency::parse("EUR").unwrap());
    let plan = NewPlan::parse("pro", "Pro", price, Interval::Month, 0).unwrap();
    setup.create_plan("admin", plan, Utc::now()).await.unwrap();
    let users: Vec<String> = (0..6).map(|n| format!("u{n}")).collect();
    for user in &users {
        let code = PlanCode::parse("pro").unwrap();
        setup
            .subscribe(&UserId::parse(user).unwrap(), &code, Utc::now())
            .await
            .unwrap();
    }

    let statements = Arc::new(AtomicUsize::new(0));
    let mut counted = db.conn().clone();
    let counter = statements.clone();
    counted.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let schema = schema(Services {
        billing: Billing::new(counted, terms),
        access: AccessGuard::new("billing", Arc::new(AllowAll)),
    });
    let mut cost = Vec::new();
    for count in [1, users.len()] {
        let reps: Vec<_> = users[..count]
            .iter()
            .map(|id| json!({ "__typename": "User", "id": id }))
            .collect();
        let request = Request::new(ENTITIES)
            .variables(Variables::from_json(json!({ "reps": reps })))
            .data(caller());
        statements.store(0, Ordering::SeqCst);
        let response = schema.execute(request).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let data = response.data.into_json().unwrap();
        let entities = data["_entities"].as_array().unwrap();
        assert_eq!(entities.len(), count);
        assert!(
            entities
                .iter()
                .all(|user| user["subscription"]["plan"]["code"] == "pro")
        );
        assert!(
            entities
                .iter()
                .all(|user| user["invoices"]["edges"].as_array().unwrap().len() == 1)
        );
        cost.push(statements.load(Ordering::SeqCst));
    }
    assert!(cost[0] > 0, "the counter saw no statements");
    assert_eq!(cost[0], cost[1], "statements for 1 user vs {} users", users.len());
}
