//! The whole platform in one process: identity, authz, audit, blog and billing, each a task with its own
//! listeners, talking to each other only over HTTP and gRPC on loopback, and the router in front of them.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use audit::{AuditApp, RunningAudit};
use authz::{AuthzApp, RunningAuthz};
use billing::{BillingApp, RunningBilling};
use blog::{BlogApp, RunningBlog};
use identity::app::RunningIdentity;
use kernel::auth::VerifierConfig;
use kernel::server::ShutdownReport;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::banner;
use crate::client::GraphqlClient;
use crate::error::DevError;
use crate::options::DevConfig;
use crate::seed::{self, SeedReport};
use crate::services::{self, Wiring};

/// The running platform: every service and the router, until [`DevStack::stop`].
pub struct DevStack {
    running: Running,
    router: SocketAddr,
    data_dir: PathBuf,
    seeded: SeedReport,
}

/// The services started so far, so a failure half-way stops what is already up.
#[derive(Default)]
struct Running {
    identity: Option<RunningIdentity>,
    authz: Option<RunningAuthz>,
    audit: Option<RunningAudit>,
    blog: Option<RunningBlog>,
    billing: Option<RunningBilling>,
    router: Option<RunningGateway>,
}

struct RunningGateway {
    shutdown: CancellationToken,
    server: JoinHandle<ShutdownReport>,
}

impl DevStack {
    /// Builds and starts the stack `config` describes, seeds the demo data, and reports each step on `progress`.
    pub async fn start(config: &DevConfig, progress: &mut (dyn Write + Send)) -> Result<Self, DevError> {
        let data_dir = prepare_data_dir(&config.data_dir)?;
        banner::line(progress, &crate::backends::describe(config, &data_dir))?;
        let mut running = Running::default();
        match start_all(config, &data_dir, &mut running, progress).await {
            Ok((router, seeded)) => {
                let stack = Self {
                    running,
                    router,
                    data_dir,
                    seeded,
                };
                let ready = banner::ready(&stack.graphql_url());
                if let Err(error) = progress.write_all(ready.as_bytes()).and_then(|()| progress.flush()) {
                    stack.stop().await;
                    return Err(DevError::Output(error));
                }
                Ok(stack)
            }
            Err(error) => {
                running.stop().await;
                Err(error)
            }
        }
    }

    /// Where the router listens.
    pub fn router_addr(&self) -> SocketAddr {
        self.router
    }

    /// The GraphQL endpoint (and GraphiQL in a browser).
    pub fn graphql_url(&self) -> String {
        format!("http://{}{}", self.router, kernel::graphql::GRAPHQL_PATH)
    }

    /// The absolute data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// What seeding created at this start (nothing when the demo data was there already).
    pub fn seeded(&self) -> SeedReport {
        self.seeded
    }

    /// Serves until `signal` completes (Ctrl-C in the command), then stops everything.
    pub async fn run_until(self, signal: impl Future<Output = ()>) {
        signal.await;
        self.stop().await;
    }

    /// Stops the router first, so no new request comes in, then every service.
    pub async fn stop(self) {
        self.running.stop().await;
    }
}

impl Running {
    async fn stop(self) {
        if let Some(router) = self.router {
            router.shutdown.cancel();
            if let Err(error) = router.server.await {
                tracing::error!(%error, "the router task failed");
            }
        }
        let billing = async {
            if let Some(billing) = self.billing {
                billing.stop().await;
            }
        };
        let blog = async {
            if let Some(blog) = self.blog {
                blog.stop().await;
            }
        };
        let audit = async {
            if let Some(audit) = self.audit {
                audit.stop().await;
            }
        };
        tokio::join!(billing, blog, audit);
        if let Some(authz) = self.authz {
            authz.stop().await;
        }
        if let Some(identity) = self.identity
            && let Err(error) = identity.stop().await
        {
            tracing::error!(%error, "identity did not stop cleanly");
        }
    }
}

async fn start_all(
    config: &DevConfig,
    data_dir: &Path,
    running: &mut Running,
    progress: &mut (dyn Write + Send),
) -> Result<(SocketAddr, SeedReport), DevError> {
    let key = crate::keys::signing_key(data_dir)?;
    let authz_grpc = services::authz_grpc_addr(config).map_err(DevError::FreePort)?;
    let mut wiring = Wiring {
        authz_grpc,
        verifier: VerifierConfig::default(),
        audit_grpc: String::new(),
    };

    let identity = identity::bootstrap::from_config(services::identity(config, data_dir, key, &wiring))
        .await?
        .start(None)
        .await?;
    banner::service(progress, "identity", identity.http_addr, Some(identity.grpc_addr))?;
    wiring.verifier = VerifierConfig {
        jwks_url: identity.jwks_url(),
        ..VerifierConfig::default()
    };
    let identity_http = identity.http_addr;
    running.identity = Some(identity);

    let authz = AuthzApp::from_config(services::authz(config, data_dir, &wiring))
        .await?
        .start()
        .await?;
    banner::service(progress, "authz", authz.http_addr(), authz.grpc_addr())?;
    let authz_http = authz.http_addr();
    let roles = authz.manager().clone();
    running.authz = Some(authz);

    let audit = AuditApp::from_config(services::audit(config, data_dir, &wiring))
        .await?
        .start()
        .await?;
    banner::service(progress, "audit", audit.http_addr(), audit.grpc_addr())?;
    let audit_grpc = audit.grpc_addr().ok_or(DevError::NoGrpc("audit"))?;
    wiring.audit_grpc = format!("http://{audit_grpc}");
    let audit_http = audit.http_addr();
    running.audit = Some(audit);

    let blog = BlogApp::from_config(services::blog(config, data_dir, &wiring))
        .await?
        .start()
        .await?;
    banner::service(progress, "blog", blog.http_addr(), blog.grpc_addr())?;
    let blog_http = blog.http_addr();
    running.blog = Some(blog);

    let billing = BillingApp::from_config(services::billing(config, data_dir, &wiring))
        .await?
        .start()
        .await?;
    banner::service(progress, "billing", billing.http_addr(), billing.grpc_addr())?;
    let billing_http = billing.http_addr();
    running.billing = Some(billing);

    let supergraph = crate::gateway::write_supergraph(data_dir)?;
    let subgraphs = [
        ("identity", identity_http),
        ("authz", authz_http),
        ("audit", audit_http),
        ("blog", blog_http),
        ("billing", billing_http),
    ];
    let router_config = crate::gateway::router_config(config, supergraph, &subgraphs, wiring.verifier.clone());
    let router = router::gateway::start(router_config, None).await?;
    let router_addr = router.server.http_addr();
    let shutdown = router.server.shutdown_token();
    let server = tokio::spawn(router.server.run_until(std::future::pending()));
    running.router = Some(RunningGateway { shutdown, server });
    banner::service(progress, "router", router_addr, None)?;

    let client = GraphqlClient::new(format!("http://{router_addr}{}", kernel::graphql::GRAPHQL_PATH));
    let seeded = seed::seed(&client, &roles, data_dir).await?;
    banner::seeded(progress, seeded)?;
    Ok((router_addr, seeded))
}

/// Creates the data folder when missing and returns its absolute path.
fn prepare_data_dir(dir: &Path) -> Result<PathBuf, DevError> {
    let io = |source| DevError::Io {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    std::path::absolute(dir).map_err(io)
}
