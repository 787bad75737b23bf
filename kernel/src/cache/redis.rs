//! The Redis cache adapter, shared by every replica of a service.

use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{AsyncConnectionConfig, Client, Cmd, FromRedisValue, RedisError, RedisResult};
use bytes::Bytes;
use secrecy::{ExposeSecret, SecretString};

use super::{Cache, CacheError, validate_ttl};
use crate::db::redact::Redactor;

/// Reconnect attempts per outage before the pending commands fail; the next command starts a new round.
const RECONNECT_ATTEMPTS: usize = 3;
/// Back-off bounds between reconnect attempts: short, because a cache that is down is skipped, not waited for.
const RECONNECT_MIN_DELAY: Duration = Duration::from_millis(50);
const RECONNECT_MAX_DELAY: Duration = Duration::from_millis(500);

/// Increments `KEYS[1]` and, when that created it, sets its expiry to `ARGV[1]` milliseconds.
const INCREMENT_SCRIPT: &str =
    "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";

/// A cache in Redis, over one multiplexed connection that reconnects by itself after the server restarts.
///
/// Every command is bounded by the command timeout, so a dead or hung server yields
/// [`CacheError::Timeout`] or [`CacheError::Unavailable`] instead of a stalled caller.
#[derive(Clone)]
pub struct RedisCache {
    conn: ConnectionManager,
    command_timeout: Duration,
}

impl RedisCache {
    /// Connects to the Redis at `url`, failing if it does not answer within `command_timeout`.
    pub async fn connect(url: &SecretString, command_timeout: Duration) -> Result<Self, CacheError> {
        if command_timeout.is_zero() {
            return Err(CacheError::Config(
                "command_timeout_ms must be greater than zero".to_owned(),
            ));
        }
        let redactor = Redactor::for_url(url.expose_secret());
        let client = Client::open(url.expose_secret())
            .map_err(|error| CacheError::Config(format!("Redis URL: {}", redactor.scrub(error))))?;
        // One plain connection first: it fails fast with the real reason (refused, bad password) where the
        // manager would retry with back-off and hit the timeout instead.
        let probe = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(command_timeout))
            .set_response_timeout(Some(command_timeout));
        let probing = client.get_multiplexed_async_connection_with_config(&probe);
        connect_step(probing, command_timeout, &redactor).await?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(command_timeout))
            .set_response_timeout(Some(command_timeout))
            .set_number_of_retries(RECONNECT_ATTEMPTS)
            .set_min_delay(RECONNECT_MIN_DELAY)
            .set_max_delay(RECONNECT_MAX_DELAY);
        let connecting = ConnectionManager::new_with_config(client, config);
        let conn = connect_step(connecting, command_timeout, &redactor).await?;
        Ok(Self { conn, command_timeout })
    }

    async fn run<T: FromRedisValue>(&self, command: &'static str, cmd: &Cmd) -> Result<T, CacheError> {
        // The manager is a cheap handle onto the shared multiplexed connection.
        let mut conn = self.conn.clone();
        match tokio::time::timeout(self.command_timeout, cmd.query_async::<T>(&mut conn)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(command_error(command, &error, self.command_timeout)),
            Err(_) => Err(timeout_error(command, self.command_timeout)),
        }
    }
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The manager's own Debug prints its client, whose connection info includes the password.
        f.debug_struct("RedisCache")
            .field("command_timeout", &self.command_timeout)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        self.run("GET", ::redis::cmd("GET").arg(key)).await
    }

    async fn set(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), CacheError> {
        let mut cmd = ::redis::cmd("SET");
        cmd.arg(key).arg(value.as_ref());
        if let Some(ttl) = ttl {
            cmd.arg("PX")
                .arg(u64::try_from(validate_ttl(ttl)?.as_millis()).unwrap_or(u64::MAX));
        }
        self.run::<()>("SET", &cmd).await
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        let removed: u64 = self.run("DEL", ::redis::cmd("DEL").arg(key)).await?;
        Ok(removed > 0)
    }

    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Bytes>>, CacheError> {
        if keys.is_empty() {
            // MGET with no keys is a syntax error in Redis.
            return Ok(Vec::new());
        }
        self.run("MGET", ::redis::cmd("MGET").arg(keys)).await
    }

    async fn increment(&self, key: &str, window: Duration) -> Result<u64, CacheError> {
        let window = u64::try_from(validate_ttl(window)?.as_millis()).unwrap_or(u64::MAX);
        // One script, so the first increment and its expiry are atomic: a crash between them cannot leave a
        // counter that never expires.
        let mut cmd = ::redis::cmd("EVAL");
        cmd.arg(INCREMENT_SCRIPT).arg(1).arg(key).arg(window);
        self.run("EVAL", &cmd).await
    }

    async fn ping(&self) -> Result<(), CacheError> {
        self.run::<String>("PING", &::redis::cmd("PING")).await.map(drop)
    }
}

/// Awaits one start-up step within `timeout`, turning its failure into an error without the URL's password.
async fn connect_step<T>(
    step: impl Future<Output = RedisResult<T>>,
    timeout: Duration,
    redactor: &Redactor,
) -> Result<T, CacheError> {
    match tokio::time::timeout(timeout, step).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(CacheError::Unavailable {
            command: "CONNECT",
            message: redactor.scrub(error),
        }),
        Err(_) => Err(timeout_error("CONNECT", timeout)),
    }
}

fn timeout_error(command: &'static str, timeout: Duration) -> CacheError {
    CacheError::Timeout {
        command,
        timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
    }
}

fn command_error(command: &'static str, error: &RedisError, timeout: Duration) -> CacheError {
    if error.is_timeout() {
        return timeout_error(command, timeout);
    }
    let message = error.to_string();
    if error.is_io_error() || error.is_connection_refusal() || error.is_connection_dropped() {
        CacheError::Unavailable { command, message }
    } else {
        CacheError::Command { command, message }
    }
}
