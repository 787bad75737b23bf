//! What the router tells its operators: Prometheus metrics for requests (by operation name and error code),
//! request latency, every subgraph fetch (latency and failures by subgraph), and the operation cache; and one
//! structured access-log line per request, without credentials or variables.
//!
//! Operation names come from clients, so they are capped: after [`MAX_OPERATION_LABELS`] distinct names, new
//! ones are counted as `__other`, and a hostile client cannot grow the metric set without bound.

use std::collections::HashSet;
use std::time::Duration;

use kernel::telemetry::Metrics;
use parking_lot::RwLock;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};

/// Most distinct operation names used as label values.
pub const MAX_OPERATION_LABELS: usize = 500;
/// The label of an anonymous operation.
const ANONYMOUS: &str = "__anonymous";
/// The label of operations past the cap.
const OTHER: &str = "__other";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: String,
    /// `ok`, or the first error's `extensions.code`.
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SubgraphLabels {
    subgraph: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FetchLabels {
    subgraph: String,
    /// `ok`, or why the fetch failed (`timeout`, `connect`, `status_5xx`, …).
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PlanLabels {
    /// `planner` or `shared_cache`.
    source: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    result: String,
}

fn cache_counter(family: &Family<CacheLabels, Counter>, result: &str) -> Counter {
    family
        .get_or_create(&CacheLabels {
            result: result.to_owned(),
        })
        .clone()
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to ~16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The router's metrics; cheap to clone.
#[derive(Clone)]
pub struct RouterMetrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<OperationLabels, Histogram, fn() -> Histogram>,
    fetches: Family<FetchLabels, Counter>,
    fetch_latency: Family<SubgraphLabels, Histogram, fn() -> Histogram>,
    cache_hits: Counter,
    cache_misses: Counter,
    plans: Family<PlanLabels, Counter>,
    names: std::sync::Arc<RwLock<HashSet<String>>>,
}

impl std::fmt::Debug for RouterMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterMetrics").finish_non_exhaustive()
    }
}

impl RouterMetrics {
    /// The router's metrics, registered in `metrics` (served on `/metrics`).
    pub fn register(metrics: &Metrics) -> Self {
        let cache: Family<CacheLabels, Counter> = Family::default();
        let this = Self {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            fetches: Family::default(),
            fetch_latency: Family::new_with_constructor(latency_histogram),
            // The family's counters are fetched once: a lookup on the hot path only increments an atomic.
            cache_hits: cache_counter(&cache, "hit"),
            cache_misses: cache_counter(&cache, "miss"),
            plans: Family::default(),
            names: std::sync::Arc::new(RwLock::new(HashSet::new())),
        };
        metrics.register(
            "router_requests",
            "GraphQL requests answered, by operation name and result code",
            this.requests.clone(),
        );
        metrics.register(
            "router_request_duration_seconds",
            "Time to answer a GraphQL request, by operation name",
            this.latency.clone(),
        );
        metrics.register(
            "router_subgraph_fetches",
            "Subgraph fetches, by subgraph and outcome",
            this.fetches.clone(),
        );
        metrics.register(
            "router_subgraph_fetch_duration_seconds",
            "Time of one subgraph fetch (retries included), by subgraph",
            this.fetch_latency.clone(),
        );
        metrics.register(
            "router_operation_cache_lookups",
            "Operation cache lookups, by result (hit or miss)",
            cache,
        );
        metrics.register(
            "router_query_plans",
            "Query plans made on operation cache misses, by where they came from (planner or shared_cache)",
            this.plans.clone(),
        );
        this
    }

    /// Records one plan obtained on an operation cache miss.
    pub fn plan(&self, source: &str) {
        self.plans
            .get_or_create(&PlanLabels {
                source: source.to_owned(),
            })
            .inc();
    }

    /// The label for `name`: itself while under the cap, `__other` past it.
    fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name.filter(|name| !name.is_empty()) else {
            return ANONYMOUS.to_owned();
        };
        let name: String = name.chars().take(100).collect();
        // Known names are the common case: a shared read lock, so concurrent requests do not queue.
        if self.names.read().contains(&name) {
            return name;
        }
        let mut names = self.names.write();
        if names.len() >= MAX_OPERATION_LABELS && !names.contains(&name) {
            return OTHER.to_owned();
        }
        names.insert(name.clone());
        name
    }

    /// Records one answered request.
    pub fn request(&self, operation: Option<&str>, code: &str, elapsed: Duration) {
        let operation = self.operation_label(operation);
        self.latency
            .get_or_create(&OperationLabels {
                operation: operation.clone(),
            })
            .observe(elapsed.as_secs_f64());
        self.requests
            .get_or_create(&RequestLabels {
                operation,
                code: code.to_owned(),
            })
            .inc();
    }

    /// Records one subgraph fetch.
    pub fn fetch(&self, subgraph: &str, outcome: &str, elapsed: Duration) {
        self.fetch_latency
            .get_or_create(&SubgraphLabels {
                subgraph: subgraph.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
        self.fetches
            .get_or_create(&FetchLabels {
                subgraph: subgraph.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Records one operation cache lookup.
    pub fn cache_lookup(&self, hit: bool) {
        if hit {
            self.cache_hits.inc();
        } else {
            self.cache_misses.inc();
        }
    }
}

/// The code a response reports: `ok` without errors, else its first error's `extensions.code`.
///
/// Responses are written `{"data":…}` or `{"data":…,"errors":[…]}`: a body ending in `]}` has errors, and only
/// that trailing array is read, so a large successful response costs two byte comparisons.
pub fn response_code(body: &[u8]) -> String {
    const MARKER: &[u8] = b"\"errors\":[";
    if !body.ends_with(b"]}") {
        return "ok".to_owned();
    }
    // The last marker that starts a key (after `{` or `,`), not one quoted inside an error message.
    let start = (1..body.len().saturating_sub(MARKER.len()))
        .rev()
        .find(|&at| body[at..].starts_with(MARKER) && matches!(body[at - 1], b'{' | b','));
    start
        .and_then(|at| serde_json::from_slice::<serde_json::Value>(&body[at + MARKER.len() - 1..body.len() - 1]).ok())
        .and_then(|errors| errors[0]["extensions"]["code"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "error".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_from_the_first_error() {
        assert_eq!(response_code(br#"{"data":{"a":1}}"#), "ok");
        assert_eq!(
            response_code(br#"{"data":null,"errors":[{"message":"x","extensions":{"code":"FORBIDDEN"}}]}"#),
            "FORBIDDEN"
        );
        assert_eq!(response_code(br#"{"errors":[{"message":"x"}]}"#), "error");
        assert_eq!(response_code(br#"{"data":{"a":[1,2]}}"#), "ok");
        assert_eq!(
            response_code(
                br#"{"data":{"a":null},"errors":[{"message":"\"errors\":[","extensions":{"code":"RATE_LIMITED"}}]}"#
            ),
            "RATE_LIMITED"
        );
    }

    #[test]
    fn operation_names_are_capped() {
        let metrics = RouterMetrics::register(&Metrics::new());
        for n in 0..MAX_OPERATION_LABELS {
            assert_eq!(metrics.operation_label(Some(&format!("Op{n}"))), format!("Op{n}"));
        }
        assert_eq!(metrics.operation_label(Some("OneTooMany")), OTHER);
        assert_eq!(metrics.operation_label(Some("Op3")), "Op3");
        assert_eq!(metrics.operation_label(None), ANONYMOUS);
    }

    #[test]
    fn recorded_figures_appear_in_the_exposition() {
        let registry = Metrics::new();
        let metrics = RouterMetrics::register(&registry);
        metrics.request(Some("TopProducts"), "ok", Duration::from_millis(3));
        metrics.fetch("products", "timeout", Duration::from_millis(30));
        metrics.cache_lookup(true);
        let text = registry.encode().expect("encodes");
        assert!(
            text.contains(r#"router_requests_total{operation="TopProducts",code="ok"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"router_subgraph_fetches_total{subgraph="products",outcome="timeout"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"router_operation_cache_lookups_total{result="hit"} 1"#),
            "{text}"
        );
        assert!(text.contains("router_request_duration_seconds_bucket"), "{text}");
    }
}
