//! One pooled HTTP client per subgraph: keep-alive connections, HTTP/2 by ALPN (or prior knowledge when
//! configured), a whole-request deadline, the GraphQL-over-HTTP content headers, and the protections of
//! [`super::resilience`]: a bound on requests in flight, safe retries, a circuit breaker, and identical query
//! fetches in flight at the same moment sharing one request.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use parking_lot::Mutex;
use tokio::sync::{OnceCell, Semaphore};
use tokio::time::Instant;

use super::error::ExecuteError;
use super::resilience::{Breaker, ResilienceOptions};
use super::targets::Targets;

const ACCEPT_VALUE: &str = "application/graphql-response+json, application/json";

/// Connection settings for one subgraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportOptions {
    /// Speak HTTP/2 over cleartext without negotiating (`h2c`); TLS subgraphs negotiate HTTP/2 by ALPN anyway.
    pub http2_prior_knowledge: bool,
    /// The deadline for opening a connection (capped by the request deadline).
    pub connect_timeout: Duration,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Duration,
    /// How many idle connections the pool keeps per host.
    pub pool_max_idle_per_host: usize,
}

impl Default for TransportOptions {
    fn default() -> Self {
        Self {
            http2_prior_knowledge: false,
            connect_timeout: Duration::from_secs(5),
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 256,
        }
    }
}

/// Where and how to reach one subgraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubgraphEndpoint {
    /// The subgraph's name, as query plans refer to it.
    pub name: Arc<str>,
    /// Its GraphQL endpoint.
    pub url: String,
    /// The whole-request deadline (connect, send, read the body).
    pub timeout: Duration,
    /// Connection settings.
    pub transport: TransportOptions,
    /// In-flight bound, retries, circuit breaker, deduplication.
    pub resilience: ResilienceOptions,
}

impl SubgraphEndpoint {
    /// An endpoint with default connection and resilience settings.
    pub fn new(name: impl Into<Arc<str>>, url: impl Into<String>, timeout: Duration) -> Self {
        Self {
            name: name.into(),
            url: url.into(),
            timeout,
            transport: TransportOptions::default(),
            resilience: ResilienceOptions::default(),
        }
    }
}

/// What a subgraph answered at the HTTP level.
#[derive(Debug, Clone)]
pub struct SubgraphReply {
    /// The HTTP status.
    pub status: StatusCode,
    /// The whole body.
    pub body: Bytes,
}

/// Why no reply came back. Cheap to clone, so a deduplicated fetch hands every waiter the same failure.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportFailure {
    /// The deadline passed before the whole body arrived.
    #[error("no complete response within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// No connection could be opened.
    #[error("the connection could not be opened")]
    Connect(#[source] Arc<reqwest::Error>),
    /// The connection failed or closed while sending or receiving.
    #[error("the connection failed before a complete response arrived")]
    Exchange(#[source] Arc<reqwest::Error>),
    /// The subgraph kept failing, so its circuit is open and requests fail at once for a while.
    #[error("the subgraph keeps failing; its requests are refused for now")]
    CircuitOpen,
    /// The service registry reports no instance of the subgraph.
    #[error("no instance of the subgraph is registered")]
    NoInstance,
}

/// The reply of a query fetch in flight, shared with identical fetches that arrive while it runs.
type SharedReply = Arc<OnceCell<Result<SubgraphReply, TransportFailure>>>;

/// A pooled client for one subgraph. Cheap to clone; clones share the pool, the in-flight bound, the circuit
/// and the fetches in flight.
#[derive(Debug, Clone)]
pub struct SubgraphClient {
    name: Arc<str>,
    targets: Arc<Targets>,
    timeout: Duration,
    http: reqwest::Client,
    resilience: ResilienceOptions,
    slots: Arc<Semaphore>,
    breaker: Arc<Breaker>,
    in_flight: Arc<Mutex<HashMap<u64, SharedReply>>>,
    attempts: Arc<AtomicU64>,
}

impl SubgraphClient {
    /// Builds the client for `endpoint`, sending to its URL.
    pub fn new(endpoint: &SubgraphEndpoint) -> Result<Self, ExecuteError> {
        let url = reqwest::Url::parse(&endpoint.url).map_err(|_| ExecuteError::InvalidUrl {
            name: endpoint.name.to_string(),
            url: endpoint.url.clone(),
        })?;
        Self::with_targets(endpoint, Arc::new(Targets::fixed(url)))
    }

    /// Builds the client for `endpoint`, sending to the instances in `targets` (kept current by a registry).
    pub fn with_targets(endpoint: &SubgraphEndpoint, targets: Arc<Targets>) -> Result<Self, ExecuteError> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_VALUE));
        let options = &endpoint.transport;
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            // Subgraph traffic is internal: a proxy from the environment would only add a hop or leak it.
            .no_proxy()
            .tcp_nodelay(true)
            .connect_timeout(options.connect_timeout.min(endpoint.timeout))
            .pool_idle_timeout(options.pool_idle_timeout)
            .pool_max_idle_per_host(options.pool_max_idle_per_host);
        if options.http2_prior_knowledge {
            builder = builder.http2_prior_knowledge();
        }
        let http = builder.build().map_err(|source| ExecuteError::Client {
            name: endpoint.name.to_string(),
            source,
        })?;
        let resilience = endpoint.resilience.clone();
        Ok(Self {
            name: endpoint.name.clone(),
            targets,
            timeout: endpoint.timeout,
            http,
            slots: Arc::new(Semaphore::new(resilience.max_in_flight.max(1))),
            breaker: Arc::new(Breaker::new(resilience.breaker_failures, resilience.breaker_open_for)),
            in_flight: Arc::new(Mutex::new(HashMap::new())),
            attempts: Arc::new(AtomicU64::new(0)),
            resilience,
        })
    }

    /// The subgraph's name.
    pub fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// The request deadline.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Whether the circuit is open: requests are being refused at once.
    pub fn circuit_open(&self) -> bool {
        self.breaker.is_open()
    }

    /// POSTs a JSON `body`, with `headers` added to the defaults, and reads the whole reply within the deadline.
    /// `idempotent` (a query) allows retrying a broken exchange and sharing the request with identical fetches in
    /// flight; a mutation is only retried when its connection could not be opened, since then nothing was sent.
    pub async fn send(
        &self,
        body: Vec<u8>,
        headers: Option<&HeaderMap>,
        idempotent: bool,
    ) -> Result<SubgraphReply, TransportFailure> {
        let body = Bytes::from(body);
        if !(idempotent && self.resilience.deduplicate) {
            return self.guarded(body, headers, idempotent).await;
        }
        let key = fetch_key(&body, headers);
        let slot = Arc::clone(self.in_flight.lock().entry(key).or_default());
        // Leaves the map however this call ends (a cancelled request included), so no entry outlives its fetch.
        let _leave = LeaveOnDrop {
            in_flight: &self.in_flight,
            key,
            slot: &slot,
        };
        // The first caller runs the request with its own borrowed headers; callers arriving while it runs wait
        // for its reply. Should the first caller go away, the next waiter runs the request instead.
        slot.get_or_init(|| self.guarded(body, headers, true)).await.clone()
    }

    /// One logical request: a slot, the circuit, and the attempts its kind allows, all within the deadline.
    async fn guarded(
        &self,
        body: Bytes,
        headers: Option<&HeaderMap>,
        idempotent: bool,
    ) -> Result<SubgraphReply, TransportFailure> {
        let deadline = Instant::now() + self.timeout;
        let _slot = match tokio::time::timeout_at(deadline, self.slots.acquire()).await {
            Ok(Ok(permit)) => permit,
            // The semaphore is never closed; waiting out the deadline for a slot is a timeout.
            Ok(Err(_)) | Err(_) => return Err(TransportFailure::Timeout(self.timeout)),
        };
        let mut attempt = 0;
        loop {
            if !self.breaker.admit() {
                return Err(TransportFailure::CircuitOpen);
            }
            let result = self.exchange(body.clone(), headers, deadline).await;
            let failed = match &result {
                Ok(reply) => reply.status.is_server_error(),
                Err(_) => true,
            };
            self.breaker.record(!failed);
            let retryable = match &result {
                Err(TransportFailure::Connect(_)) => true,
                Err(TransportFailure::Exchange(_)) => idempotent,
                Ok(reply) => idempotent && is_transient(reply.status),
                Err(TransportFailure::Timeout(_) | TransportFailure::CircuitOpen | TransportFailure::NoInstance) => {
                    false
                }
            };
            if !retryable || attempt >= self.resilience.retries {
                return result;
            }
            let seed = xxhash_rust::xxh3::xxh3_64(&self.attempts.fetch_add(1, Ordering::Relaxed).to_le_bytes());
            let wait = self.resilience.backoff(attempt, seed);
            if Instant::now() + wait >= deadline {
                return result;
            }
            tracing::debug!(subgraph = %self.name, attempt, ?wait, "retrying a subgraph request");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One HTTP exchange, cut off at `deadline`.
    async fn exchange(
        &self,
        body: Bytes,
        headers: Option<&HeaderMap>,
        deadline: Instant,
    ) -> Result<SubgraphReply, TransportFailure> {
        let url = self.targets.pick().ok_or(TransportFailure::NoInstance)?;
        let mut request = self.http.post(url.clone()).body(body);
        // The fetch's own span becomes the subgraph's parent; a client's trace context is forwarded only when the
        // router traces nothing itself.
        let mut trace = HeaderMap::new();
        kernel::telemetry::propagation::inject_http(&mut trace);
        for (name, value) in headers.into_iter().flatten() {
            if !trace.contains_key(name) {
                request = request.header(name, value);
            }
        }
        for (name, value) in &trace {
            request = request.header(name, value);
        }
        let exchange = async {
            let response = request.send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>(SubgraphReply { status, body })
        };
        match tokio::time::timeout_at(deadline, exchange).await {
            Err(_elapsed) => Err(TransportFailure::Timeout(self.timeout)),
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(error)) if error.is_connect() => {
                // Set this instance aside, so the retry (safe: nothing was sent) goes to another one.
                self.targets.eject(&url);
                Err(TransportFailure::Connect(Arc::new(error)))
            }
            Ok(Err(error)) if error.is_timeout() => Err(TransportFailure::Timeout(self.timeout)),
            Ok(Err(error)) => Err(TransportFailure::Exchange(Arc::new(error))),
        }
    }
}

/// Removes a fetch's entry from the in-flight map when the call that joined it ends.
struct LeaveOnDrop<'a> {
    in_flight: &'a Mutex<HashMap<u64, SharedReply>>,
    key: u64,
    slot: &'a SharedReply,
}

impl Drop for LeaveOnDrop<'_> {
    fn drop(&mut self) {
        let mut in_flight = self.in_flight.lock();
        if in_flight
            .get(&self.key)
            .is_some_and(|current| Arc::ptr_eq(current, self.slot))
        {
            in_flight.remove(&self.key);
        }
    }
}

/// Statuses that say "try again": the subgraph or a proxy in front of it is briefly unable to answer.
fn is_transient(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
    )
}

/// Headers that name one request or trace rather than shape its answer; every client request carries its own,
/// so keying on them would keep identical fetches of different requests from ever sharing a reply.
const CORRELATION_HEADERS: [&str; 3] = ["x-request-id", "traceparent", "tracestate"];

/// Identifies a fetch by everything that can change its answer: the body and the headers sent with it, apart
/// from the correlation headers.
fn fetch_key(body: &[u8], headers: Option<&HeaderMap>) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(body);
    let shaping = headers
        .into_iter()
        .flatten()
        .filter(|(name, _)| !CORRELATION_HEADERS.contains(&name.as_str()));
    for (name, value) in shaping {
        hasher.update(&[0xFF]);
        hasher.update(name.as_str().as_bytes());
        hasher.update(&[0xFE]);
        hasher.update(value.as_bytes());
    }
    hasher.digest()
}

/// The clients of every subgraph, by name. Built once per supergraph (or configuration) and shared.
#[derive(Debug, Clone, Default)]
pub struct SubgraphClients {
    by_name: HashMap<Arc<str>, SubgraphClient>,
}

impl SubgraphClients {
    /// Builds one client per endpoint.
    pub fn new(endpoints: impl IntoIterator<Item = SubgraphEndpoint>) -> Result<Self, ExecuteError> {
        Self::with_targets(endpoints, |_| None)
    }

    /// Builds one client per endpoint, sending to the instances `targets` gives for a subgraph name, or to the
    /// endpoint's URL when it gives none.
    pub fn with_targets(
        endpoints: impl IntoIterator<Item = SubgraphEndpoint>,
        targets: impl Fn(&str) -> Option<Arc<Targets>>,
    ) -> Result<Self, ExecuteError> {
        let mut by_name = HashMap::new();
        for endpoint in endpoints {
            let client = match targets(&endpoint.name) {
                Some(targets) => SubgraphClient::with_targets(&endpoint, targets)?,
                None => SubgraphClient::new(&endpoint)?,
            };
            if by_name.insert(endpoint.name.clone(), client).is_some() {
                return Err(ExecuteError::DuplicateSubgraph {
                    name: endpoint.name.to_string(),
                });
            }
        }
        Ok(Self { by_name })
    }

    /// The client for the subgraph named `name`.
    pub fn get(&self, name: &str) -> Option<&SubgraphClient> {
        self.by_name.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_url_is_refused_with_the_subgraph_named() {
        let error = SubgraphClients::new([SubgraphEndpoint::new("a", "not a url", Duration::from_secs(1))])
            .expect_err("invalid URL");
        assert!(matches!(error, ExecuteError::InvalidUrl { ref name, .. } if name == "a"));
    }

    #[test]
    fn a_duplicate_name_is_refused() {
        let endpoint = SubgraphEndpoint::new("a", "http://127.0.0.1:1/graphql", Duration::from_secs(1));
        let error = SubgraphClients::new([endpoint.clone(), endpoint]).expect_err("duplicate");
        assert!(matches!(error, ExecuteError::DuplicateSubgraph { .. }));
    }
}
