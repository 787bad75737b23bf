//! The platform as it runs in production, on one machine: identity, authz, audit, blog, billing and the router,
//! each its own OS process started from its built binary with a TOML config written into the run folder, on
//! loopback ports chosen up front, over the run's PostgreSQL database (a schema per service), Redis (keys under
//! the run's namespace) and Kafka (consumer groups under the run's namespace).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::SoakError;
use crate::process::{Liveness, ManagedProcess, free_ports};

/// The five services, in the order they are reported.
pub const SERVICES: [&str; 5] = ["identity", "authz", "audit", "blog", "billing"];

/// How long a process may take to answer `/readyz` (a debug build on a busy machine, a broker's group join).
const READY_TIMEOUT: Duration = Duration::from_secs(180);
/// How long a stopping process may drain before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// How the stack is built and configured.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Where the `identity`, `authz`, `audit`, `blog`, `billing` and `router` binaries are.
    pub bin_dir: PathBuf,
    /// Every process's log filter (`warn` keeps per-request logging out of the measurement).
    pub log_level: String,
    /// argon2id at its cheapest (64 KiB, one pass) instead of the production cost, for debug builds, where a
    /// production-cost hash takes seconds. Only seeding signs in; the load itself never hashes a password.
    pub cheap_passwords: bool,
    /// The supergraph the router serves; the committed `schema/supergraph.graphql` when not given.
    pub supergraph: Option<PathBuf>,
}

/// Where the backends of this run are, and its namespace.
#[derive(Debug, Clone)]
pub struct Backing {
    /// The run's database, as services connect to it.
    pub database_url: String,
    /// Redis.
    pub redis_url: String,
    /// Kafka bootstrap servers.
    pub kafka_brokers: String,
    /// Prefix of Redis keys and consumer groups (`soak_<id>`).
    pub namespace: String,
}

/// The running stack.
#[derive(Debug)]
pub struct Stack {
    processes: Vec<ManagedProcess>,
    router_url: String,
    authz_config: PathBuf,
    authz_bin: PathBuf,
}

/// The loopback ports of one service.
#[derive(Debug, Clone, Copy)]
struct Ports {
    http: u16,
    grpc: u16,
}

impl Stack {
    /// Writes every config into `dir`, starts identity, then the other four services, then the router, each
    /// batch once the one before answers `/readyz`.
    pub async fn start(options: &StackOptions, backing: &Backing, dir: &Path) -> Result<Self, SoakError> {
        let binaries = locate_binaries(&options.bin_dir)?;
        let ports = free_ports(2 * SERVICES.len() + 1)?;
        let service_ports: Vec<Ports> = ports
            .chunks(2)
            .take(SERVICES.len())
            .map(|pair| Ports {
                http: pair[0],
                grpc: pair[1],
            })
            .collect();
        let router_port = ports[2 * SERVICES.len()];
        let configs = ServiceConfigs {
            options,
            backing,
            ports: &service_ports,
        };
        let mut processes: Vec<ManagedProcess> = Vec::new();
        // identity first: the others fetch its JWKS when they start, and a verifier that found no keys then
        // refetches for an unknown key only after `jwks_min_refresh_secs`, refusing identity's own service token
        // (and so every sign-in) until then. The other four start together.
        for batch in [0..1, 1..SERVICES.len()] {
            for index in batch.clone() {
                let service = SERVICES[index];
                let path = dir.join(format!("{service}.toml"));
                write(&path, &configs.render(index))?;
                let config = path.display().to_string();
                processes.push(ManagedProcess::spawn(
                    service,
                    &binaries[index],
                    &["serve", "--config", &config],
                    dir,
                    &[],
                )?);
            }
            for index in batch {
                wait_until_ready(&mut processes[index], service_ports[index].http).await?;
            }
        }

        let supergraph = dir.join("supergraph.graphql");
        match &options.supergraph {
            Some(path) => {
                std::fs::copy(path, &supergraph).map_err(SoakError::io(format!("copy {}", path.display())))?;
            }
            None => write(&supergraph, COMMITTED_SUPERGRAPH)?,
        }
        let path = dir.join("router.toml");
        write(&path, &configs.router(router_port, &supergraph))?;
        let config = path.display().to_string();
        let mut router = ManagedProcess::spawn(
            "router",
            &binaries[SERVICES.len()],
            &["serve", "--config", &config],
            dir,
            &[],
        )?;
        wait_until_ready(&mut router, router_port).await?;
        processes.push(router);
        Ok(Self {
            processes,
            router_url: format!("http://127.0.0.1:{router_port}/graphql"),
            authz_config: dir.join("authz.toml"),
            authz_bin: binaries[1].clone(),
        })
    }

    /// The router's GraphQL endpoint.
    pub fn router_url(&self) -> &str {
        &self.router_url
    }

    /// The six processes: the five services, then the router.
    pub fn processes(&self) -> &[ManagedProcess] {
        &self.processes
    }

    /// The six processes, to check whether they still run.
    pub fn processes_mut(&mut self) -> &mut [ManagedProcess] {
        &mut self.processes
    }

    /// Binds `role` to `subject` with `authz bind-role`, as an operator makes the first administrator.
    pub async fn bind_role_offline(&self, subject: &str, role: &str) -> Result<(), SoakError> {
        let mut command = Command::new(&self.authz_bin);
        command
            .args(["bind-role", "--config"])
            .arg(&self.authz_config)
            .args(["--subject", subject, "--role", role])
            .stdin(Stdio::null());
        for variable in crate::process::inherited_overrides() {
            command.env_remove(variable);
        }
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .map_err(|error| SoakError::Seed {
                step: "authz bind-role".to_owned(),
                detail: error.to_string(),
            })?
            .map_err(SoakError::io("run authz bind-role"))?;
        if output.status.success() {
            return Ok(());
        }
        Err(SoakError::Seed {
            step: format!("authz bind-role {role}"),
            detail: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        })
    }

    /// Stops the router, then the services; returns how each ended.
    pub async fn stop(self) -> Vec<(String, String)> {
        let mut ended = Vec::new();
        for process in self.processes.into_iter().rev() {
            let name = process.name().to_owned();
            ended.push((name, process.stop(STOP_GRACE).await));
        }
        ended.reverse();
        ended
    }
}

/// The committed supergraph, built into the harness so a run does not depend on its working directory.
const COMMITTED_SUPERGRAPH: &str = include_str!("../../../schema/supergraph.graphql");

fn locate_binaries(bin_dir: &Path) -> Result<Vec<PathBuf>, SoakError> {
    SERVICES
        .iter()
        .chain(&["router"])
        .map(|name| {
            let path = bin_dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(SoakError::MissingBinary {
                    name: (*name).to_owned(),
                    path,
                })
            }
        })
        .collect()
}

fn write(path: &Path, text: &str) -> Result<(), SoakError> {
    std::fs::write(path, text).map_err(SoakError::io(format!("write {}", path.display())))
}

/// Polls `GET /readyz` on `port` until it answers 200, failing early if the process exits.
async fn wait_until_ready(process: &mut ManagedProcess, port: u16) -> Result<(), SoakError> {
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/readyz");
    let deadline = Instant::now() + READY_TIMEOUT;
    let mut last = String::from("no answer yet");
    loop {
        if let Liveness::Exited(how) = process.liveness() {
            return Err(not_ready(process, format!("it {how}")));
        }
        if Instant::now() > deadline {
            return Err(not_ready(
                process,
                format!("no 200 from {url} in {}s; last: {last}", READY_TIMEOUT.as_secs()),
            ));
        }
        match client.get(&url).timeout(Duration::from_secs(5)).send().await {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => {
                let status = response.status();
                last = format!("{status} {}", response.text().await.unwrap_or_default());
            }
            Err(error) => last = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn not_ready(process: &ManagedProcess, reason: String) -> SoakError {
    SoakError::NotReady {
        name: process.name().to_owned(),
        reason,
        log: process.log().display().to_string(),
        tail: process.log_tail(30),
    }
}

/// A TOML basic string: JSON's string syntax is a subset of it.
fn quoted(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// Renders every process's config from the run's ports and backends.
struct ServiceConfigs<'a> {
    options: &'a StackOptions,
    backing: &'a Backing,
    ports: &'a [Ports],
}

impl ServiceConfigs<'_> {
    fn port_of(&self, service: &str) -> Ports {
        let index = SERVICES.iter().position(|name| *name == service).unwrap_or(0);
        self.ports[index]
    }

    fn identity_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port_of("identity").http)
    }

    fn grpc_url(&self, service: &str) -> String {
        quoted(&format!("http://127.0.0.1:{}", self.port_of(service).grpc))
    }

    fn render(&self, index: usize) -> String {
        let service = SERVICES[index];
        let Ports { http, grpc } = self.ports[index];
        let backing = self.backing;
        // A section given in the file starts from its fields' own defaults, not the service's (`schema` would be
        // none), so every key the service's defaults set and the run needs is written out.
        let mut text = format!(
            "# {service} for one soak run; written by platform-soak.\n\
             [server]\nhttp_addr = \"127.0.0.1:{http}\"\ngrpc_addr = \"127.0.0.1:{grpc}\"\nshutdown_grace_ms = 2000\n\n\
             [telemetry]\nlog_level = {log_level}\n\n\
             [database]\nurl = {database}\nschema = \"{service}\"\n\n\
             [events]\nbackend = \"kafka\"\n\n\
             [events.kafka]\nbrokers = {brokers}\nclient_id = \"{service}\"\n\n",
            log_level = quoted(&self.options.log_level),
            database = quoted(&backing.database_url),
            brokers = quoted(&backing.kafka_brokers),
        );
        let redis_cache = format!(
            "[cache]\nbackend = \"redis\"\nurl = {url}\nkey_prefix = {prefix}\n\n",
            url = quoted(&backing.redis_url),
            prefix = quoted(&format!("{}:{service}", backing.namespace)),
        );
        let verifier = format!(
            "[verifier]\njwks_url = {jwks}\nissuer = {issuer}\n\n",
            jwks = quoted(&format!("{}/.well-known/jwks.json", self.identity_url())),
            issuer = quoted(&self.identity_url()),
        );
        let group = |name: &str| quoted(&format!("{}-{name}", backing.namespace));
        match service {
            "identity" => {
                text += &redis_cache;
                text += &format!(
                    "[tokens.issuer]\nissuer = {issuer}\n\n\
                     # Every client of the harness shares one address.\n\
                     [sign_in_limits]\nper_address = 1000000\n\n\
                     [authz]\naddress = {authz}\n\n",
                    issuer = quoted(&self.identity_url()),
                    authz = self.grpc_url("authz"),
                );
                if self.options.cheap_passwords {
                    text += "[passwords.argon2]\nmemory_kib = 64\niterations = 1\n";
                }
            }
            "authz" => {
                text += &redis_cache;
                text += &verifier;
                text += &format!("[onboarding]\ngroup = {}\n", group("authz-onboarding"));
            }
            "audit" => {
                text += &verifier;
                text += &format!(
                    "[consumer]\ngroup = {}\n\n[authz]\naddress = {}\n",
                    group("audit"),
                    self.grpc_url("authz")
                );
            }
            _ => {
                text += &verifier;
                text += &format!(
                    "[authz]\naddress = {}\n\n[audit]\naddress = {}\n",
                    self.grpc_url("authz"),
                    self.grpc_url("audit")
                );
            }
        }
        text
    }

    /// The router as `deploy/router.toml` configures it, on loopback, with rate limiting left off: every client
    /// of the harness would share one bucket, and the run would measure the limiter instead of the platform.
    fn router(&self, port: u16, supergraph: &Path) -> String {
        let mut text = format!(
            "# The router for one soak run; written by platform-soak.\n\
             [listen]\nhttp_addr = \"127.0.0.1:{port}\"\nshutdown_grace_ms = 2000\n\n\
             [supergraph]\npath = {path}\nwatch_interval_ms = 0\n\n",
            path = quoted(&supergraph.display().to_string()),
        );
        for service in SERVICES {
            text += &format!(
                "[subgraphs.overrides.{service}]\nurl = \"http://127.0.0.1:{}/graphql\"\n\n",
                self.port_of(service).http
            );
        }
        text += &format!(
            "[auth]\nenabled = true\n\n[[auth.issuers]]\njwks_url = {jwks}\nissuer = {issuer}\naudience = \"platform\"\n\n\
             [planner.shared_cache]\nbackend = \"redis\"\nurl = {redis}\nkey_prefix = {prefix}\n\n\
             [telemetry]\nlog_level = {log_level}\n",
            jwks = quoted(&format!("{}/.well-known/jwks.json", self.identity_url())),
            issuer = quoted(&self.identity_url()),
            redis = quoted(&self.backing.redis_url),
            prefix = quoted(&format!("{}:router:plans", self.backing.namespace)),
            log_level = quoted(&self.options.log_level),
        );
        text
    }
}

#[cfg(test)]
mod tests;
