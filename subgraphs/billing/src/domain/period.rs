//! Billing periods: how often a plan bills, and where each period of a subscription starts and ends.
//!
//! Periods are counted from the subscription's anchor, not chained from the previous end: the n-th period starts
//! at `anchor + n intervals`, with the day clamped to the month's last day. So a subscription anchored on
//! January 31 renews on February 28 (or 29), then March 31, April 30 — never drifting to the 28th for good.

use chrono::{DateTime, Duration, Months, Utc};

use super::InvalidInput;

/// How often a plan bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interval {
    /// Every calendar month.
    Month,
    /// Every calendar year.
    Year,
}

impl Interval {
    /// The stored form: `month` or `year`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Year => "year",
        }
    }

    /// Reads the stored form.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        match text {
            "month" => Ok(Self::Month),
            "year" => Ok(Self::Year),
            other => Err(InvalidInput::new(format!(
                "`{}` is not a billing interval (month or year)",
                super::shown(other)
            ))),
        }
    }

    fn months(self) -> u32 {
        match self {
            Self::Month => 1,
            Self::Year => 12,
        }
    }
}

/// A half-open span of time `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first instant of the period.
    pub start: DateTime<Utc>,
    /// The first instant after it.
    pub end: DateTime<Utc>,
}

/// The moment `count` intervals after `anchor`, calendar-correct; `None` past the calendar's range.
pub fn add_intervals(anchor: DateTime<Utc>, interval: Interval, count: u32) -> Option<DateTime<Utc>> {
    let months = interval.months().checked_mul(count)?;
    anchor.checked_add_months(Months::new(months))
}

/// The `index`-th period (0-based) of a subscription anchored at `anchor` billing every `interval`.
pub fn nth_period(anchor: DateTime<Utc>, interval: Interval, index: u32) -> Option<Period> {
    let start = add_intervals(anchor, interval, index)?;
    let end = add_intervals(anchor, interval, index.checked_add(1)?)?;
    Some(Period { start, end })
}

/// The trial that starts at `start` and lasts `days` days.
pub fn trial_period(start: DateTime<Utc>, days: u32) -> Option<Period> {
    let end = start.checked_add_signed(Duration::days(i64::from(days)))?;
    Some(Period { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn january_31_plus_one_month_is_the_last_day_of_february() {
        let anchor = at("2026-01-31T09:30:00Z");
        assert_eq!(
            add_intervals(anchor, Interval::Month, 1),
            Some(at("2026-02-28T09:30:00Z"))
        );
        assert_eq!(
            add_intervals(at("2028-01-31T00:00:00Z"), Interval::Month, 1),
            Some(at("2028-02-29T00:00:00Z"))
        );
    }

    #[test]
    fn periods_are_counted_from_the_anchor_so_the_day_does_not_drift() {
        let anchor = at("2026-01-31T00:00:00Z");
        let ends: Vec<_> = (0..4)
            .map(|n| nth_period(anchor, Interval::Month, n).unwrap().end)
            .collect();
        assert_eq!(
            ends,
            [
                at("2026-02-28T00:00:00Z"),
                at("2026-03-31T00:00:00Z"),
                at("2026-04-30T00:00:00Z"),
                at("2026-05-31T00:00:00Z"),
            ]
        );
        // Consecutive periods meet exactly.
        let first = nth_period(anchor, Interval::Month, 0).unwrap();
        let second = nth_period(anchor, Interval::Month, 1).unwrap();
        assert_eq!(first.end, second.start);
    }

    #[test]
    fn a_yearly_period_from_february_29_ends_on_february_28() {
        let period = nth_period(at("2028-02-29T12:00:00Z"), Interval::Year, 0).unwrap();
        assert_eq!(period.end, at("2029-02-28T12:00:00Z"));
        let after = nth_period(at("2028-02-29T12:00:00Z"), Interval::Year, 4).unwrap();
        assert_eq!(after.start, at("2032-02-29T12:00:00Z"));
    }

    #[test]
    fn past_the_calendar_there_is_no_period() {
        assert_eq!(nth_period(at("2026-01-01T00:00:00Z"), Interval::Year, u32::MAX), None);
    }

    #[test]
    fn a_trial_lasts_whole_days_and_intervals_round_trip() {
        let trial = trial_period(at("2026-03-01T10:00:00Z"), 14).unwrap();
        assert_eq!(trial.end, at("2026-03-15T10:00:00Z"));
        for interval in [Interval::Month, Interval::Year] {
            assert_eq!(Interval::parse(interval.as_str()).unwrap(), interval);
        }
        assert!(Interval::parse("week").is_err());
    }
}
