//! Creating and archiving plans.

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::{Billing, to_micros};
use crate::domain::{NewPlan, Plan, PlanCode};
use crate::error::BillingError;
use crate::events::{self, BillingEvent};
use crate::store::{is_unique_violation, reads, writes};

impl Billing {
    /// Creates `plan` as `actor`; a taken code is a conflict.
    pub async fn create_plan(&self, actor: &str, plan: NewPlan, now: DateTime<Utc>) -> Result<Plan, BillingError> {
        let plan = Plan {
            id: Uuid::now_v7(),
            code: plan.code.as_str().to_owned(),
            name: plan.name,
            price: plan.price,
            interval: plan.interval,
            trial_days: plan.trial_days,
            active: true,
            created_at: to_micros(now),
        };
        let txn = self.conn.begin().await?;
        if let Err(error) = writes::insert_plan(&txn, &plan).await {
            if is_unique_violation(&error) {
                return Err(BillingError::Conflict(format!(
                    "a plan with code `{}` exists",
                    plan.code
                )));
            }
            return Err(error.into());
        }
        events::enqueue(&txn, BillingEvent::PlanCreated(&plan), Some(actor)).await?;
        txn.commit().await?;
        Ok(plan)
    }

    /// The plan with `code`, or NOT_FOUND.
    pub async fn plan(&self, code: &PlanCode) -> Result<Plan, BillingError> {
        reads::plan_by_code(&self.conn, code.as_str())
            .await?
            .ok_or_else(|| BillingError::NotFound(format!("there is no plan `{}`", code.as_str())))
    }

    /// Archives `plan` as `actor`: it keeps serving its subscribers but takes no new ones.
    pub async fn archive_plan(&self, actor: &str, plan: Plan) -> Result<Plan, BillingError> {
        let txn = self.conn.begin().await?;
        if !writes::archive_plan(&txn, plan.id).await? {
            return Err(BillingError::Conflict(format!(
                "plan `{}` is already archived",
                plan.code
            )));
        }
        let archived = Plan { active: false, ..plan };
        events::enqueue(&txn, BillingEvent::PlanArchived(&archived), Some(actor)).await?;
        txn.commit().await?;
        Ok(archived)
    }
}
