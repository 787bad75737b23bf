//! Paying and voiding invoices.
//!
//! A payment is recorded once per idempotency key of its payer: replaying a key answers the payment it recorded,
//! and reusing it for another invoice or amount is a conflict. The database keeps this under concurrency: the
//! invoice moves from `open` to `paid` by a conditional update (a racing request waits on the row and then finds
//! it paid), and `payments` is unique by `(payer_id, idempotency_key)` and by `invoice_id`. A request that loses
//! the race rolls back and answers from what the winner recorded.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};
use uuid::Uuid;

use super::{Billing, to_micros};
use crate::domain::{IdempotencyKey, InvalidInput, Invoice, InvoiceStatus, Money, Payment, SubscriptionStatus, UserId};
use crate::error::BillingError;
use crate::events::{self, BillingEvent};
use crate::store::{is_unique_violation, reads, writes};

/// The recorded payment `existing` when it is the one asked for again; a conflict when its key was reused.
fn replayed(existing: Payment, invoice_id: Uuid, amount: Money) -> Result<Payment, BillingError> {
    if existing.invoice_id == invoice_id && existing.amount == amount {
        Ok(existing)
    } else {
        Err(BillingError::Conflict(
            "this idempotency key was already used for a different payment".to_owned(),
        ))
    }
}

fn settled(status: InvoiceStatus) -> BillingError {
    BillingError::Conflict(format!("the invoice is {} and cannot be paid", status.as_str()))
}

/// How one attempt to record a payment ended.
enum Attempt {
    /// Recorded now.
    Recorded(Payment),
    /// Another request changed the invoice or used the key first; nothing was written.
    Lost,
}

impl Billing {
    /// The invoice with `id`, or NOT_FOUND.
    pub async fn invoice(&self, id: Uuid) -> Result<Invoice, BillingError> {
        reads::invoice(&self.conn, id)
            .await?
            .ok_or_else(|| BillingError::NotFound("there is no such invoice".to_owned()))
    }

    /// Pays `invoice` in full as `payer` at `now`, once per `key` (see the module docs). The amount must be
    /// exactly the amount due; a paid or void invoice cannot be paid.
    pub async fn pay(
        &self,
        payer: &UserId,
        invoice: &Invoice,
        amount: Money,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Payment, BillingError> {
        let now = to_micros(now);
        if let Some(existing) = reads::payment_by_key(&self.conn, payer, key.as_str()).await? {
            return replayed(existing, invoice.id, amount);
        }
        if invoice.status != InvoiceStatus::Open {
            return Err(settled(invoice.status));
        }
        let due = invoice.amount_due();
        if amount != due {
            return Err(InvalidInput::new(format!("the amount must be the amount due, {due}, not {amount}")).into());
        }
        let payment = Payment {
            id: Uuid::now_v7(),
            invoice_id: invoice.id,
            payer_id: payer.clone(),
            amount,
            idempotency_key: key.as_str().to_owned(),
            created_at: now,
        };
        match self.record(invoice, payment, now).await? {
            Attempt::Recorded(payment) => Ok(payment),
            Attempt::Lost => match reads::payment_by_key(&self.conn, payer, key.as_str()).await? {
                Some(existing) => replayed(existing, invoice.id, amount),
                None => {
                    let current = self.invoice(invoice.id).await?;
                    Err(settled(current.status))
                }
            },
        }
    }

    async fn record(&self, invoice: &Invoice, payment: Payment, now: DateTime<Utc>) -> Result<Attempt, BillingError> {
        let txn = self.conn.begin().await?;
        if !writes::set_invoice_status(&txn, invoice.id, InvoiceStatus::Open, InvoiceStatus::Paid, now).await? {
            return Ok(Attempt::Lost);
        }
        match writes::insert_payment(&txn, &payment).await {
            Ok(()) => {}
            Err(error) if is_unique_violation(&error) => return Ok(Attempt::Lost),
            Err(error) => return Err(error.into()),
        }
        let paid = Invoice {
            status: InvoiceStatus::Paid,
            paid_at: Some(now),
            ..invoice.clone()
        };
        let actor = Some(payment.payer_id.as_str());
        events::enqueue(
            &txn,
            BillingEvent::PaymentRecorded {
                payment: &payment,
                invoice: &paid,
            },
            actor,
        )
        .await?;
        events::enqueue(
            &txn,
            BillingEvent::InvoicePaid {
                invoice: &paid,
                payment: &payment,
            },
            actor,
        )
        .await?;
        reinstate_if_settled(&txn, &paid, actor, now).await?;
        txn.commit().await?;
        Ok(Attempt::Recorded(payment))
    }

    /// Voids `invoice` as `actor` at `now`: nothing is owed on it any more. Only open and draft invoices can be.
    pub async fn void(&self, actor: &str, invoice: &Invoice, now: DateTime<Utc>) -> Result<Invoice, BillingError> {
        let now = to_micros(now);
        if !matches!(invoice.status, InvoiceStatus::Open | InvoiceStatus::Draft) {
            return Err(BillingError::Conflict(format!(
                "the invoice is {} and cannot be voided",
                invoice.status.as_str()
            )));
        }
        let txn = self.conn.begin().await?;
        if !writes::set_invoice_status(&txn, invoice.id, invoice.status, InvoiceStatus::Void, now).await? {
            return Err(BillingError::Conflict(
                "the invoice changed meanwhile; read it again and retry".to_owned(),
            ));
        }
        let voided = Invoice {
            status: InvoiceStatus::Void,
            voided_at: Some(now),
            ..invoice.clone()
        };
        events::enqueue(&txn, BillingEvent::InvoiceVoided(&voided), Some(actor)).await?;
        reinstate_if_settled(&txn, &voided, Some(actor), now).await?;
        txn.commit().await?;
        Ok(voided)
    }
}

/// A past-due subscription becomes active again once `settled` leaves none of its invoices overdue.
async fn reinstate_if_settled(
    txn: &impl ConnectionTrait,
    settled: &Invoice,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), BillingError> {
    let Some(id) = settled.subscription_id else {
        return Ok(());
    };
    let Some(subscription) = reads::subscription(txn, id).await? else {
        return Err(DbErr::Custom(format!("invoice {} names a missing subscription", settled.id)).into());
    };
    if subscription.status != SubscriptionStatus::PastDue || reads::has_overdue_invoice(txn, id, now).await? {
        return Ok(());
    }
    if writes::set_subscription_status(txn, id, SubscriptionStatus::PastDue, SubscriptionStatus::Active, now).await? {
        let reinstated = crate::domain::Subscription {
            status: SubscriptionStatus::Active,
            ..subscription
        };
        let changed = BillingEvent::SubscriptionChanged {
            subscription: &reinstated,
            previous: Some(SubscriptionStatus::PastDue),
        };
        events::enqueue(txn, changed, actor).await?;
    }
    Ok(())
}
