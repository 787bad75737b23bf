//! Shared harness for the platform's integration suites.
//!
//! Real-backend suites read their server's address from `PLATFORM_TEST_*` variables. The build script turns
//! each variable into a `cfg` (`backend_postgres`, `backend_redis`, `backend_kafka`, `backend_etcd`,
//! `backend_tansu_bin`), and a suite marks itself
//! `#[cfg_attr(not(backend_redis), ignore = "PLATFORM_TEST_REDIS_URL is not set")]`, so the runner reports it
//! skipped rather than passed when its backend is absent.

pub mod subgraphs;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Reads a required test variable; a suite only calls this when its `cfg` says the variable was set at build time.
pub fn required_env(name: &str) -> String {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => value,
        _ => panic!("{name} was set when the tests were built but is not set now; re-export it"),
    }
}

/// PostgreSQL URL of the real-backend suite (`PLATFORM_TEST_POSTGRES_URL`).
pub fn postgres_url() -> String {
    required_env("PLATFORM_TEST_POSTGRES_URL")
}

/// Redis URL of the real-backend suite (`PLATFORM_TEST_REDIS_URL`).
pub fn redis_url() -> String {
    required_env("PLATFORM_TEST_REDIS_URL")
}

/// Kafka bootstrap servers of the real-backend suite (`PLATFORM_TEST_KAFKA_BROKERS`).
pub fn kafka_brokers() -> String {
    required_env("PLATFORM_TEST_KAFKA_BROKERS")
}

/// etcd endpoint of the real-backend suite (`PLATFORM_TEST_ETCD_URL`).
pub fn etcd_url() -> String {
    required_env("PLATFORM_TEST_ETCD_URL")
}

/// A name no other test run uses, for topics, keys, schemas and consumer groups.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

/// The value of counter `name` (its `<name>_total` sample) on the Prometheus page at `http://{addr}/metrics`.
pub async fn metric_counter(addr: std::net::SocketAddr, name: &str) -> u64 {
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("/metrics answers")
        .text()
        .await
        .expect("/metrics has a text body");
    let prefix = format!("{name}_total ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{name} is not on /metrics:\n{text}"))
        .trim()
        .parse()
        .expect("a counter is a whole number")
}

/// A loopback port that was free a moment ago, for servers that cannot bind port 0 themselves.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral loopback port");
    listener.local_addr().expect("read the bound address").port()
}

/// A child process that is killed and reaped when dropped, so a failing test never leaks a server.
pub struct ChildProcess {
    child: Child,
}

impl ChildProcess {
    /// Starts `program` with `args` in `dir`, its output discarded.
    pub fn spawn(program: &str, args: &[&str], dir: &std::path::Path) -> Self {
        let child = Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {program}: {e}"));
        Self { child }
    }

    /// Kills the process now and waits for it to exit.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waits until something accepts TCP connections on `127.0.0.1:port`, or panics after `timeout`.
pub async fn wait_for_port(port: u16, timeout: Duration) {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "nothing listens on port {port} after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
