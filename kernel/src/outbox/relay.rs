//! The relay: publishes pending outbox rows to the event bus, oldest first, and marks them sent.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use prometheus_client::metrics::gauge::Gauge;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::config::RelayConfig;
use super::entity::{self, Column, Entity};
use super::error::OutboxError;
use super::order::publishable;
use crate::events::{EventBus, EventEnvelope};
use crate::telemetry::Metrics;

/// How often an idle relay deletes published rows older than the retention.
const PURGE_EVERY: Duration = Duration::from_secs(60);

/// Serializes the relays of this process over SQLite (see the module docs for why a process-wide lock).
static SQLITE_RELAY: Mutex<()> = Mutex::const_new(());

/// Publishes a service's outbox to the event bus: at least once, each key's events in order.
///
/// Run it with [`OutboxRelay::spawn`]; any number of replicas may run one over the same PostgreSQL database.
pub struct OutboxRelay {
    conn: DatabaseConnection,
    bus: Arc<dyn EventBus>,
    config: RelayConfig,
    backlog_gauge: Option<Gauge>,
}

/// What one batch did: how many rows went out, and the failure that stopped it early, already recorded.
struct BatchOutcome {
    published: usize,
    failure: Option<OutboxError>,
}

impl OutboxRelay {
    /// A relay publishing the outbox of `conn` (the service's database, already migrated) to `bus`.
    pub fn new(conn: DatabaseConnection, bus: Arc<dyn EventBus>, config: RelayConfig) -> Self {
        Self {
            conn,
            bus,
            config,
            backlog_gauge: None,
        }
    }

    /// Registers the `outbox_backlog` gauge (events waiting to be published) in `metrics`; the relay refreshes it
    /// after every batch. Register one relay per registry, as a service runs one.
    pub fn with_metrics(mut self, metrics: &Metrics) -> Self {
        let gauge = Gauge::default();
        metrics.register(
            "outbox_backlog",
            "Events in the outbox waiting to be published",
            gauge.clone(),
        );
        self.backlog_gauge = Some(gauge);
        self
    }

    /// Publishes one batch of pending rows, oldest first, and marks them sent; returns how many went out.
    ///
    /// When the bus refuses a row the batch stops there, so no later row of its key overtakes it: the rows
    /// published before it are marked sent, the attempt and error are recorded on it, and the error is returned.
    pub async fn relay_once(&self) -> Result<usize, OutboxError> {
        let outcome = if self.conn.get_database_backend() == DbBackend::Postgres {
            // The row locks taken by the batch's SELECT live until this commit, so another replica's relay skips
            // these rows while they are being published.
            let transaction = self.conn.begin().await?;
            let outcome = self.relay_batch(&transaction, true).await?;
            transaction.commit().await?;
            outcome
        } else {
            let _only_relay = SQLITE_RELAY.lock().await;
            self.relay_batch(&self.conn, false).await?
        };
        self.refresh_gauge().await;
        match outcome.failure {
            Some(error) => Err(error),
            None => Ok(outcome.published),
        }
    }

    /// How many events wait to be published.
    pub async fn backlog(&self) -> Result<u64, OutboxError> {
        let pending = Entity::find().filter(Column::SentAt.is_null()).count(&self.conn);
        Ok(pending.await?)
    }

    /// Deletes the rows published longer ago than the configured retention; returns how many went.
    ///
    /// The running relay does this by itself about once a minute while idle.
    pub async fn purge_published(&self) -> Result<u64, OutboxError> {
        let cutoff = TimeDelta::from_std(self.config.retention())
            .ok()
            .and_then(|retention| Utc::now().checked_sub_signed(retention));
        // A retention reaching before the calendar starts keeps everything.
        let Some(cutoff) = cutoff else {
            return Ok(0);
        };
        let deleted = Entity::delete_many()
            .filter(Column::SentAt.is_not_null())
            .filter(Column::SentAt.lt(cutoff))
            .exec(&self.conn)
            .await?;
        Ok(deleted.rows_affected)
    }

    /// Runs the relay until `cancel` fires: a batch at a time, sleeping the poll interval when there is nothing
    /// to publish and backing off exponentially (min to max backoff) while publishing fails.
    ///
    /// A batch in flight is finished, not abandoned, so cancelling never leaves published rows unmarked.
    pub fn spawn(self, cancel: CancellationToken) -> JoinHandle<()> {
        tokio::spawn(async move { self.run(cancel).await })
    }

    async fn run(self, cancel: CancellationToken) {
        let mut backoff = self.config.min_backoff();
        let mut next_purge = Instant::now();
        while !cancel.is_cancelled() {
            let wait = match self.relay_once().await {
                Ok(0) => {
                    backoff = self.config.min_backoff();
                    if Instant::now() >= next_purge {
                        self.purge_logged().await;
                        next_purge = Instant::now() + PURGE_EVERY;
                    }
                    self.config.poll_interval()
                }
                Ok(_) => {
                    // More may be waiting; go again at once.
                    backoff = self.config.min_backoff();
                    continue;
                }
                Err(error) => {
                    tracing::warn!(%error, retry_in = ?backoff, "the outbox relay could not publish; retrying");
                    let wait = backoff;
                    backoff = (backoff * 2).min(self.config.max_backoff());
                    wait
                }
            };
            tokio::select! {
                () = cancel.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
        tracing::debug!("the outbox relay stopped");
    }

    /// Publishes the oldest pending rows through `db`; `lock_rows` takes them with `FOR UPDATE SKIP LOCKED`.
    async fn relay_batch(&self, db: &impl ConnectionTrait, lock_rows: bool) -> Result<BatchOutcome, OutboxError> {
        let mut select = Entity::find()
            .filter(Column::SentAt.is_null())
            .order_by_asc(Column::Sequence)
            .limit(self.config.batch_limit());
        if lock_rows {
            select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let batch = select.all(db).await?;
        let Some(last) = batch.last().map(|row| row.sequence) else {
            return Ok(BatchOutcome {
                published: 0,
                failure: None,
            });
        };
        let mut keys: Vec<&str> = batch.iter().map(|row| row.event_key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        // Read without locking: rows other relays hold are pending all the same, and must go out first.
        let pending: Vec<(String, i64)> = Entity::find()
            .select_only()
            .column(Column::EventKey)
            .column(Column::Sequence)
            .filter(Column::SentAt.is_null())
            .filter(Column::EventKey.is_in(keys))
            .filter(Column::Sequence.lte(last))
            .order_by_asc(Column::Sequence)
            .into_tuple()
            .all(db)
            .await?;

        let mut sent = Vec::new();
        let mut failure = None;
        for row in publishable(&batch, &pending) {
            match self.publish(row).await {
                Ok(()) => sent.push(row.sequence),
                Err(error) => {
                    failure = Some((row.sequence, error));
                    break;
                }
            }
        }

        let now = Utc::now();
        let published = sent.len();
        if !sent.is_empty() {
            Entity::update_many()
                .col_expr(Column::SentAt, Expr::value(now))
                .filter(Column::Sequence.is_in(sent))
                .exec(db)
                .await?;
        }
        let failure = match failure {
            Some((sequence, error)) => {
                Entity::update_many()
                    .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
                    .col_expr(Column::LastError, Expr::value(error.to_string()))
                    .col_expr(Column::LastAttemptAt, Expr::value(now))
                    .filter(Column::Sequence.eq(sequence))
                    .exec(db)
                    .await?;
                Some(error)
            }
            None => None,
        };
        Ok(BatchOutcome { published, failure })
    }

    async fn publish(&self, row: &entity::Model) -> Result<(), OutboxError> {
        let envelope = EventEnvelope::from_bytes(row.envelope.as_bytes())?;
        let message = envelope.to_message(row.event_key.as_str())?;
        self.bus
            .publish(&row.topic, message)
            .await
            .map_err(|source| OutboxError::Publish {
                event_id: row.event_id,
                topic: row.topic.clone(),
                source: Box::new(source),
            })
    }

    async fn refresh_gauge(&self) {
        let Some(gauge) = &self.backlog_gauge else {
            return;
        };
        match self.backlog().await {
            Ok(backlog) => {
                gauge.set(i64::try_from(backlog).unwrap_or(i64::MAX));
            }
            // The next batch refreshes it again; a stale gauge is no reason to fail publishing.
            Err(error) => tracing::debug!(%error, "cannot count the outbox backlog"),
        }
    }

    async fn purge_logged(&self) {
        match self.purge_published().await {
            Ok(0) => {}
            Ok(deleted) => tracing::debug!(deleted, "purged published outbox rows"),
            Err(error) => tracing::warn!(%error, "cannot purge published outbox rows"),
        }
    }
}

impl std::fmt::Debug for OutboxRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxRelay")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
