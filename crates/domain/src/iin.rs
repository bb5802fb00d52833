//! The individual identification number (ЖСН / ИИН).
//!
//! Only length, digits and the check digit are validated (domain-research §4.1):
//! since Government decree No. 853 of 26.08.2013 the digits are not bound to
//! the person's birth date or sex, so a mismatch there is not an error.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Field};

const W1: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const W2: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/// A 12-digit IIN whose check digit is correct.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iin(String);

impl Iin {
    /// Parses an IIN typed by a person. Surrounding spaces are tolerated;
    /// anything else that is not exactly twelve digits is refused.
    pub fn parse(field: Field, raw: &str) -> Result<Iin, Error> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(Error::Required(field));
        }
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::IinFormat(field));
        }
        let digits: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
        match check_digit(&digits[..11]) {
            Some(c) if c == digits[11] => Ok(Iin(s.to_owned())),
            _ => Err(Error::IinCheckDigit(field)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check digit for an 11-digit prefix, or `None` when both weighting
/// passes give 10: such a prefix is never issued.
pub fn check_digit(prefix: &[u32]) -> Option<u32> {
    debug_assert_eq!(prefix.len(), 11);
    let pass = |w: &[u32; 11]| prefix.iter().zip(w).map(|(d, w)| d * w).sum::<u32>() % 11;
    match pass(&W1) {
        10 => match pass(&W2) {
            10 => None,
            c => Some(c),
        },
        c => Some(c),
    }
}

impl fmt::Display for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Iin> for String {
    fn from(i: Iin) -> String {
        i.0
    }
}

impl TryFrom<String> for Iin {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        Iin::parse(Field::Iin, &s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> bool {
        Iin::parse(Field::ApplicantIin, s).is_ok()
    }

    #[test]
    fn vectors_from_domain_research() {
        assert!(ok("900101300007"), "first pass = 7");
        assert!(ok("150315500015"), "first pass = 5");
        assert!(ok("150315500607"), "second pass = 7");
        assert!(!ok("150315500609"));
        assert!(!ok("780322300455"), "Faker's docstring sample is not valid");
    }

    #[test]
    fn prefix_with_no_valid_iin() {
        let prefix: Vec<u32> = "15031550067".bytes().map(|b| u32::from(b - b'0')).collect();
        assert_eq!(check_digit(&prefix), None);
        for last in 0..=9 {
            assert!(!ok(&format!("15031550067{last}")));
        }
    }

    #[test]
    fn format_errors_are_told_apart() {
        assert_eq!(Iin::parse(Field::ApplicantIin, "  "), Err(Error::Required(Field::ApplicantIin)));
        assert_eq!(Iin::parse(Field::ChildIin, "90010130000"), Err(Error::IinFormat(Field::ChildIin)));
        assert_eq!(Iin::parse(Field::ChildIin, "9001013000070"), Err(Error::IinFormat(Field::ChildIin)));
        assert_eq!(Iin::parse(Field::ChildIin, "90010130000x"), Err(Error::IinFormat(Field::ChildIin)));
        assert_eq!(Iin::parse(Field::ChildIin, "９００１０１３０００７"), Err(Error::IinFormat(Field::ChildIin)));
        assert_eq!(Iin::parse(Field::ChildIin, "900101300008"), Err(Error::IinCheckDigit(Field::ChildIin)));
        assert_eq!(Iin::parse(Field::ChildIin, " 900101300007 ").map(|i| i.to_string()), Ok("900101300007".into()));
    }

    #[test]
    fn exactly_one_check_digit_fits_every_issuable_prefix() {
        // Exhaustive over a slice of prefixes: the validator and the generator agree.
        for n in 0..20_000u64 {
            let prefix = format!("{:011}", 15_031_500_000u64 + n * 7);
            let d: Vec<u32> = prefix.bytes().map(|b| u32::from(b - b'0')).collect();
            let valid: Vec<u32> = (0..=9).filter(|c| ok(&format!("{prefix}{c}"))).collect();
            match check_digit(&d) {
                Some(c) => assert_eq!(valid, vec![c], "{prefix}"),
                None => assert!(valid.is_empty(), "{prefix}"),
            }
        }
    }
}
