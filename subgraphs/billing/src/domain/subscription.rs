//! Subscriptions: a user on a plan, their status, and the period they are in.
//!
//! A subscription starts `trialing` for the plan's trial days, or `active` at once; its paid periods are counted
//! from its anchor (the end of the trial, or the start). It falls `past_due` when an invoice is unpaid after its
//! due date and becomes `active` again once that invoice is paid; `canceled` is final.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::period::{self, Period};
use super::{InvalidInput, Plan, UserId, shown};

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscriptionStatus {
    /// In its free trial; nothing is billed yet.
    Trialing,
    /// Billed every period and paid up.
    Active,
    /// An invoice is unpaid after its due date.
    PastDue,
    /// Ended by its owner or an administrator; final.
    Canceled,
}

impl SubscriptionStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trialing => "trialing",
            Self::Active => "active",
            Self::PastDue => "past_due",
            Self::Canceled => "canceled",
        }
    }

    /// Reads the stored form.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        match text {
            "trialing" => Ok(Self::Trialing),
            "active" => Ok(Self::Active),
            "past_due" => Ok(Self::PastDue),
            "canceled" => Ok(Self::Canceled),
            other => Err(InvalidInput::new(format!(
                "`{}` is not a subscription status",
                shown(other)
            ))),
        }
    }

    /// Whether a subscription in this status is the user's current one (at most one is).
    pub fn is_current(self) -> bool {
        self != Self::Canceled
    }
}

/// A stored subscription with its plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The subscription's id.
    pub id: Uuid,
    /// Whose it is.
    pub user_id: UserId,
    /// The plan subscribed to.
    pub plan: Plan,
    /// Where it stands.
    pub status: SubscriptionStatus,
    /// The start of the first paid period; paid periods are counted from here.
    pub anchor: DateTime<Utc>,
    /// Which paid period the subscription is in (0 for the first, and during the trial).
    pub period_index: u32,
    /// The current period: the trial while trialing, else the paid period `period_index`.
    pub current_period: Period,
    /// When the trial ends, for a plan with one.
    pub trial_end: Option<DateTime<Utc>>,
    /// When it was canceled.
    pub canceled_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// How a new subscription begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    /// `trialing` for a plan with trial days, else `active`.
    pub status: SubscriptionStatus,
    /// Where paid periods are counted from.
    pub anchor: DateTime<Utc>,
    /// The first period: the trial, or the first paid period.
    pub period: Period,
    /// When the trial ends, if there is one.
    pub trial_end: Option<DateTime<Utc>>,
}

/// The start of a subscription to `plan` made at `now`; `None` only past the calendar's range.
pub fn start(plan: &Plan, now: DateTime<Utc>) -> Option<Start> {
    if plan.trial_days > 0 {
        let trial = period::trial_period(now, plan.trial_days)?;
        return Some(Start {
            status: SubscriptionStatus::Trialing,
            anchor: trial.end,
            period: trial,
            trial_end: Some(trial.end),
        });
    }
    Some(Start {
        status: SubscriptionStatus::Active,
        anchor: now,
        period: period::nth_period(now, plan.interval, 0)?,
        trial_end: None,
    })
}

/// What follows the current period of a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Renewal {
    /// The status in the next period: a trial ends into `active`; otherwise unchanged.
    pub status: SubscriptionStatus,
    /// The index of the next paid period.
    pub period_index: u32,
    /// The next period, to be invoiced.
    pub period: Period,
}

impl Subscription {
    /// The period after the current one, or `None` for a canceled subscription (or past the calendar's range).
    pub fn renewal(&self) -> Option<Renewal> {
        match self.status {
            SubscriptionStatus::Canceled => None,
            SubscriptionStatus::Trialing => Some(Renewal {
                status: SubscriptionStatus::Active,
                period_index: 0,
                period: period::nth_period(self.anchor, self.plan.interval, 0)?,
            }),
            status => {
                let index = self.period_index.checked_add(1)?;
                Some(Renewal {
                    status,
                    period_index: index,
                    period: period::nth_period(self.anchor, self.plan.interval, index)?,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Currency, Interval, Money};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn plan(trial_days: u32) -> Plan {
        Plan {
            id: Uuid::now_v7(),
            code: "pro".into(),
            name: "Pro".into(),
            price: Money::new(900, Currency::parse("EUR").unwrap()),
            interval: Interval::Month,
            trial_days,
            active: true,
            created_at: at("2026-01-01T00:00:00Z"),
        }
    }

    fn subscription(plan: Plan, begun: Start) -> Subscription {
        Subscription {
            id: Uuid::now_v7(),
            user_id: UserId::parse("u1").unwrap(),
            plan,
            status: begun.status,
            anchor: begun.anchor,
            period_index: 0,
            current_period: begun.period,
            trial_end: begun.trial_end,
            canceled_at: None,
            created_at: begun.period.start,
        }
    }

    #[test]
    fn without_a_trial_a_subscription_is_active_for_its_first_month() {
        let begun = start(&plan(0), at("2026-01-31T08:00:00Z")).unwrap();
        assert_eq!(begun.status, SubscriptionStatus::Active);
        assert_eq!(begun.period.end, at("2026-02-28T08:00:00Z"));
        let next = subscription(plan(0), begun).renewal().unwrap();
        assert_eq!(next.status, SubscriptionStatus::Active);
        assert_eq!(next.period_index, 1);
        assert_eq!(next.period.start, at("2026-02-28T08:00:00Z"));
        assert_eq!(next.period.end, at("2026-03-31T08:00:00Z"));
    }

    #[test]
    fn a_trial_ends_into_the_first_paid_period() {
        let begun = start(&plan(14), at("2026-03-01T00:00:00Z")).unwrap();
        assert_eq!(begun.status, SubscriptionStatus::Trialing);
        assert_eq!(begun.trial_end, Some(at("2026-03-15T00:00:00Z")));
        let next = subscription(plan(14), begun).renewal().unwrap();
        assert_eq!(next.status, SubscriptionStatus::Active);
        assert_eq!(next.period_index, 0);
        assert_eq!(next.period.start, at("2026-03-15T00:00:00Z"));
        assert_eq!(next.period.end, at("2026-04-15T00:00:00Z"));
    }

    #[test]
    fn a_canceled_subscription_does_not_renew_and_statuses_round_trip() {
        let mut canceled = subscription(plan(0), start(&plan(0), at("2026-01-01T00:00:00Z")).unwrap());
        canceled.status = SubscriptionStatus::Canceled;
        assert_eq!(canceled.renewal(), None);
        for status in [
            SubscriptionStatus::Trialing,
            SubscriptionStatus::Active,
            SubscriptionStatus::PastDue,
            SubscriptionStatus::Canceled,
        ] {
            assert_eq!(SubscriptionStatus::parse(status.as_str()).unwrap(), status);
        }
        assert!(!SubscriptionStatus::Canceled.is_current());
        assert!(SubscriptionStatus::PastDue.is_current());
    }
}
