//! The real backends of one run: a fresh PostgreSQL database (dropped at the end), a Redis key namespace (its
//! keys deleted at the end), and a Kafka broker — one already running, or a private tansu broker started here on
//! a free port with its storage in the run folder, and stopped at the end.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::Url;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

use crate::error::SoakError;
use crate::process::{Liveness, ManagedProcess, free_ports};

/// The database every service of one run keeps its schema in.
#[derive(Debug, Clone)]
pub struct RunDatabase {
    admin_url: Url,
    name: String,
}

impl RunDatabase {
    /// Creates the database `name` through `admin_url` (a database the harness may run `CREATE DATABASE` in).
    pub async fn create(admin_url: &str, name: &str) -> Result<Self, SoakError> {
        let admin_url = Url::parse(admin_url).map_err(|error| SoakError::InvalidUrl {
            what: "PostgreSQL",
            reason: error.to_string(),
        })?;
        let database = Self {
            admin_url,
            name: name.to_owned(),
        };
        let conn = database.connect_admin().await?;
        // `name` is made by the harness from letters, digits and underscores only.
        conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .map_err(SoakError::postgres(format!("create database {name}")))?;
        let _ = conn.close().await;
        Ok(database)
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL services connect with: the admin URL with the run's database in its path.
    pub fn url(&self) -> String {
        let mut url = self.admin_url.clone();
        url.set_path(&format!("/{}", self.name));
        url.to_string()
    }

    /// A connection to the run's database, for verification.
    pub async fn connect(&self) -> Result<DatabaseConnection, SoakError> {
        Database::connect(self.url())
            .await
            .map_err(SoakError::postgres(format!("connect to {}", self.name)))
    }

    async fn connect_admin(&self) -> Result<DatabaseConnection, SoakError> {
        Database::connect(self.admin_url.as_str())
            .await
            .map_err(SoakError::postgres("connect with the admin URL"))
    }

    /// Drops the database, disconnecting whoever is still connected.
    pub async fn drop_database(self) -> Result<(), SoakError> {
        let conn = self.connect_admin().await?;
        conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
            .await
            .map_err(SoakError::postgres(format!("drop database {}", self.name)))?;
        let _ = conn.close().await;
        Ok(())
    }
}

/// Deletes every Redis key under `prefix` (the run's namespace); returns how many there were.
pub async fn delete_redis_namespace(url: &str, prefix: &str) -> Result<u64, SoakError> {
    let client = redis::Client::open(url).map_err(SoakError::redis("parse the Redis URL"))?;
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .map_err(SoakError::redis("connect"))?;
    let pattern = format!("{prefix}*");
    let mut cursor: u64 = 0;
    let mut deleted = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await
            .map_err(SoakError::redis("scan the run's keys"))?;
        if !keys.is_empty() {
            let removed: u64 = redis::cmd("UNLINK")
                .arg(&keys)
                .query_async(&mut conn)
                .await
                .map_err(SoakError::redis("delete the run's keys"))?;
            deleted += removed;
        }
        if next == 0 {
            return Ok(deleted);
        }
        cursor = next;
    }
}

/// The Kafka broker of a run.
#[derive(Debug)]
pub enum Broker {
    /// A broker someone else runs.
    External(String),
    /// A tansu broker this run started.
    Private {
        /// `127.0.0.1:<port>`.
        address: String,
        /// The broker process.
        process: ManagedProcess,
    },
}

impl Broker {
    /// Starts a private tansu broker on a free loopback port, its SQLite storage in `<run_dir>/tansu`.
    pub async fn start_private(tansu: &Path, run_dir: &Path) -> Result<Self, SoakError> {
        if !tansu.is_file() {
            return Err(SoakError::MissingBinary {
                name: "tansu".to_owned(),
                path: tansu.to_path_buf(),
            });
        }
        let dir = run_dir.join("tansu");
        std::fs::create_dir_all(&dir).map_err(SoakError::io(format!("create {}", dir.display())))?;
        let port = free_ports(1)?.into_iter().next().unwrap_or_default();
        let address = format!("127.0.0.1:{port}");
        let listener = format!("tcp://{address}");
        // tansu resolves a relative `sqlite://` path against its working directory (an absolute one failed).
        let mut process = ManagedProcess::spawn(
            "tansu",
            tansu,
            &[
                "broker",
                "--listener-url",
                &listener,
                "--advertised-listener-url",
                &listener,
                "--storage-engine",
                "sqlite://tansu.db",
            ],
            &dir,
            &[],
        )?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if tokio::net::TcpStream::connect(&address).await.is_ok() {
                return Ok(Self::Private { address, process });
            }
            let reason = match process.liveness() {
                Liveness::Exited(how) => how,
                Liveness::Running if Instant::now() > deadline => "not listening after 60 s".to_owned(),
                Liveness::Running => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            return Err(SoakError::NotReady {
                name: "tansu".to_owned(),
                reason,
                log: process.log().display().to_string(),
                tail: process.log_tail(20),
            });
        }
    }

    /// The bootstrap address services are given.
    pub fn address(&self) -> &str {
        match self {
            Self::External(address) | Self::Private { address, .. } => address,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_connect_to_the_runs_database_on_the_admin_server() {
        let database = RunDatabase {
            admin_url: Url::parse("postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable").unwrap(),
            name: "soak_ab12".to_owned(),
        };
        assert_eq!(
            database.url(),
            "postgres://postgres@127.0.0.1:5432/soak_ab12?sslmode=disable"
        );
    }
}
