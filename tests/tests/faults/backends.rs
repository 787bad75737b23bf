//! Private backend servers for one test: a PostgreSQL cluster, a Redis and a Kafka-compatible broker, each on a
//! loopback port of its own with its data in a temporary folder, started and stopped by the test through the pid
//! of the process it spawned. The machine's shared servers are never touched.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use platform_tests::{ChildProcess, free_port, required_env, wait_for_port};

/// How long a server may take to start on a loaded machine.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends `signal` (a `kill` signal name) to `pid`; whether it was delivered.
fn signal(pid: u32, signal: &str) -> bool {
    Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .is_ok_and(|status| status.success())
}

/// A PostgreSQL cluster of the test's own: `initdb` into a temporary folder, then `postgres` on a free port.
///
/// PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to the `postgres`
/// account: the folder is handed to it and the server is spawned under its uid.
pub struct PrivatePostgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    owner: Option<(u32, u32)>,
    port: u16,
    server: Option<Child>,
}

impl PrivatePostgres {
    /// Creates the cluster and starts its server.
    pub async fn start() -> Self {
        let bin = postgres_bin_dir();
        let dir = tempfile::tempdir().expect("a folder for the cluster");
        let owner = running_as_root().then(|| account_ids("postgres"));
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("hand the folder to postgres");
        }
        let data = dir.path().join("data");
        let data_arg = data.display().to_string();
        let output = owned_command(&bin.join("initdb"), owner, dir.path())
            .args([
                "-D",
                &data_arg,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ])
            .output()
            .expect("run initdb");
        assert!(
            output.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut cluster = Self {
            bin,
            dir,
            owner,
            port: free_port(),
            server: None,
        };
        cluster.start_server().await;
        cluster
    }

    /// The URL of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server in fast mode (sessions are ended, open transactions rolled back, a checkpoint written)
    /// and waits for it to exit.
    pub async fn stop_fast(&mut self) {
        let mut server = self.server.take().expect("the server is running");
        assert!(signal(server.id(), "INT"), "could not signal postgres to stop");
        tokio::task::spawn_blocking(move || server.wait())
            .await
            .expect("the wait task")
            .expect("wait for postgres to exit");
    }

    /// Starts the server again on the same port and data.
    pub async fn start_server(&mut self) {
        let data = self.dir.path().join("data");
        let port = self.port.to_string();
        let socket_dir = self.dir.path().display().to_string();
        // fsync only guards against the machine crashing, which no test does; a stopped or killed server keeps
        // everything it committed.
        let server = owned_command(&self.bin.join("postgres"), self.owner, self.dir.path())
            .args(["-D", &data.display().to_string(), "-p", &port, "-k", &socket_dir])
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=50",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start postgres");
        self.server = Some(server);
        wait_for_port(self.port, START_TIMEOUT).await;
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        if let Some(mut server) = self.server.take() {
            // Immediate shutdown: the postmaster takes its backends down with it.
            if !signal(server.id(), "QUIT") {
                let _ = server.kill();
            }
            let _ = server.wait();
        }
    }
}

/// The `bin` folder of the newest PostgreSQL installed under `/usr/lib/postgresql`.
fn postgres_bin_dir() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let newest = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("read {}: {e}", root.display()))
        .filter_map(Result::ok)
        .filter_map(|entry| Some((entry.file_name().to_str()?.parse::<u32>().ok()?, entry.path())))
        .max()
        .unwrap_or_else(|| panic!("no PostgreSQL under {}", root.display()));
    newest.1.join("bin")
}

fn running_as_root() -> bool {
    let output = Command::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&output.stdout).trim() == "0"
}

/// The uid and gid of the system account `name`, from `/etc/passwd`.
fn account_ids(name: &str) -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").expect("read /etc/passwd");
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.first() == Some(&name) && fields.len() > 3)
        .map(|fields| {
            let id = |text: &str| text.parse().expect("a numeric id in /etc/passwd");
            (id(fields[2]), id(fields[3]))
        })
        .unwrap_or_else(|| panic!("no `{name}` account to run PostgreSQL as"))
}

/// `program` run as `owner` (when given) from `dir`.
fn owned_command(program: &Path, owner: Option<(u32, u32)>, dir: &Path) -> Command {
    let mut command = Command::new(program);
    command.current_dir(dir);
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
    command
}

/// A Redis of the test's own, keeping nothing on disk, so a restart comes back empty.
pub struct PrivateRedis {
    dir: tempfile::TempDir,
    port: u16,
    server: Option<ChildProcess>,
}

impl PrivateRedis {
    /// Starts the server on a free port.
    pub async fn start() -> Self {
        let mut redis = Self {
            dir: tempfile::tempdir().expect("a folder for redis"),
            port: free_port(),
            server: None,
        };
        redis.start_server().await;
        redis
    }

    /// The server's URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server.
    pub fn kill(&mut self) {
        if let Some(mut server) = self.server.take() {
            server.kill();
        }
    }

    /// Starts the server (again) on the same port.
    pub async fn start_server(&mut self) {
        let port = self.port.to_string();
        let args = [
            "--port",
            &port,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ];
        self.server = Some(ChildProcess::spawn("redis-server", &args, self.dir.path()));
        wait_for_port(self.port, START_TIMEOUT).await;
    }
}

/// A Kafka-compatible broker (tansu, `PLATFORM_TEST_TANSU_BIN`) of the test's own, over SQLite storage in a
/// temporary folder that outlives restarts.
pub struct PrivateBroker {
    dir: tempfile::TempDir,
    port: u16,
    server: Option<ChildProcess>,
}

impl PrivateBroker {
    /// Starts the broker on a free port.
    pub async fn start() -> Self {
        let mut broker = Self {
            dir: tempfile::tempdir().expect("a folder for the broker"),
            port: free_port(),
            server: None,
        };
        broker.start_server().await;
        broker
    }

    /// The bootstrap address.
    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Kills the broker.
    pub fn kill(&mut self) {
        if let Some(mut server) = self.server.take() {
            server.kill();
        }
    }

    /// Starts the broker (again) on the same port and storage.
    pub async fn start_server(&mut self) {
        let tansu = required_env("PLATFORM_TEST_TANSU_BIN");
        let url = format!("tcp://127.0.0.1:{}", self.port);
        // A relative sqlite path, resolved in the data folder: tansu rejects an absolute one.
        let args = [
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
            "--storage-engine",
            "sqlite://tansu.db",
        ];
        self.server = Some(ChildProcess::spawn(&tansu, &args, self.dir.path()));
        wait_for_port(self.port, START_TIMEOUT).await;
    }
}
