//! Subscribing and canceling.

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::invoicing::period_invoice;
use super::{Billing, to_micros};
use crate::domain::subscription::start;
use crate::domain::{InvalidInput, Invoice, PlanCode, Subscription, SubscriptionStatus, UserId};
use crate::error::BillingError;
use crate::events::{self, BillingEvent};
use crate::store::{is_unique_violation, reads, writes};

/// A new subscription, and the invoice for its first period when it starts without a trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribed {
    /// The subscription.
    pub subscription: Subscription,
    /// The open invoice for the first period; none during a trial.
    pub invoice: Option<Invoice>,
}

fn already_subscribed() -> BillingError {
    BillingError::Conflict("you already have a current subscription; cancel it first".to_owned())
}

impl Billing {
    /// The subscription with `id`, or NOT_FOUND.
    pub async fn subscription(&self, id: Uuid) -> Result<Subscription, BillingError> {
        reads::subscription(&self.conn, id)
            .await?
            .ok_or_else(|| BillingError::NotFound("there is no such subscription".to_owned()))
    }

    /// Subscribes `user` to the plan `code` at `now`: trialing when the plan has trial days, else active with an
    /// open invoice for the first period. A user with a current subscription is refused with a conflict.
    pub async fn subscribe(
        &self,
        user: &UserId,
        code: &PlanCode,
        now: DateTime<Utc>,
    ) -> Result<Subscribed, BillingError> {
        let now = to_micros(now);
        let plan = self.plan(code).await?;
        if !plan.active {
            return Err(InvalidInput::new(format!(
                "plan `{}` is archived and takes no new subscriptions",
                plan.code
            ))
            .into());
        }
        if !reads::current_subscriptions(&self.conn, std::slice::from_ref(user))
            .await?
            .is_empty()
        {
            return Err(already_subscribed());
        }
        let begun = start(&plan, now).ok_or_else(|| InvalidInput::new("the subscription's period is out of range"))?;
        let subscription = Subscription {
            id: Uuid::now_v7(),
            user_id: user.clone(),
            plan,
            status: begun.status,
            anchor: begun.anchor,
            period_index: 0,
            current_period: begun.period,
            trial_end: begun.trial_end,
            canceled_at: None,
            created_at: now,
        };
        let invoice = match subscription.status {
            SubscriptionStatus::Active => Some(period_invoice(
                &subscription,
                subscription.current_period,
                self.terms,
                now,
            )?),
            _ => None,
        };
        let txn = self.conn.begin().await?;
        // The partial unique index decides between two requests racing past the check above.
        if let Err(error) = writes::insert_subscription(&txn, &subscription).await {
            return Err(if is_unique_violation(&error) {
                already_subscribed()
            } else {
                error.into()
            });
        }
        let actor = Some(user.as_str());
        let changed = BillingEvent::SubscriptionChanged {
            subscription: &subscription,
            previous: None,
        };
        events::enqueue(&txn, changed, actor).await?;
        if let Some(invoice) = &invoice {
            writes::insert_invoice(&txn, invoice).await?;
            events::enqueue(&txn, BillingEvent::InvoiceCreated(invoice), actor).await?;
        }
        txn.commit().await?;
        Ok(Subscribed { subscription, invoice })
    }

    /// Cancels `subscription` as `actor` at `now`; canceling a canceled subscription is a conflict.
    pub async fn cancel(
        &self,
        actor: &str,
        subscription: Subscription,
        now: DateTime<Utc>,
    ) -> Result<Subscription, BillingError> {
        let now = to_micros(now);
        let previous = subscription.status;
        if previous == SubscriptionStatus::Canceled {
            return Err(BillingError::Conflict(
                "the subscription is already canceled".to_owned(),
            ));
        }
        let txn = self.conn.begin().await?;
        if !writes::set_subscription_status(&txn, subscription.id, previous, SubscriptionStatus::Canceled, now).await? {
            return Err(BillingError::Conflict(
                "the subscription changed meanwhile; read it again and retry".to_owned(),
            ));
        }
        let canceled = Subscription {
            status: SubscriptionStatus::Canceled,
            canceled_at: Some(now),
            ..subscription
        };
        let changed = BillingEvent::SubscriptionChanged {
            subscription: &canceled,
            previous: Some(previous),
        };
        events::enqueue(&txn, changed, Some(actor)).await?;
        txn.commit().await?;
        Ok(canceled)
    }
}
