//! The `plan` stage: a validated, normalized operation in, our own [`QueryPlan`] out.
//!
//! Normalization and planning come from `hive-router-query-planner`; [`QueryPlanner`] runs them on blocking
//! threads under a deadline, and `convert` turns the library's plan into [`model`]'s types.

mod config;
mod convert;
mod error;
#[cfg(test)]
mod fixture_plans;
mod guard;
pub mod model;
mod overrides;
mod planner;
mod shared;

pub use config::PlanConfig;
pub use error::PlanError;
pub use model::QueryPlan;
pub use overrides::OverrideContext;
pub use planner::{PlanContext, PlannedOperation, QueryPlanner};
pub use shared::SharedPlans;
