//! Liveness and readiness endpoints.
//!
//! `GET /healthz` answers 200 `{"status":"ok"}` whenever the process can serve at all. `GET /readyz` runs every
//! registered [`HealthCheck`] concurrently, each under a timeout, and answers 200 only when all pass; otherwise
//! 503 with a body naming each dependency and, for a failing one, its error. While the server drains at
//! shutdown, readiness answers 503 `{"status":"draining"}` without running the checks.
//!
//! The error text of a failing check is served to anyone who can reach `/readyz`: it must describe the failure
//! ("connection refused", "timed out") and never carry connection strings, credentials or hostnames of secrets.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

/// How long one check may take before it counts as failed, unless [`Health::with_check_timeout`] says otherwise.
const DEFAULT_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// One dependency whose availability decides readiness (a database, a cache, a broker).
#[async_trait::async_trait]
pub trait HealthCheck: Send + Sync {
    /// The dependency's name as shown in the `/readyz` body; unique within one [`Health`].
    fn name(&self) -> &str;

    /// Probes the dependency. The error text is served publicly: describe the failure, never include
    /// connection strings or credentials.
    async fn check(&self) -> Result<(), String>;
}

/// A [`HealthCheck`] made from a name and an async closure; see [`from_fn`].
pub struct FnCheck<F> {
    name: String,
    probe: F,
}

/// Builds a check from an async closure, e.g. `health::from_fn("cache", move || { let c = c.clone(); async
/// move { c.ping().await.map_err(|_| "unreachable".to_owned()) } })`.
pub fn from_fn<F, Fut>(name: impl Into<String>, probe: F) -> Arc<dyn HealthCheck>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    Arc::new(FnCheck {
        name: name.into(),
        probe,
    })
}

#[async_trait::async_trait]
impl<F, Fut> HealthCheck for FnCheck<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    fn name(&self) -> &str {
        &self.name
    }

    async fn check(&self) -> Result<(), String> {
        (self.probe)().await
    }
}

/// The registry of dependency checks plus the draining flag; cheap to clone, every clone shares the flag.
#[derive(Clone)]
pub struct Health {
    checks: Arc<Vec<Arc<dyn HealthCheck>>>,
    check_timeout: Duration,
    draining: Arc<AtomicBool>,
}

impl Health {
    /// A registry with no checks: ready until it drains.
    pub fn new() -> Self {
        Self {
            checks: Arc::new(Vec::new()),
            check_timeout: DEFAULT_CHECK_TIMEOUT,
            draining: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Adds a dependency check.
    pub fn with_check(mut self, check: Arc<dyn HealthCheck>) -> Self {
        Arc::make_mut(&mut self.checks).push(check);
        self
    }

    /// Sets how long each check may run before it is reported down.
    pub fn with_check_timeout(mut self, timeout: Duration) -> Self {
        self.check_timeout = timeout;
        self
    }

    /// Marks the service as shutting down, so readiness fails and load balancers stop sending traffic.
    pub fn set_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Whether [`Health::set_draining`] was called.
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Runs every check concurrently (each in its own task, under the timeout) and reports the outcome.
    pub async fn readiness(&self) -> Readiness {
        if self.is_draining() {
            return Readiness {
                status: ReadinessStatus::Draining,
                checks: BTreeMap::new(),
            };
        }
        let runs = self.checks.iter().map(|check| {
            let check = Arc::clone(check);
            let timeout = self.check_timeout;
            async move {
                let name = check.name().to_owned();
                let outcome = tokio::spawn(async move { tokio::time::timeout(timeout, check.check()).await }).await;
                let result = match outcome {
                    Ok(Ok(result)) => result,
                    Ok(Err(_elapsed)) => Err(format!("timed out after {} ms", timeout.as_millis())),
                    Err(join_error) if join_error.is_panic() => Err("check panicked".to_owned()),
                    Err(_) => Err("check was cancelled".to_owned()),
                };
                (name, result)
            }
        });
        let mut checks = BTreeMap::new();
        for (name, result) in futures::future::join_all(runs).await {
            let report = match result {
                Ok(()) => CheckReport::Up,
                Err(error) => CheckReport::Down { error },
            };
            // Two checks with one name must not let a passing one hide a failing one.
            let keep_existing = checks
                .get(&name)
                .is_some_and(|existing| matches!(existing, CheckReport::Down { .. }));
            if !keep_existing {
                checks.insert(name, report);
            }
        }
        let all_up = checks.values().all(|report| matches!(report, CheckReport::Up));
        let status = if all_up {
            ReadinessStatus::Ok
        } else {
            ReadinessStatus::Unavailable
        };
        Readiness { status, checks }
    }

    /// A router serving `GET /healthz` and `GET /readyz`.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/healthz", get(liveness))
            .route("/readyz", get(readiness))
            .with_state(self.clone())
    }
}

impl Default for Health {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.checks.iter().map(|check| check.name()).collect();
        f.debug_struct("Health")
            .field("checks", &names)
            .field("check_timeout", &self.check_timeout)
            .field("draining", &self.is_draining())
            .finish()
    }
}

/// The `/readyz` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// The overall verdict.
    pub status: ReadinessStatus,
    /// Each dependency's outcome, by name.
    pub checks: BTreeMap<String, CheckReport>,
}

impl Readiness {
    /// Whether the service should receive traffic.
    pub fn is_ready(&self) -> bool {
        self.status == ReadinessStatus::Ok
    }
}

/// The overall readiness verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadinessStatus {
    /// Every dependency is up.
    Ok,
    /// At least one dependency is down.
    Unavailable,
    /// The server is shutting down.
    Draining,
}

/// One dependency's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum CheckReport {
    /// The check passed.
    Up,
    /// The check failed, timed out or panicked.
    Down {
        /// What went wrong, as reported by the check.
        error: String,
    },
}

async fn liveness() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn readiness(State(health): State<Health>) -> Response {
    let report = health.readiness().await;
    let status = if report.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(report)).into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http::Request;
    use serde_json::{Value, json};
    use tower::ServiceExt;

    use super::*;

    async fn get_json(health: &Health, path: &str) -> (StatusCode, Value) {
        let response = health
            .router()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    fn passing(name: &str) -> Arc<dyn HealthCheck> {
        from_fn(name, || async { Ok(()) })
    }

    fn failing(name: &str, error: &'static str) -> Arc<dyn HealthCheck> {
        from_fn(name, move || async move { Err(error.to_owned()) })
    }

    #[tokio::test]
    async fn liveness_is_ok_even_when_a_dependency_is_down() {
        let health = Health::new().with_check(failing("database", "connection refused"));
        assert_eq!(
            get_json(&health, "/healthz").await,
            (StatusCode::OK, json!({"status": "ok"}))
        );
    }

    #[tokio::test]
    async fn readiness_is_ok_when_every_check_passes() {
        let health = Health::new()
            .with_check(passing("database"))
            .with_check(passing("cache"));
        let (status, body) = get_json(&health, "/readyz").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            json!({"status": "ok", "checks": {"cache": {"status": "up"}, "database": {"status": "up"}}})
        );
    }

    #[tokio::test]
    async fn failing_check_is_named_with_its_error_in_a_503() {
        let health = Health::new()
            .with_check(passing("database"))
            .with_check(failing("cache", "connection refused"));
        let (status, body) = get_json(&health, "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            body,
            json!({
                "status": "unavailable",
                "checks": {
                    "database": {"status": "up"},
                    "cache": {"status": "down", "error": "connection refused"}
                }
            })
        );
    }

    #[tokio::test]
    async fn slow_check_is_reported_down_after_the_timeout() {
        let slow = from_fn("broker", || async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(())
        });
        let health = Health::new()
            .with_check(slow)
            .with_check_timeout(Duration::from_millis(50));
        let started = std::time::Instant::now();
        let (status, body) = get_json(&health, "/readyz").await;
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            body["checks"]["broker"],
            json!({"status": "down", "error": "timed out after 50 ms"})
        );
    }

    #[tokio::test]
    async fn checks_run_concurrently() {
        let sleepy = |name: &str| {
            from_fn(name, || async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok(())
            })
        };
        let health = Health::new()
            .with_check(sleepy("a"))
            .with_check(sleepy("b"))
            .with_check(sleepy("c"));
        let started = std::time::Instant::now();
        assert!(health.readiness().await.is_ready());
        assert!(
            started.elapsed() < Duration::from_millis(800),
            "took {:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn panicking_check_is_reported_down() {
        let health = Health::new().with_check(from_fn("flaky", || async { panic!("boom") }));
        let report = health.readiness().await;
        assert_eq!(
            report.checks["flaky"],
            CheckReport::Down {
                error: "check panicked".into()
            }
        );
    }

    #[tokio::test]
    async fn draining_fails_readiness_for_every_clone() {
        let health = Health::new().with_check(passing("database"));
        let served = health.clone();
        health.set_draining();
        let (status, body) = get_json(&served, "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body, json!({"status": "draining", "checks": {}}));
        assert_eq!(get_json(&served, "/healthz").await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn duplicate_names_never_hide_a_failure() {
        let health = Health::new()
            .with_check(failing("db", "down"))
            .with_check(passing("db"));
        assert!(!health.readiness().await.is_ready());
    }
}
