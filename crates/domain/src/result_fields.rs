//! The facts a result paper states besides its parties — an allowance's
//! amount and period, the school of free meals, a camp's shift — as the
//! catalog declares them for each result form ([`FieldSpec`]), and the
//! values an executor types, checked and put in one stored form
//! ([`check_values`]) and shown on paper ([`display`]).
//!
//! Stored forms: text trimmed; a number as its digits; money as
//! `12345.67` (tenge and tiyn); a date as `YYYY-MM-DD`; a period as
//! `YYYY-MM-DD/YYYY-MM-DD` (ISO 8601's interval), its start not after its
//! end.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::lang::Bilingual;

/// The longest text a field takes (a paper line or two).
pub const MAX_FIELD_TEXT: usize = 300;

/// The largest amount a payment field takes, in tenge: far above any
/// allowance, low enough that a slip of the finger is caught.
const MAX_AMOUNT: f64 = 100_000_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    Text,
    /// A whole number (a class, a count).
    Number,
    /// Tenge with up to two decimals, more than zero.
    Money,
    Date,
    /// From a date to a date.
    Period,
}

/// One fact a result form states, as the catalog declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub key: String,
    pub label: Bilingual,
    pub kind: ValueKind,
    /// Whether the paper cannot go without it.
    #[serde(default = "required_by_default")]
    pub required: bool,
}

fn required_by_default() -> bool {
    true
}

/// The values of a result's fields, by key, in their stored forms.
pub type FieldValues = BTreeMap<String, String>;

/// Checks what the executor typed against the form's `specs`: every
/// required field present, every value of its kind; the stored forms come
/// back. A key the form does not declare is refused (a crafted payload).
pub fn check_values(specs: &[FieldSpec], given: &FieldValues) -> Result<FieldValues, Error> {
    if let Some(key) = given.keys().find(|k| !specs.iter().any(|s| &s.key == *k)) {
        return Err(Error::MalformedRequest(format!("result field {key:?}")));
    }
    let mut out = FieldValues::new();
    for spec in specs {
        let raw = given.get(&spec.key).map(|v| v.trim()).unwrap_or_default();
        if raw.is_empty() || (spec.kind == ValueKind::Period && raw == "/") {
            if spec.required {
                return Err(Error::ResultFieldMissing { label: spec.label.clone() });
            }
            continue;
        }
        let value = stored(spec.kind, raw)
            .ok_or_else(|| Error::ResultFieldInvalid { label: spec.label.clone(), kind: spec.kind })?;
        out.insert(spec.key.clone(), value);
    }
    Ok(out)
}

/// A value in its stored form, or `None` when it is not of `kind`.
fn stored(kind: ValueKind, raw: &str) -> Option<String> {
    match kind {
        ValueKind::Text => {
            let hidden = |c: char| c.is_control() || crate::application::is_invisible_format(c);
            let ok = raw.chars().count() <= MAX_FIELD_TEXT && !raw.chars().any(hidden);
            ok.then(|| raw.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        ValueKind::Number => {
            let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
            let ok = !digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit());
            ok.then(|| digits.trim_start_matches('0').to_owned()).map(|d| if d.is_empty() { "0".into() } else { d })
        }
        ValueKind::Money => money(raw),
        ValueKind::Date => date(raw).map(|d| d.to_string()),
        ValueKind::Period => {
            let (from, to) = raw.split_once('/')?;
            let (from, to) = (date(from.trim())?, date(to.trim())?);
            (from <= to).then(|| format!("{from}/{to}"))
        }
    }
}

/// `45 000,50`, `45000.5`, `45 000` → `45000.50`; more than two decimals,
/// zero, a negative or an absurd amount → `None`.
fn money(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    let compact = compact.strip_suffix('₸').unwrap_or(&compact).replace(',', ".");
    let (whole, cents) = compact.split_once('.').unwrap_or((&compact, ""));
    let ok = !whole.is_empty()
        && whole.len() <= 12
        && whole.bytes().all(|b| b.is_ascii_digit())
        && cents.len() <= 2
        && cents.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        return None;
    }
    let value: f64 = format!("{whole}.{cents:0<2}").parse().ok()?;
    let whole = match whole.trim_start_matches('0') {
        "" => "0",
        w => w,
    };
    (value > 0.0 && value <= MAX_AMOUNT).then(|| format!("{whole}.{cents:0<2}"))
}

/// `dd.mm.yyyy` (as every form of Kense takes dates) or `yyyy-mm-dd`.
pub fn date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%d.%m.%Y").or_else(|_| NaiveDate::parse_from_str(raw, "%Y-%m-%d")).ok()
}

/// A stored value as a paper prints it: dates `dd.mm.yyyy`, a period
/// `dd.mm.yyyy – dd.mm.yyyy`, money grouped by thousands with a decimal
/// comma (the unit is in the field's label: the paper's font has no ₸).
pub fn display(kind: ValueKind, value: &str) -> String {
    let day = |s: &str| date(s).map_or_else(|| s.to_owned(), |d| d.format("%d.%m.%Y").to_string());
    match kind {
        ValueKind::Text | ValueKind::Number => value.to_owned(),
        ValueKind::Date => day(value),
        ValueKind::Period => match value.split_once('/') {
            Some((from, to)) => format!("{} – {}", day(from), day(to)),
            None => value.to_owned(),
        },
        ValueKind::Money => {
            let (whole, cents) = value.split_once('.').unwrap_or((value, "00"));
            let digits: Vec<char> = whole.chars().collect();
            let mut grouped = String::new();
            for (i, c) in digits.iter().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    grouped.push(' ');
                }
                grouped.push(*c);
            }
            format!("{grouped},{cents}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(key: &str, kind: ValueKind, required: bool) -> FieldSpec {
        FieldSpec { key: key.into(), label: Bilingual::new(key, key), kind, required }
    }

    fn given(pairs: &[(&str, &str)]) -> FieldValues {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn values_are_checked_and_stored_in_one_form() {
        let specs = [
            spec("amount", ValueKind::Money, true),
            spec("period", ValueKind::Period, true),
            spec("school", ValueKind::Text, true),
            spec("class", ValueKind::Number, false),
            spec("on", ValueKind::Date, false),
        ];
        let out = check_values(
            &specs,
            &given(&[
                ("amount", " 45 000,5 "),
                ("period", "01.12.2026/31.05.2027"),
                ("school", "  № 3   мектеп "),
                ("class", "07"),
                ("on", "2026-12-07"),
            ]),
        )
        .unwrap();
        assert_eq!(out["amount"], "45000.50");
        assert_eq!(out["period"], "2026-12-01/2027-05-31");
        assert_eq!(out["school"], "№ 3 мектеп");
        assert_eq!(out["class"], "7");
        assert_eq!(out["on"], "2026-12-07");
        assert_eq!(display(ValueKind::Money, &out["amount"]), "45 000,50");
        assert_eq!(display(ValueKind::Period, &out["period"]), "01.12.2026 – 31.05.2027");
        assert_eq!(display(ValueKind::Date, &out["on"]), "07.12.2026");
        // An optional field left empty is simply absent.
        let out = check_values(
            &specs,
            &given(&[("amount", "100"), ("period", "01.01.2027/01.01.2027"), ("school", "x"), ("class", "")]),
        )
        .unwrap();
        assert!(!out.contains_key("class") && !out.contains_key("on"));
        assert_eq!(out["amount"], "100.00");
    }

    #[test]
    fn missing_wrong_and_unknown_values_are_refused() {
        let specs = [spec("amount", ValueKind::Money, true), spec("period", ValueKind::Period, true)];
        let label = Bilingual::new("amount", "amount");
        assert_eq!(
            check_values(&specs, &given(&[("period", "01.01.2027/02.01.2027")])),
            Err(Error::ResultFieldMissing { label: label.clone() })
        );
        for bad in ["0", "-5", "12.345", "сто", "1e9", "999999999999"] {
            assert_eq!(
                check_values(&specs, &given(&[("amount", bad), ("period", "01.01.2027/02.01.2027")])),
                Err(Error::ResultFieldInvalid { label: label.clone(), kind: ValueKind::Money }),
                "{bad}"
            );
        }
        let period = Bilingual::new("period", "period");
        for bad in ["02.01.2027/01.01.2027", "01.01.2027", "31.02.2027/01.03.2027", "/01.03.2027"] {
            assert_eq!(
                check_values(&specs, &given(&[("amount", "5"), ("period", bad)])),
                Err(Error::ResultFieldInvalid { label: period.clone(), kind: ValueKind::Period }),
                "{bad}"
            );
        }
        assert!(matches!(
            check_values(&specs, &given(&[("amount", "5"), ("period", "01.01.2027/02.01.2027"), ("x", "1")])),
            Err(Error::MalformedRequest(_))
        ));
        let text = [spec("school", ValueKind::Text, true)];
        assert!(check_values(&text, &given(&[("school", &"ә".repeat(MAX_FIELD_TEXT + 1))])).is_err());
        assert!(check_values(&text, &given(&[("school", "мектеп\u{202e}")])).is_err());
    }
}
