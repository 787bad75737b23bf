//! Closing ended periods: a trial ends into the first paid period, an ended paid period rolls into the next,
//! each new period gets its open invoice, and a subscription whose invoice is unpaid after its due date falls
//! past due.
//!
//! [`Billing::renew`] does one pass at an explicit time; [`spawn_renewal`] runs a pass every so often. Replicas
//! may renew at once: each step is a conditional update of the subscription (on the status and period end it
//! read) and the invoice is unique per period, so a step another replica took first is skipped, never repeated.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::invoicing::period_invoice;
use super::{Billing, to_micros};
use crate::domain::{Subscription, SubscriptionStatus};
use crate::error::BillingError;
use crate::events::{self, BillingEvent};
use crate::store::{reads, writes};

/// Most subscriptions (and overdue invoices) one pass looks at; the next pass takes the rest.
const BATCH: u64 = 500;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenewalReport {
    /// Trials that ended into their first paid period.
    pub trials_ended: u32,
    /// Paid periods that rolled into the next one.
    pub periods_renewed: u32,
    /// Invoices opened for the new periods.
    pub invoices_opened: u32,
    /// Subscriptions that fell past due.
    pub marked_past_due: u32,
}

impl Billing {
    /// One renewal pass at `now` (see the module docs).
    pub async fn renew(&self, now: DateTime<Utc>) -> Result<RenewalReport, BillingError> {
        let now = to_micros(now);
        let mut report = RenewalReport::default();
        for subscription in reads::subscriptions_to_renew(&self.conn, now, BATCH).await? {
            let mut current = subscription;
            // A subscription left alone for several periods catches up one period (and one invoice) at a time.
            while current.current_period.end <= now {
                let was_trial = current.status == SubscriptionStatus::Trialing;
                match self.advance(current, now).await? {
                    Some(next) => {
                        if was_trial {
                            report.trials_ended += 1;
                        } else {
                            report.periods_renewed += 1;
                        }
                        report.invoices_opened += 1;
                        current = next;
                    }
                    None => break,
                }
            }
        }
        for (subscription_id, _) in reads::overdue_invoices(&self.conn, now, BATCH).await? {
            if self.mark_past_due(subscription_id, now).await? {
                report.marked_past_due += 1;
            }
        }
        Ok(report)
    }

    /// Moves `subscription` into its next period with its invoice; `None` when there is none or another replica
    /// moved it first.
    async fn advance(
        &self,
        subscription: Subscription,
        now: DateTime<Utc>,
    ) -> Result<Option<Subscription>, BillingError> {
        let Some(renewal) = subscription.renewal() else {
            return Ok(None);
        };
        let previous = subscription.status;
        let txn = self.conn.begin().await?;
        let moved = writes::advance_subscription(
            &txn,
            subscription.id,
            previous,
            subscription.current_period.end,
            renewal.status,
            renewal.period_index,
            renewal.period,
            now,
        )
        .await?;
        if !moved {
            return Ok(None);
        }
        let next = Subscription {
            status: renewal.status,
            period_index: renewal.period_index,
            current_period: renewal.period,
            ..subscription
        };
        let invoice = period_invoice(&next, renewal.period, self.terms, now)?;
        writes::insert_invoice(&txn, &invoice).await?;
        let changed = BillingEvent::SubscriptionChanged {
            subscription: &next,
            previous: Some(previous),
        };
        events::enqueue(&txn, changed, None).await?;
        events::enqueue(&txn, BillingEvent::InvoiceCreated(&invoice), None).await?;
        txn.commit().await?;
        Ok(Some(next))
    }

    /// Marks the active subscription `id` past due; `false` when it is not active (already past due, say).
    async fn mark_past_due(&self, id: uuid::Uuid, now: DateTime<Utc>) -> Result<bool, BillingError> {
        let txn = self.conn.begin().await?;
        // Write first: on SQLite a transaction that reads and then writes can lose its snapshot to a concurrent
        // commit, while one that starts by writing holds the write lock from then on.
        if !writes::set_subscription_status(&txn, id, SubscriptionStatus::Active, SubscriptionStatus::PastDue, now)
            .await?
        {
            return Ok(false);
        }
        let Some(subscription) = reads::subscription(&txn, id).await? else {
            return Ok(false);
        };
        let changed = BillingEvent::SubscriptionChanged {
            subscription: &subscription,
            previous: Some(SubscriptionStatus::Active),
        };
        events::enqueue(&txn, changed, None).await?;
        txn.commit().await?;
        Ok(true)
    }
}

/// Runs a renewal pass every `every` on the wall clock until `cancel` fires; a failed pass is logged and retried
/// at the next tick.
pub fn spawn_renewal(billing: Billing, every: Duration, cancel: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                _ = ticks.tick() => {}
            }
            match billing.renew(Utc::now()).await {
                Ok(report) if report != RenewalReport::default() => tracing::info!(?report, "billing renewal pass"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "a billing renewal pass failed; retrying at the next tick"),
            }
        }
    })
}
