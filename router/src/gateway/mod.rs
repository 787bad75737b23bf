//! The assembled router: the supergraph, the pipeline over it, and the HTTP server in front, with the supergraph
//! file watched and swapped without dropping in-flight requests.

mod discovery;
mod headers;
mod stage;
mod watch;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use kernel::registry::ServiceRegistry;
use kernel::server::{BoundServer, Server};

use crate::auth::{AuthConfigError, Authenticator};
use crate::config::RouterConfig;
use crate::execute::{Executor, SubgraphClients};
use crate::http::persisted::{PersistedConfigError, PersistedQueries};
use crate::http::{
    self, GraphQLHandler, GraphQLRequest, GraphQLResponse, HttpOptions, OperationPipeline, RequestContext,
};
use crate::operation::{OperationPolicy, OperationSchema};
use crate::plan::{QueryPlanner, SharedPlans};
use crate::rate_limit::{RateLimitError, RateLimiter};
use crate::response::SchemaIndex;
use crate::supergraph::Supergraph;
use crate::telemetry::RouterMetrics;

pub use discovery::Discovery;
pub use headers::{HeaderRules, HeaderRulesError};
pub use stage::{FederatedStage, PlannedEntry};

/// The pipeline for one supergraph.
pub type Pipeline = OperationPipeline<FederatedStage>;

/// Why the router could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// No supergraph path was configured.
    #[error("no supergraph: pass --supergraph PATH or set supergraph.path")]
    NoSupergraph,
    /// The supergraph file is unreadable, malformed or not Federation v2.
    #[error("supergraph {path}: {source}")]
    Supergraph {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: crate::supergraph::SupergraphError,
    },
    /// The API schema could not be indexed for validation.
    #[error("API schema: {0}")]
    Schema(String),
    /// The subgraph clients could not be built.
    #[error("subgraph clients: {0}")]
    Clients(#[from] crate::execute::ExecuteError),
    /// The HTTP server could not start.
    #[error(transparent)]
    Server(#[from] kernel::server::ServerError),
    /// The HTTP sections of the configuration (`[cors]`, `[csrf]`) are invalid.
    #[error(transparent)]
    Http(#[from] http::HttpConfigError),
    /// The `[persisted_queries]` section is invalid.
    #[error(transparent)]
    Persisted(#[from] PersistedConfigError),
    /// The `[auth]` section is invalid.
    #[error(transparent)]
    Auth(#[from] AuthConfigError),
    /// The `[headers]` section is invalid.
    #[error(transparent)]
    Headers(#[from] HeaderRulesError),
    /// The service registry could not be reached or refused a lookup.
    #[error("discovery: {0}")]
    Discovery(#[from] kernel::registry::RegistryError),
    /// The shared plan store (`planner.shared_cache`) could not be reached.
    #[error("planner.shared_cache: {0}")]
    SharedPlans(kernel::cache::CacheError),
    /// The `[rate_limit]` section is invalid.
    #[error(transparent)]
    RateLimit(#[from] RateLimitError),
}

/// What a pipeline is built with besides the configuration and the supergraph; everything is optional.
#[derive(Debug, Clone, Default)]
pub struct PipelineExtras {
    /// Subgraph instances from the service registry.
    pub discovery: Option<Discovery>,
    /// Where fetches, cache lookups and plans are counted.
    pub metrics: Option<RouterMetrics>,
    /// The plan tier shared by router replicas.
    pub shared_plans: Option<SharedPlans>,
}

/// Builds the whole pipeline for the supergraph at `path`.
pub fn build_pipeline(config: &RouterConfig, path: &Path) -> Result<Pipeline, GatewayError> {
    build_pipeline_with(config, path, &PipelineExtras::default())
}

/// Builds the whole pipeline for the supergraph at `path`, with `extras`.
pub fn build_pipeline_with(
    config: &RouterConfig,
    path: &Path,
    extras: &PipelineExtras,
) -> Result<Pipeline, GatewayError> {
    let supergraph = load_supergraph(config, path)?;
    pipeline_with(config, Arc::new(supergraph), extras)
}

fn load_supergraph(config: &RouterConfig, path: &Path) -> Result<Supergraph, GatewayError> {
    Supergraph::load(path, &config.subgraphs.url_overrides()).map_err(|source| GatewayError::Supergraph {
        path: path.to_path_buf(),
        source,
    })
}

/// Builds the pipeline for an already loaded supergraph, sending to the subgraphs' URLs.
pub fn pipeline_for(config: &RouterConfig, supergraph: Arc<Supergraph>) -> Result<Pipeline, GatewayError> {
    pipeline_with(config, supergraph, &PipelineExtras::default())
}

/// Builds the pipeline for an already loaded supergraph, with `extras`.
pub fn pipeline_with(
    config: &RouterConfig,
    supergraph: Arc<Supergraph>,
    extras: &PipelineExtras,
) -> Result<Pipeline, GatewayError> {
    let discovery = extras.discovery.as_ref();
    let metrics = extras.metrics.as_ref();
    let schema = OperationSchema::new(Arc::clone(supergraph.api_schema().document()))
        .map_err(|error| GatewayError::Schema(error.to_string()))?;
    let endpoints = supergraph
        .subgraphs()
        .iter()
        .map(|subgraph| config.subgraphs.endpoint(Arc::clone(&subgraph.name), &subgraph.url));
    let clients = Arc::new(SubgraphClients::with_targets(endpoints, |name| {
        discovery.and_then(|discovery| discovery.targets(name))
    })?);
    let index = Arc::new(SchemaIndex::from_supergraph(&supergraph.planner().supergraph));
    let mut planner = QueryPlanner::new(Arc::clone(&supergraph), &config.planner);
    if let Some(shared) = &extras.shared_plans {
        planner = planner.with_shared_plans(shared.clone());
    }
    if let Some(metrics) = metrics {
        planner = planner.with_metrics(metrics.clone());
    }
    let mut header_rules = HeaderRules::from_config(&config.headers)?;
    if config.auth.enabled {
        header_rules = header_rules.with_claim_headers(config.auth.forward_claims.values())?;
    }
    let mut executor = Executor::new(clients, Arc::clone(&index));
    if let Some(metrics) = metrics {
        executor = executor.with_metrics(metrics.clone());
    }
    let stage = FederatedStage::new(planner, executor, index)
        .with_header_rules(header_rules)
        .with_policies(config.auth.policies.clone());
    let pipeline = OperationPipeline::new(
        Arc::new(schema),
        OperationPolicy::from_config(config),
        crate::cache::DEFAULT_CAPACITY,
        stage,
    );
    Ok(match metrics {
        Some(metrics) => pipeline.with_metrics(metrics.clone()),
        None => pipeline,
    })
}

/// The handler the HTTP edge calls: the current pipeline, swapped whole when the supergraph changes. A request
/// keeps the pipeline it started with until it completes.
pub struct Gateway {
    current: ArcSwap<Pipeline>,
    authenticator: Option<Authenticator>,
    persisted: Option<PersistedQueries>,
    limiter: Option<RateLimiter>,
    metrics: Option<RouterMetrics>,
}

impl Gateway {
    /// A gateway serving `pipeline`, trusting the subgraphs to verify tokens.
    pub fn new(pipeline: Pipeline) -> Self {
        Self {
            current: ArcSwap::from_pointee(pipeline),
            authenticator: None,
            persisted: None,
            limiter: None,
            metrics: None,
        }
    }

    /// The same gateway recording every request in `metrics`.
    pub fn with_metrics(mut self, metrics: RouterMetrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// The same gateway resolving persisted-query references with `persisted`.
    pub fn with_persisted_queries(mut self, persisted: PersistedQueries) -> Self {
        self.persisted = Some(persisted);
        self
    }

    /// The same gateway verifying every request's token with `authenticator` before anything else.
    pub fn with_authenticator(mut self, authenticator: Authenticator) -> Self {
        self.authenticator = Some(authenticator);
        self
    }

    /// The same gateway admitting requests through `limiter`, after authentication.
    pub fn with_rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Replaces the pipeline; requests already running finish on the old one.
    pub fn swap(&self, pipeline: Pipeline) {
        self.current.store(Arc::new(pipeline));
    }

    /// The pipeline new requests use.
    pub fn current(&self) -> Arc<Pipeline> {
        self.current.load_full()
    }
}

#[async_trait::async_trait]
impl GraphQLHandler for Gateway {
    async fn execute(&self, request: GraphQLRequest, context: RequestContext) -> GraphQLResponse {
        let started = std::time::Instant::now();
        let operation = request.operation_name.clone();
        // A header value clone shares its bytes: nothing is copied for the log line.
        let request_id = context.headers.get(&crate::http::request_id::X_REQUEST_ID).cloned();
        let peer = context.peer;
        let response = self.answer(request, context).await;
        let code = crate::telemetry::response_code(&response.body);
        let elapsed = started.elapsed();
        if let Some(metrics) = &self.metrics {
            metrics.request(operation.as_deref(), &code, elapsed);
        }
        // The access log: who, what, how it ended, how long. Never headers, variables or documents.
        tracing::info!(
            target: "router::access",
            request_id = request_id.as_ref().and_then(|id| id.to_str().ok()).unwrap_or(""),
            operation = operation.as_deref().unwrap_or(""),
            status = response.status.as_u16(),
            code = %code,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            client = ?peer.map(|peer| peer.ip()),
            "request"
        );
        response
    }
}

impl Gateway {
    /// Everything between the edge and the response: authentication, rate limits, persisted queries, the
    /// pipeline.
    async fn answer(&self, mut request: GraphQLRequest, mut context: RequestContext) -> GraphQLResponse {
        if let Some(authenticator) = &self.authenticator {
            match authenticator.authenticate(&mut context.headers).await {
                Ok(authenticated) => context.claims = authenticated.map(|authenticated| authenticated.claims),
                // A refused token is refused whatever the negotiated format: 401 (or 503 without keys).
                Err(error) => return GraphQLResponse::errors(error.extensions.code.http_status(), &[error]),
            }
        }
        // After authentication, so a verified subject counts as itself; before anything that costs work.
        if let Some(limiter) = &self.limiter
            && let Err(refused) = limiter.admit(&context).await
        {
            return refused;
        }
        if let Some(persisted) = &self.persisted
            && let Err(error) = persisted.resolve(&mut request).await
        {
            return GraphQLResponse::error(error, context.format);
        }
        let pipeline = self.current.load_full();
        pipeline.execute(request, context).await
    }
}

/// A router bound to its listener, not yet serving.
pub struct RunningRouter {
    /// The bound HTTP server.
    pub server: BoundServer,
    /// The handler, for swapping supergraphs by hand.
    pub gateway: Arc<Gateway>,
}

/// Loads the supergraph, assembles the pipeline and binds the HTTP listener (port 0 allowed). When the config
/// names a watch interval, the supergraph file is polled and valid changes are swapped in. With
/// `[discovery] enabled`, subgraph instances come from the configured registry.
pub async fn start(
    config: RouterConfig,
    telemetry: Option<kernel::telemetry::TelemetryGuard>,
) -> Result<RunningRouter, GatewayError> {
    let registry = if config.discovery.enabled {
        Some(kernel::registry::connect(&config.discovery.registry).await?)
    } else {
        None
    };
    start_with_registry(config, telemetry, registry).await
}

/// Like [`start`], finding subgraph instances in `registry` (when given) rather than the configured one.
pub async fn start_with_registry(
    config: RouterConfig,
    telemetry: Option<kernel::telemetry::TelemetryGuard>,
    registry: Option<Arc<dyn ServiceRegistry>>,
) -> Result<RunningRouter, GatewayError> {
    let path = config.supergraph.path.clone().ok_or(GatewayError::NoSupergraph)?;
    let supergraph = Arc::new(load_supergraph(&config, &path)?);
    // Watches end with the server: the token is cancelled when its shutdown begins (below).
    let stop_watching = tokio_util::sync::CancellationToken::new();
    let discovery = match registry {
        Some(registry) => Some(Discovery::start(&config.discovery, registry, &supergraph, &stop_watching).await?),
        None => None,
    };
    let metrics = kernel::telemetry::Metrics::new();
    let router_metrics = RouterMetrics::register(&metrics);
    let shared_plans = match &config.planner.shared_cache {
        Some(cache) => {
            let store = kernel::cache::connect(cache).await.map_err(GatewayError::SharedPlans)?;
            let ttl = std::time::Duration::from_secs(config.planner.shared_cache_ttl_secs.max(1));
            Some(SharedPlans::new(store, ttl))
        }
        None => None,
    };
    let extras = PipelineExtras {
        discovery,
        metrics: Some(router_metrics.clone()),
        shared_plans,
    };
    let pipeline = pipeline_with(&config, supergraph, &extras)?;
    let persisted = PersistedQueries::from_config(&config.persisted_queries).await?;
    let mut gateway = Gateway::new(pipeline)
        .with_persisted_queries(persisted)
        .with_metrics(router_metrics.clone());
    if let Some(limiter) = RateLimiter::from_config(&config.rate_limit)? {
        gateway = gateway.with_rate_limiter(limiter);
    }
    let authenticator = if config.auth.enabled {
        let authenticator = Authenticator::from_config(&config.auth)?;
        gateway = gateway.with_authenticator(authenticator.clone());
        Some(authenticator)
    } else {
        None
    };
    let gateway = Arc::new(gateway);
    let routes = http::router(
        Arc::clone(&gateway) as Arc<dyn GraphQLHandler>,
        HttpOptions::from_config(&config)?,
    );
    let mut builder = Server::builder(config.listen.clone()).http(routes).metrics(metrics);
    if let Some(telemetry) = telemetry {
        builder = builder.telemetry(telemetry);
    }
    let server = builder.bind().await?;
    if let Some(authenticator) = authenticator {
        authenticator.spawn_refresh(&server.shutdown_token());
    }
    let shutdown = server.shutdown_token();
    tokio::spawn(async move {
        shutdown.cancelled().await;
        stop_watching.cancel();
    });
    watch::spawn(Arc::clone(&gateway), config, path, extras, server.shutdown_token());
    Ok(RunningRouter { server, gateway })
}
