//! Plans: what a subscription buys, at what price, how often, with how long a free trial.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Interval, InvalidInput, Money, bounded_text, shown};

/// Longest plan code accepted.
const MAX_CODE_LEN: usize = 64;
/// Longest plan name accepted.
const MAX_NAME_LEN: usize = 200;
/// Longest free trial a plan may offer, in days.
pub const MAX_TRIAL_DAYS: i32 = 365;

/// A plan's unique code, e.g. `pro-monthly`: lowercase letters, digits and dashes, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlanCode(String);

impl PlanCode {
    /// Refuses anything but 1 to 64 of `a-z`, `0-9` and `-`, starting with a letter.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let code = text.trim();
        let valid = !code.is_empty()
            && code.len() <= MAX_CODE_LEN
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Self(code.to_owned()))
        } else {
            Err(InvalidInput::new(format!(
                "`{}` is not a plan code: use up to {MAX_CODE_LEN} lowercase letters, digits and dashes, \
                 starting with a letter",
                shown(text)
            )))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A plan to create, every field checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan {
    /// The unique code.
    pub code: PlanCode,
    /// The name shown to people.
    pub name: String,
    /// The price of one period; positive.
    pub price: Money,
    /// How often it bills.
    pub interval: Interval,
    /// Days of free trial before the first invoice; 0 for none.
    pub trial_days: u32,
}

impl NewPlan {
    /// Checks a plan a client described.
    pub fn parse(
        code: &str,
        name: &str,
        price: Money,
        interval: Interval,
        trial_days: i32,
    ) -> Result<Self, InvalidInput> {
        let code = PlanCode::parse(code)?;
        let name = bounded_text(name, "plan name", MAX_NAME_LEN)?;
        if price.minor() <= 0 {
            return Err(InvalidInput::new(format!(
                "a plan's price must be above zero, not {price}"
            )));
        }
        if !(0..=MAX_TRIAL_DAYS).contains(&trial_days) {
            return Err(InvalidInput::new(format!(
                "trial days must be between 0 and {MAX_TRIAL_DAYS}, not {trial_days}"
            )));
        }
        Ok(Self {
            code,
            name,
            price,
            interval,
            // In 0..=365, so the conversion cannot fail.
            trial_days: u32::try_from(trial_days).unwrap_or(0),
        })
    }
}

/// A stored plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The plan's id.
    pub id: Uuid,
    /// The unique code.
    pub code: String,
    /// The name shown to people.
    pub name: String,
    /// The price of one period.
    pub price: Money,
    /// How often it bills.
    pub interval: Interval,
    /// Days of free trial.
    pub trial_days: u32,
    /// Whether new subscriptions may choose it; archived plans keep serving their subscribers.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;

    fn price(minor: i64) -> Money {
        Money::new(minor, Currency::parse("EUR").unwrap())
    }

    #[test]
    fn codes_are_lowercase_slugs() {
        assert!(PlanCode::parse("pro-monthly").is_ok());
        for bad in ["", "Pro", "9lives", "with space", "a_b", &"a".repeat(65)] {
            assert!(PlanCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_plan_needs_a_positive_price_and_a_bounded_trial() {
        assert!(NewPlan::parse("pro", "Pro", price(900), Interval::Month, 14).is_ok());
        assert!(NewPlan::parse("pro", "Pro", price(0), Interval::Month, 0).is_err());
        assert!(NewPlan::parse("pro", "Pro", price(-1), Interval::Month, 0).is_err());
        assert!(NewPlan::parse("pro", "Pro", price(900), Interval::Month, -1).is_err());
        assert!(NewPlan::parse("pro", "Pro", price(900), Interval::Month, 366).is_err());
        assert!(NewPlan::parse("pro", " ", price(900), Interval::Month, 0).is_err());
    }
}
