//! Money as an integer count of a currency's minor units (cents, pence, yen), never a float, so every sum is
//! exact; arithmetic is checked, and amounts in different currencies never mix.

use std::fmt;

use super::InvalidInput;

/// ISO 4217 codes this service bills in, with the number of minor-unit digits each one has.
const CURRENCIES: [(&str, u32); 36] = [
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PLN", 2),
    ("RON", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

/// An ISO 4217 currency this service supports, with its minor-unit exponent (JPY 0, EUR 2, KWD 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

impl Currency {
    /// Parses a three-letter code (case-insensitive); codes outside the supported list are refused.
    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        let upper = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == upper)
            .map(|&(code, exponent)| Self { code, exponent })
            .ok_or_else(|| {
                InvalidInput::new(format!(
                    "`{}` is not a supported ISO 4217 currency code",
                    super::shown(code)
                ))
            })
    }

    /// The three-letter code, e.g. `EUR`.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// How many digits follow the decimal point in this currency's major unit.
    pub fn exponent(self) -> u32 {
        self.exponent
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// Why an arithmetic operation on money has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The operands are in different currencies.
    #[error("cannot combine {left} and {right} amounts")]
    CurrencyMismatch {
        /// The left operand's currency.
        left: Currency,
        /// The right operand's currency.
        right: Currency,
    },
    /// The result does not fit in 64 bits of minor units.
    #[error("the amount is too large")]
    Overflow,
}

/// An amount of money: signed minor units of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// `minor` units of `currency` (e.g. 1234 EUR cents for EUR 12.34).
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Nothing, in `currency`; the start of a sum.
    pub fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// The amount in minor units.
    pub fn minor(self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// Whether the amount is below zero.
    pub fn is_negative(self) -> bool {
        self.minor < 0
    }

    /// `self + other`; an error for different currencies or an overflow.
    pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
        self.same_currency(other)?;
        let minor = self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Self::new(minor, self.currency))
    }

    /// `self - other`; an error for different currencies or an overflow.
    pub fn checked_sub(self, other: Self) -> Result<Self, MoneyError> {
        self.same_currency(other)?;
        let minor = self.minor.checked_sub(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Self::new(minor, self.currency))
    }

    /// `self × quantity`; an error on overflow.
    pub fn checked_mul(self, quantity: i64) -> Result<Self, MoneyError> {
        let minor = self.minor.checked_mul(quantity).ok_or(MoneyError::Overflow)?;
        Ok(Self::new(minor, self.currency))
    }

    /// The sum of `amounts`, all in `currency`; zero for none.
    pub fn sum(currency: Currency, amounts: impl IntoIterator<Item = Self>) -> Result<Self, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Self::zero(currency), |total, amount| total.checked_add(amount))
    }

    fn same_currency(self, other: Self) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

impl fmt::Display for Money {
    /// `EUR 12.34`, `JPY 500`, `KWD -1.005`: the code, then the amount with the currency's own number of decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        // `unsigned_abs` makes i64::MIN printable too.
        let magnitude = self.minor.unsigned_abs();
        let exponent = self.currency.exponent;
        if exponent == 0 {
            return write!(f, "{} {sign}{magnitude}", self.currency.code);
        }
        let scale = 10u64.pow(exponent);
        let width = usize::try_from(exponent).unwrap_or(0);
        write!(
            f,
            "{} {sign}{}.{:0width$}",
            self.currency.code,
            magnitude / scale,
            magnitude % scale
        )
    }
}

/// Parses a count of minor units written as decimal digits with an optional leading `-`.
pub fn parse_minor_units(text: &str) -> Result<i64, InvalidInput> {
    let trimmed = text.trim();
    let digits = trimmed.strip_prefix('-').unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InvalidInput::new(format!(
            "`{}` is not a whole number of minor units",
            super::shown(text)
        )));
    }
    trimmed
        .parse()
        .map_err(|_| InvalidInput::new(format!("`{}` does not fit in 64 bits", super::shown(text))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn currencies_are_parsed_case_insensitively_and_unknown_codes_are_refused() {
        assert_eq!(Currency::parse("eur").unwrap(), eur());
        assert_eq!(Currency::parse("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().exponent(), 3);
        for bad in ["", "EU", "EURO", "XXX", "€"] {
            assert!(Currency::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn formatting_follows_each_currencys_exponent() {
        let jpy = Currency::parse("JPY").unwrap();
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(Money::new(1234, eur()).to_string(), "EUR 12.34");
        assert_eq!(Money::new(5, eur()).to_string(), "EUR 0.05");
        assert_eq!(Money::new(-250, eur()).to_string(), "EUR -2.50");
        assert_eq!(Money::new(500, jpy).to_string(), "JPY 500");
        assert_eq!(Money::new(1005, kwd).to_string(), "KWD 1.005");
        assert_eq!(Money::new(i64::MIN, eur()).to_string(), "EUR -92233720368547758.08");
    }

    #[test]
    fn adding_different_currencies_is_an_error() {
        let usd = Currency::parse("USD").unwrap();
        let error = Money::new(1, eur()).checked_add(Money::new(1, usd)).unwrap_err();
        assert_eq!(
            error,
            MoneyError::CurrencyMismatch {
                left: eur(),
                right: usd
            }
        );
        assert!(Money::sum(eur(), [Money::new(1, eur()), Money::new(1, usd)]).is_err());
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        let max = Money::new(i64::MAX, eur());
        assert_eq!(max.checked_add(Money::new(1, eur())), Err(MoneyError::Overflow));
        assert_eq!(
            Money::new(i64::MIN, eur()).checked_sub(Money::new(1, eur())),
            Err(MoneyError::Overflow)
        );
        assert_eq!(max.checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(Money::new(3, eur()).checked_mul(4).unwrap().minor(), 12);
        assert_eq!(
            Money::sum(eur(), [Money::new(250, eur()), Money::new(-50, eur())]).unwrap(),
            Money::new(200, eur())
        );
    }

    #[test]
    fn minor_units_are_whole_numbers_within_64_bits() {
        assert_eq!(parse_minor_units("9223372036854775807").unwrap(), i64::MAX);
        assert_eq!(parse_minor_units("-12").unwrap(), -12);
        for bad in ["", "-", "1.5", "1e3", "+1", "9223372036854775808", "ten"] {
            assert!(parse_minor_units(bad).is_err(), "{bad:?}");
        }
    }
}
