//! Invoices: lines of quantity × unit price, totals computed from the lines, a status and a due date.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Currency, InvalidInput, Money, MoneyError, UserId, bounded_text, shown};

/// Longest line description accepted.
const MAX_DESCRIPTION_LEN: usize = 500;

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    /// Being put together; not yet owed.
    Draft,
    /// Owed.
    Open,
    /// Paid in full.
    Paid,
    /// Cancelled by an administrator; nothing is owed.
    Void,
}

impl InvoiceStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Paid => "paid",
            Self::Void => "void",
        }
    }

    /// Reads the stored form.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        match text {
            "draft" => Ok(Self::Draft),
            "open" => Ok(Self::Open),
            "paid" => Ok(Self::Paid),
            "void" => Ok(Self::Void),
            other => Err(InvalidInput::new(format!(
                "`{}` is not an invoice status",
                shown(other)
            ))),
        }
    }
}

/// A line to put on an invoice: `quantity` × `unit_price`, described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvoiceLine {
    /// What is billed.
    pub description: String,
    /// How many; at least one.
    pub quantity: i64,
    /// The price of one.
    pub unit_price: Money,
    /// `quantity × unit_price`.
    pub amount: Money,
}

impl NewInvoiceLine {
    /// A line whose amount is computed, refusing an empty description, a quantity below one, or an overflow.
    pub fn new(description: &str, quantity: i64, unit_price: Money) -> Result<Self, InvalidInput> {
        let description = bounded_text(description, "line description", MAX_DESCRIPTION_LEN)?;
        if quantity < 1 {
            return Err(InvalidInput::new(format!(
                "a line's quantity must be at least 1, not {quantity}"
            )));
        }
        let amount = unit_price.checked_mul(quantity)?;
        Ok(Self {
            description,
            quantity,
            unit_price,
            amount,
        })
    }
}

/// A stored invoice line.
pub type InvoiceLine = NewInvoiceLine;

/// The subtotal of `lines` in `currency`: every line must be in it, and the sum must fit.
pub fn subtotal(currency: Currency, lines: &[NewInvoiceLine]) -> Result<Money, MoneyError> {
    Money::sum(currency, lines.iter().map(|line| line.amount))
}

/// A stored invoice with its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// The invoice's id.
    pub id: Uuid,
    /// Who owes it.
    pub user_id: UserId,
    /// The subscription it bills, if any.
    pub subscription_id: Option<Uuid>,
    /// Where it stands.
    pub status: InvoiceStatus,
    /// What is billed, in order.
    pub lines: Vec<InvoiceLine>,
    /// The sum of the lines.
    pub subtotal: Money,
    /// What is owed in all.
    pub total: Money,
    /// The billing period it covers, for a subscription invoice.
    pub period_start: Option<DateTime<Utc>>,
    /// The end of that period.
    pub period_end: Option<DateTime<Utc>>,
    /// When payment is due.
    pub due_at: DateTime<Utc>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// When it was voided.
    pub voided_at: Option<DateTime<Utc>>,
}

impl Invoice {
    /// What remains to be paid: the total while open, nothing otherwise.
    pub fn amount_due(&self) -> Money {
        if self.status == InvoiceStatus::Open {
            self.total
        } else {
            Money::zero(self.total.currency())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::parse("EUR").unwrap())
    }

    #[test]
    fn a_lines_amount_is_quantity_times_unit_price() {
        let line = NewInvoiceLine::new("Seats", 3, eur(1_250)).unwrap();
        assert_eq!(line.amount, eur(3_750));
        assert!(NewInvoiceLine::new("Seats", 0, eur(1)).is_err());
        assert!(NewInvoiceLine::new(" ", 1, eur(1)).is_err());
        assert!(NewInvoiceLine::new("Seats", 2, eur(i64::MAX)).is_err());
    }

    #[test]
    fn the_subtotal_sums_lines_of_one_currency_only() {
        let eur_currency = Currency::parse("EUR").unwrap();
        let lines = [
            NewInvoiceLine::new("Plan", 1, eur(900)).unwrap(),
            NewInvoiceLine::new("Seats", 2, eur(300)).unwrap(),
        ];
        assert_eq!(subtotal(eur_currency, &lines).unwrap(), eur(1_500));
        let usd = Money::new(100, Currency::parse("USD").unwrap());
        let mixed = [NewInvoiceLine::new("Plan", 1, usd).unwrap()];
        assert!(subtotal(eur_currency, &mixed).is_err());
    }
}
