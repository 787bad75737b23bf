//! Buckets in Redis, shared by every router replica: one script refills and takes atomically, on the Redis
//! server's clock, so replicas whose clocks disagree still count alike.

use std::time::{Duration, Instant};

use parking_lot::Mutex;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncConnectionConfig, Client, RedisError, RedisResult};
use secrecy::{ExposeSecret, SecretString};

use super::bucket::{BucketLimit, Decision};
use super::{BucketStore, RateLimitError, StoreError};

/// Refills every bucket in `KEYS` to the server's current time, then takes one token from each if all hold
/// one. `ARGV` holds, per key, its capacity, its refill rate per second and its expiry in milliseconds (the
/// time to refill completely: an expired bucket and a full one are the same). Returns `{taken, wait_ms}`.
const TAKE_SCRIPT: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local levels = {}
local stamps = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[3 * i - 2])
  local rate = tonumber(ARGV[3 * i - 1])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local level = tonumber(state[1])
  local at = tonumber(state[2])
  local stamp = now
  if level == nil or at == nil then
    level = capacity
  elseif at >= now then
    stamp = at
  else
    level = math.min(capacity, level + (now - at) * rate / 1000)
  end
  levels[i] = level
  stamps[i] = stamp
  if level < 1 then
    wait = math.max(wait, math.ceil((1 - level) * 1000 / rate))
  end
end
local taken = 0
if wait == 0 then taken = 1 end
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 'tokens', tostring(levels[i] - taken), 'at', tostring(stamps[i]))
  redis.call('PEXPIRE', key, ARGV[3 * i])
end
return {taken, wait}
";

/// Reconnect attempts per outage before commands fail, and the back-off between them: short, because every
/// request waits on the limiter.
const RECONNECT_ATTEMPTS: usize = 2;
const RECONNECT_MIN_DELAY: Duration = Duration::from_millis(50);
const RECONNECT_MAX_DELAY: Duration = Duration::from_millis(250);
/// After a failed connection, how long requests get the store-error answer at once instead of each trying again.
const RECONNECT_BACKOFF: Duration = Duration::from_secs(1);

/// Token buckets in Redis under `<prefix>:<key>`, over one multiplexed connection opened on first use.
///
/// The connection is opened lazily, so a router starts (and answers as `on_store_error` says) while Redis is
/// down, and picks Redis up once it answers.
pub struct RedisBuckets {
    client: Client,
    prefix: String,
    command_timeout: Duration,
    connection: tokio::sync::OnceCell<ConnectionManager>,
    retry_not_before: Mutex<Option<Instant>>,
    secrets: Vec<String>,
}

impl RedisBuckets {
    /// A store at `url` with keys under `prefix`; each command is bounded by `command_timeout`. Fails only on a
    /// malformed URL or a zero timeout: nothing is contacted yet.
    pub fn new(url: &SecretString, prefix: &str, command_timeout: Duration) -> Result<Self, RateLimitError> {
        if command_timeout.is_zero() {
            return Err(RateLimitError::Store(
                "rate_limit.cache.command_timeout_ms must be greater than zero".to_owned(),
            ));
        }
        // The parser's message may quote the URL, password included, so only the key is named.
        let client = Client::open(url.expose_secret())
            .map_err(|_| RateLimitError::Store("rate_limit.cache.url is not a valid Redis URL".to_owned()))?;
        let mut secrets = vec![url.expose_secret().to_owned()];
        secrets.extend(
            client
                .get_connection_info()
                .redis_settings()
                .password()
                .map(str::to_owned),
        );
        secrets.retain(|secret| !secret.is_empty());
        Ok(Self {
            client,
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}:")
            },
            command_timeout,
            connection: tokio::sync::OnceCell::new(),
            retry_not_before: Mutex::new(None),
            secrets,
        })
    }

    /// The shared connection, opening it when there is none: one attempt at a time, and none during the
    /// back-off after a failure, so an outage does not make every request wait for a connection timeout.
    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        if let Some(connection) = self.connection.get() {
            return Ok(connection.clone());
        }
        let connection = self
            .connection
            .get_or_try_init(|| async {
                if let Some(not_before) = *self.retry_not_before.lock()
                    && Instant::now() < not_before
                {
                    return Err(StoreError(
                        "Redis was unreachable a moment ago; not retrying yet".to_owned(),
                    ));
                }
                let connected = self.connect().await;
                *self.retry_not_before.lock() = match connected {
                    Ok(_) => None,
                    Err(_) => Instant::now().checked_add(RECONNECT_BACKOFF),
                };
                connected
            })
            .await?;
        Ok(connection.clone())
    }

    async fn connect(&self) -> Result<ConnectionManager, StoreError> {
        // One plain connection first: it fails at once with the real reason (refused, bad password), where the
        // manager would retry with back-off until the timeout.
        let probe = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.command_timeout))
            .set_response_timeout(Some(self.command_timeout));
        self.within_timeout(self.client.get_multiplexed_async_connection_with_config(&probe))
            .await?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.command_timeout))
            .set_response_timeout(Some(self.command_timeout))
            .set_number_of_retries(RECONNECT_ATTEMPTS)
            .set_min_delay(RECONNECT_MIN_DELAY)
            .set_max_delay(RECONNECT_MAX_DELAY);
        self.within_timeout(ConnectionManager::new_with_config(self.client.clone(), config))
            .await
    }

    async fn within_timeout<T>(&self, connecting: impl Future<Output = RedisResult<T>>) -> Result<T, StoreError> {
        match tokio::time::timeout(self.command_timeout, connecting).await {
            Ok(Ok(connection)) => Ok(connection),
            Ok(Err(error)) => Err(self.error("connecting", &error)),
            Err(_) => Err(StoreError(format!(
                "connecting to Redis timed out after {} ms",
                self.command_timeout.as_millis()
            ))),
        }
    }

    fn error(&self, doing: &str, error: &RedisError) -> StoreError {
        let mut message = error.to_string();
        for secret in &self.secrets {
            message = message.replace(secret.as_str(), "[REDACTED]");
        }
        StoreError(format!("Redis failed while {doing}: {message}"))
    }
}

impl std::fmt::Debug for RedisBuckets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The client's own Debug prints its connection info, password included.
        f.debug_struct("RedisBuckets")
            .field("prefix", &self.prefix)
            .field("command_timeout", &self.command_timeout)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl BucketStore for RedisBuckets {
    async fn take(&self, requested: &[(&str, BucketLimit)]) -> Result<Decision, StoreError> {
        let mut connection = self.connection().await?;
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(TAKE_SCRIPT).arg(requested.len());
        for (key, _) in requested {
            cmd.arg(format!("{}{key}", self.prefix));
        }
        for (_, limit) in requested {
            let expiry_ms = u64::try_from(limit.time_to_full().as_millis())
                .unwrap_or(u64::MAX)
                .max(1);
            cmd.arg(limit.capacity()).arg(limit.refill_per_sec()).arg(expiry_ms);
        }
        let (taken, wait_ms): (i64, i64) =
            match tokio::time::timeout(self.command_timeout, cmd.query_async(&mut connection)).await {
                Ok(Ok(reply)) => reply,
                Ok(Err(error)) => return Err(self.error("taking a token", &error)),
                Err(_) => {
                    return Err(StoreError(format!(
                        "Redis did not answer within {} ms",
                        self.command_timeout.as_millis()
                    )));
                }
            };
        if taken == 1 {
            return Ok(Decision::Allowed);
        }
        Ok(Decision::Limited {
            retry_after: Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0).max(1)),
        })
    }
}
