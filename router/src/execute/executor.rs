//! The executor: runs a query plan against the subgraphs and returns the merged data and errors.
//!
//! One run owns the response data outright, so nothing is locked. Plan nodes are started by a small scheduler:
//! a fetch's request body is built from the data when the fetch starts, its network exchange runs concurrently
//! with every other fetch in flight, and its reply is merged into the data by the scheduler when it arrives, after
//! which the fetch's parent advances (the next step of a sequence, or the end of a parallel block). Branches of a
//! parallel block are therefore truly concurrent, including sequences inside them.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::response::value::{Map, Value};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use http::HeaderMap;
use kernel::error_code::ErrorCode;
use tracing::Instrument;

use super::client::{SubgraphClients, SubgraphReply, TransportFailure};
use super::fetch::{Context, Job};
use super::reply::fetch_failed;
use crate::plan::model::{FetchNode, PlanNode, QueryPlan, ResponsePath};
use crate::response::{GraphQLError, SchemaIndex};
use crate::telemetry::RouterMetrics;

/// Runs query plans. Cheap to clone; shared by every request against one supergraph.
#[derive(Debug, Clone)]
pub struct Executor {
    clients: Arc<SubgraphClients>,
    schema: Arc<SchemaIndex>,
    metrics: Option<RouterMetrics>,
}

/// What one execution reads from the client's request.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExecutionRequest<'a> {
    /// The request's variables, already coerced (defaults applied); fetches forward the ones they use, and
    /// condition nodes read their booleans.
    pub variables: Option<&'a serde_json::Map<String, serde_json::Value>>,
    /// Headers added to every subgraph request (trace context, forwarded client headers).
    pub headers: Option<&'a HeaderMap>,
}

/// The merged data of every fetch, and every error met on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionOutput {
    /// The response data, always an object; what a failed fetch would have supplied is absent.
    pub data: Value,
    /// Subgraph errors (re-pathed into the client's response) and fetch failures, in plan order.
    pub errors: Vec<GraphQLError>,
}

impl Executor {
    /// An executor sending requests through `clients`, with `schema` for type conditions.
    pub fn new(clients: Arc<SubgraphClients>, schema: Arc<SchemaIndex>) -> Self {
        Self {
            clients,
            schema,
            metrics: None,
        }
    }

    /// The same executor recording every fetch in `metrics`.
    pub fn with_metrics(mut self, metrics: RouterMetrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Runs `plan`. Never fails and never panics on subgraph output: failures become errors in the output.
    pub async fn execute(&self, plan: &QueryPlan, request: ExecutionRequest<'_>) -> ExecutionOutput {
        let mut run = Run {
            executor: self,
            request,
            data: Value::Object(Map::new()),
            errors: Vec::new(),
            frames: Vec::new(),
            in_flight: FuturesUnordered::new(),
        };
        if let Some(root) = &plan.root {
            run.start(root, None);
            while let Some(finished) = run.in_flight.next().await {
                run.finish(finished);
            }
        }
        // Completion order varies between runs; plan order does not.
        run.errors.sort_by_key(|(fetch_id, _)| *fetch_id);
        ExecutionOutput {
            data: run.data,
            errors: run.errors.into_iter().map(|(_, error)| error).collect(),
        }
    }
}

/// A block waiting for its children.
enum Frame<'p> {
    Sequence {
        nodes: &'p [PlanNode],
        next: usize,
        parent: Option<usize>,
    },
    Parallel {
        remaining: usize,
        parent: Option<usize>,
    },
}

/// A fetch whose exchange is over.
struct Finished<'p> {
    parent: Option<usize>,
    fetch_id: i64,
    job: Job<'p>,
    reply: Result<SubgraphReply, TransportFailure>,
}

type InFlight<'a> = Pin<Box<dyn Future<Output = Finished<'a>> + Send + 'a>>;

struct Run<'a> {
    executor: &'a Executor,
    request: ExecutionRequest<'a>,
    data: Value,
    errors: Vec<(i64, GraphQLError)>,
    frames: Vec<Frame<'a>>,
    in_flight: FuturesUnordered<InFlight<'a>>,
}

impl<'a> Run<'a> {
    fn context(&self) -> Context<'a> {
        Context {
            schema: &self.executor.schema,
            variables: self.request.variables,
        }
    }

    /// Starts `node`; when it is done (now, or once its fetches are merged) `parent` advances.
    fn start(&mut self, node: &'a PlanNode, parent: Option<usize>) {
        match node {
            PlanNode::Fetch(fetch) if fetch.requires.is_some() => {
                self.start_entities(fetch, &ROOT_PATH, parent);
            }
            PlanNode::Fetch(fetch) => {
                let (job, body) = Job::root(fetch, &self.context());
                self.send(job, body, fetch.id, parent);
            }
            PlanNode::Flatten(flatten) => match &*flatten.node {
                PlanNode::Fetch(fetch) => self.start_entities(fetch, &flatten.path, parent),
                other => self.start(other, parent),
            },
            PlanNode::BatchFetch(batch) => match Job::batch(batch, &self.data, &self.context()) {
                Some((job, body)) => self.send(job, body, batch.id, parent),
                None => self.complete(parent),
            },
            PlanNode::Sequence(nodes) => match nodes.first() {
                None => self.complete(parent),
                Some(first) => {
                    let frame = self.push_frame(Frame::Sequence { nodes, next: 0, parent });
                    self.start(first, Some(frame));
                }
            },
            PlanNode::Parallel(nodes) if nodes.is_empty() => self.complete(parent),
            PlanNode::Parallel(nodes) => {
                let frame = self.push_frame(Frame::Parallel {
                    remaining: nodes.len(),
                    parent,
                });
                for child in nodes {
                    self.start(child, Some(frame));
                }
            }
            PlanNode::Condition(condition) => {
                let holds = self
                    .request
                    .variables
                    .and_then(|variables| variables.get(&*condition.variable))
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false);
                let branch = if holds {
                    &condition.if_clause
                } else {
                    &condition.else_clause
                };
                match branch {
                    Some(branch) => self.start(branch, parent),
                    None => self.complete(parent),
                }
            }
        }
    }

    fn start_entities(&mut self, fetch: &'a FetchNode, path: &ResponsePath, parent: Option<usize>) {
        match Job::entities(fetch, path, &self.data, &self.context()) {
            Some((job, body)) => self.send(job, body, fetch.id, parent),
            None => self.complete(parent),
        }
    }

    fn push_frame(&mut self, frame: Frame<'a>) -> usize {
        self.frames.push(frame);
        self.frames.len() - 1
    }

    /// Puts a fetch's exchange in flight.
    fn send(&mut self, job: Job<'a>, body: Vec<u8>, fetch_id: i64, parent: Option<usize>) {
        let subgraph = job.subgraph();
        let Some(client) = self.executor.clients.get(subgraph) else {
            let error = fetch_failed(
                subgraph,
                "no client is configured for it",
                ErrorCode::SubgraphRequestFailed,
            );
            self.errors.push((fetch_id, error));
            self.complete(parent);
            return;
        };
        let headers = self.request.headers;
        let idempotent = job.is_query();
        let metrics = self.executor.metrics.as_ref();
        let span = tracing::info_span!("fetch", subgraph = %subgraph, otel.kind = "client");
        self.in_flight.push(Box::pin(async move {
            let started = std::time::Instant::now();
            let reply = client.send(body, headers, idempotent).instrument(span).await;
            if let Some(metrics) = metrics {
                metrics.fetch(client.name(), fetch_outcome(&reply), started.elapsed());
            }
            Finished {
                parent,
                fetch_id,
                job,
                reply,
            }
        }));
    }

    /// Merges a finished fetch and advances its parent.
    fn finish(&mut self, finished: Finished<'a>) {
        let mut errors = Vec::new();
        finished
            .job
            .finish(finished.reply, &mut self.data, &mut errors, &self.executor.schema);
        self.errors
            .extend(errors.into_iter().map(|error| (finished.fetch_id, error)));
        self.complete(finished.parent);
    }

    /// One child of `frame` is done.
    fn complete(&mut self, frame: Option<usize>) {
        let Some(index) = frame else {
            return;
        };
        let next = match &mut self.frames[index] {
            Frame::Sequence { nodes, next, parent } => {
                *next += 1;
                let nodes: &'a [PlanNode] = nodes;
                nodes.get(*next).ok_or(*parent)
            }
            Frame::Parallel { remaining, parent } => {
                *remaining -= 1;
                if *remaining > 0 {
                    return;
                }
                Err(*parent)
            }
        };
        match next {
            Ok(node) => self.start(node, Some(index)),
            Err(parent) => self.complete(parent),
        }
    }
}

/// How a fetch ended, as the fetch metric labels it.
fn fetch_outcome(reply: &Result<SubgraphReply, TransportFailure>) -> &'static str {
    match reply {
        Ok(reply) if reply.status.is_success() => "ok",
        Ok(reply) if reply.status.is_server_error() => "status_5xx",
        Ok(_) => "status_other",
        Err(TransportFailure::Timeout(_)) => "timeout",
        Err(TransportFailure::Connect(_)) => "connect",
        Err(TransportFailure::Exchange(_)) => "exchange",
        Err(TransportFailure::CircuitOpen) => "circuit_open",
        Err(TransportFailure::NoInstance) => "no_instance",
    }
}

static ROOT_PATH: ResponsePath = ResponsePath(Vec::new());
