//! Payments: recorded once per idempotency key, so a retried request never charges twice.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{InvalidInput, Money, UserId, bounded_text};

/// Longest idempotency key accepted.
const MAX_KEY_LEN: usize = 200;

/// The client's name for one payment attempt: the same key always answers the same payment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Refuses an empty key, one longer than 200 characters, or one holding control characters.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        bounded_text(text, "idempotency key", MAX_KEY_LEN).map(Self)
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A recorded payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// The payment's id.
    pub id: Uuid,
    /// The invoice it paid.
    pub invoice_id: Uuid,
    /// Who paid.
    pub payer_id: UserId,
    /// The amount paid.
    pub amount: Money,
    /// The key it was recorded under.
    pub idempotency_key: String,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_present_and_bounded() {
        assert_eq!(IdempotencyKey::parse(" k-1 ").unwrap().as_str(), "k-1");
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(201)).is_err());
        assert!(IdempotencyKey::parse("a\nb").is_err());
    }
}
