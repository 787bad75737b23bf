//! Billing's rules, free of I/O: money ([`money`]), billing periods ([`period`]), plans ([`plan`]), subscriptions
//! ([`subscription`]), invoices ([`invoice`]), payments ([`payment`]) and paging ([`page`]). Every value that comes
//! from a client is parsed into one of these types first, so an invalid value cannot reach the store.

pub mod ids;
pub mod invoice;
pub mod money;
pub mod page;
pub mod payment;
pub mod period;
pub mod plan;
pub mod subscription;

pub use ids::{UserId, parse_id};
pub use invoice::{Invoice, InvoiceLine, InvoiceStatus, NewInvoiceLine};
pub use money::{Currency, Money, MoneyError};
pub use page::{Cursor, PageSize};
pub use payment::{IdempotencyKey, Payment};
pub use period::{Interval, Period};
pub use plan::{NewPlan, Plan, PlanCode};
pub use subscription::{Subscription, SubscriptionStatus};

/// A value the billing service refuses; the message is safe to show to the client who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(String);

impl InvalidInput {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl From<MoneyError> for InvalidInput {
    fn from(error: MoneyError) -> Self {
        Self::new(error.to_string())
    }
}

/// Most characters of a client's value echoed back in an error message.
const SHOWN_CHARS: usize = 64;

/// `text` cut short for an error message, so a huge value is not echoed whole.
pub(crate) fn shown(text: &str) -> String {
    let mut cut: String = text.chars().take(SHOWN_CHARS).collect();
    if text.chars().count() > SHOWN_CHARS {
        cut.push('…');
    }
    cut
}

/// `text` trimmed, refused when empty, longer than `max` characters, or holding control characters.
pub(crate) fn bounded_text(text: &str, what: &str, max: usize) -> Result<String, InvalidInput> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(InvalidInput::new(format!("the {what} must not be empty")));
    }
    if trimmed.chars().count() > max {
        return Err(InvalidInput::new(format!("the {what} is longer than {max} characters")));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(InvalidInput::new(format!("the {what} holds control characters")));
    }
    Ok(trimmed.to_owned())
}
