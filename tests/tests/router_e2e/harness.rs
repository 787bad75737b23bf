//! A router in front of the real test subgraphs, on loopback ports, and helpers to query it and snapshot answers.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use platform_tests::subgraphs::{self, SubgraphHandle, SubgraphName};
use router::config::{RouterConfig, SubgraphOverride};
use serde_json::{Value, json};
use tempfile::TempDir;

/// The committed supergraph the router serves.
pub fn supergraph_fixture() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("federation")
        .join("supergraph.graphql");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Every subgraph with fresh data, and a router over the supergraph fixture routing to them.
pub struct Router {
    subgraphs: Vec<Option<SubgraphHandle>>,
    subgraph_addrs: Vec<(SubgraphName, String)>,
    addr: SocketAddr,
    client: reqwest::Client,
    dir: TempDir,
    stop: Box<dyn Fn() + Send + Sync>,
}

impl Router {
    /// Starts the subgraphs and a router whose supergraph file is not watched.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts the subgraphs and a router, letting `adjust` change the configuration first.
    pub async fn start_with(adjust: impl FnOnce(&mut RouterConfig)) -> Self {
        Self::start_with_supergraph(&supergraph_fixture(), adjust).await
    }

    /// Starts the subgraphs and a router over `supergraph` (a variant of the fixture), with `adjust` applied.
    pub async fn start_with_supergraph(supergraph: &str, adjust: impl FnOnce(&mut RouterConfig)) -> Self {
        let handles = subgraphs::start_all().await;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("supergraph.graphql");
        std::fs::write(&path, supergraph).expect("write the supergraph");

        let mut config = RouterConfig::default();
        config.listen.http_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        config.listen.shutdown_grace_ms = 100;
        config.supergraph.path = Some(path);
        config.supergraph.watch_interval_ms = 0;
        for handle in &handles {
            config.subgraphs.overrides.insert(
                handle.name().to_string(),
                SubgraphOverride {
                    url: Some(handle.url().to_owned()),
                    timeout_ms: Some(5_000),
                    ..SubgraphOverride::default()
                },
            );
        }
        adjust(&mut config);

        let running = router::gateway::start(config, None).await.expect("the router starts");
        let addr = running.server.http_addr();
        let token = running.server.shutdown_token();
        tokio::spawn(running.server.run_until(std::future::pending()));
        Self {
            subgraph_addrs: handles.iter().map(|h| (h.name(), h.addr().to_string())).collect(),
            subgraphs: handles.into_iter().map(Some).collect(),
            addr,
            client: reqwest::Client::new(),
            dir,
            stop: Box::new(move || token.cancel()),
        }
    }

    /// The router's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The running subgraph `name`.
    pub fn subgraph(&self, name: SubgraphName) -> &SubgraphHandle {
        self.subgraphs
            .iter()
            .flatten()
            .find(|h| h.name() == name)
            .unwrap_or_else(|| panic!("{name} is not running"))
    }

    /// Forgets the requests every subgraph has recorded so far.
    pub fn clear_requests(&self) {
        self.subgraphs.iter().flatten().for_each(SubgraphHandle::clear_requests);
    }

    /// Stops the subgraph `name`; the router keeps routing to its (now closed) port.
    pub async fn stop_subgraph(&mut self, name: SubgraphName) {
        let slot = self
            .subgraphs
            .iter_mut()
            .find(|h| h.as_ref().is_some_and(|h| h.name() == name))
            .unwrap_or_else(|| panic!("{name} is not running"));
        if let Some(handle) = slot.take() {
            handle.shutdown().await;
        }
    }

    /// The supergraph file the router reads.
    pub fn supergraph_path(&self) -> PathBuf {
        self.dir.path().join("supergraph.graphql")
    }

    /// Posts `body` to `/graphql` and returns the status and the response text.
    pub async fn post_raw(&self, body: &Value) -> (u16, String) {
        self.post_as(None, body).await
    }

    /// Posts `body` to `/graphql` with `token` as the bearer token, when given.
    pub async fn post_as(&self, token: Option<&str>, body: &Value) -> (u16, String) {
        let mut request = self
            .client
            .post(format!("http://{}/graphql", self.addr))
            .header("accept", "application/graphql-response+json, application/json")
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the router answers");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a response body"))
    }

    /// Posts `query` with `variables` and returns the status and the response text with subgraph addresses
    /// replaced by their names, so answers are the same from run to run.
    pub async fn request(&self, query: &str, variables: Value) -> (u16, String) {
        let (status, text) = self.post_raw(&json!({ "query": query, "variables": variables })).await;
        (status, self.redact(&text))
    }

    /// Posts `query`, expects 200, and returns the response parsed and as stable, readable text for a snapshot.
    pub async fn query(&self, query: &str) -> (Value, String) {
        self.query_with(query, Value::Null).await
    }

    /// Like [`Router::query`], with variables.
    pub async fn query_with(&self, query: &str, variables: Value) -> (Value, String) {
        let (status, text) = self.request(query, variables).await;
        assert_eq!(status, 200, "{text}");
        let parsed = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        (parsed, pretty(&text))
    }

    fn redact(&self, text: &str) -> String {
        let mut text = text.replace(&self.addr.to_string(), "[router]");
        for (name, addr) in &self.subgraph_addrs {
            text = text.replace(addr, &format!("[{name}]"));
        }
        text
    }
}

impl Drop for Router {
    fn drop(&mut self) {
        (self.stop)();
    }
}

/// Writes `contents` over the file at `path` in one rename, so a watcher never reads half a file.
pub fn replace_file(path: &Path, contents: &str) {
    let staged = path.with_extension("staged");
    std::fs::write(&staged, contents).expect("write the staged file");
    std::fs::rename(&staged, path).expect("move the staged file into place");
}

/// Indents compact JSON text two spaces per level, keeping the key order the router wrote.
pub fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = json.trim().chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.extend(chars.next());
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// `insta::assert_snapshot!`, with the snapshot kept in `tests/snapshots` beside the other suites' snapshots.
macro_rules! snapshot {
    ($($arg:tt)*) => {
        insta::with_settings!({ snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots") }, {
            insta::assert_snapshot!($($arg)*);
        })
    };
}
pub(crate) use snapshot;
