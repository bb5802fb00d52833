//! Target `iin`: `Iin::parse` against an independent reading of the rule,
//! for generated text and for the seeds with a character changed.

use kense_domain::iin::Iin;
use kense_domain::{Error, Field};
use kense_hostile::CHARS;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::Value;

use crate::check_error;
use crate::corpus::{corpus, promised, replay};
use crate::runner::run;

/// An independent reading of the rule (domain-research §4.1): twelve ASCII
/// digits after trimming Unicode white space; first pass with weights 1..11,
/// second with 3..11,1,2 when the first gives 10; 10 twice means invalid.
pub(crate) fn reference_iin(raw: &str) -> Option<String> {
    let s = raw.trim_matches(char::is_whitespace);
    let d: Vec<u64> = s
        .chars()
        .map(|c| if c.is_ascii_digit() { Some(c as u64 - '0' as u64) } else { None })
        .collect::<Option<_>>()?;
    if d.len() != 12 {
        return None;
    }
    let weighted = |start: u64| (0..11u64).map(|i| d[i as usize] * ((start + i - 1) % 11 + 1)).sum::<u64>() % 11;
    let c = match weighted(1) {
        10 => match weighted(3) {
            10 => return None,
            c => c,
        },
        c => c,
    };
    (c == d[11]).then(|| s.to_owned())
}

fn with_check_digit(prefix: &str) -> String {
    (0..=9).map(|c| format!("{prefix}{c}")).find(|s| reference_iin(s).is_some()).unwrap_or_else(|| format!("{prefix}0"))
}

fn iin_like() -> impl Strategy<Value = String> {
    let ws = select(&["", " ", "\t", "\u{a0}", "\u{3000}", "\n", "\u{2028}", "\u{200b}", "\u{feff}", "\0"][..]);
    prop_oneof![
        any::<String>(),
        "\\PC{0,20}",
        "[0-9]{12}",
        "[0-9]{10,14}",
        ("[0-9]{11}", ws.clone(), ws).prop_map(|(p, a, b)| format!("{a}{}{b}", with_check_digit(&p))),
        // Valid IINs with one character swapped for a look-alike digit.
        ("[0-9]{11}", any::<Index>(), select(&['٣', '０', '𝟘', '¹', '৪', '⁰', 'O', 'l', '\u{301}'][..])).prop_map(
            |(p, at, c)| {
                let mut chars: Vec<char> = with_check_digit(&p).chars().collect();
                let i = at.index(12);
                chars[i] = c;
                chars.into_iter().collect()
            }
        ),
    ]
}

fn check_iin(raw: &str) -> Result<(), TestCaseError> {
    let got = Iin::parse(Field::Iin, raw);
    match (&got, reference_iin(raw)) {
        (Ok(iin), Some(expected)) => prop_assert_eq!(iin.as_str(), expected.as_str()),
        (Err(e), None) => {
            prop_assert!(
                matches!(
                    e,
                    Error::Required(Field::Iin) | Error::IinFormat(Field::Iin) | Error::IinCheckDigit(Field::Iin)
                ),
                "{e:?}"
            );
            check_error(e)?;
        }
        (got, expected) => prop_assert!(false, "Iin::parse({raw:?}) = {got:?}, reference says {expected:?}"),
    }
    // The serde path (IINs inside stored JSON) agrees with parse.
    let via_serde = serde_json::from_value::<Iin>(Value::String(raw.to_owned()));
    prop_assert_eq!(via_serde.is_ok(), got.is_ok());
    Ok(())
}

/// Seeds as they are, then generated text and seeds with a character
/// inserted, replaced or removed.
#[test]
fn iin_parse_accepts_exactly_the_valid_ones() {
    replay("iin", |seed| {
        promised(seed, Iin::parse(Field::Iin, &seed.text).is_ok())?;
        check_iin(&seed.text)
    });
    let seeds: Vec<String> = corpus("iin").into_iter().map(|s| s.text).collect();
    let mutated_seed = (select(seeds), any::<Index>(), 0usize..3, select(CHARS)).prop_map(|(s, at, op, c)| {
        let mut chars: Vec<char> = s.chars().collect();
        let i = at.index(chars.len() + 1);
        match op {
            0 => chars.insert(i, c),
            1 if i < chars.len() => chars[i] = c,
            _ if i < chars.len() => {
                chars.remove(i);
            }
            _ => chars.push(c),
        }
        chars.into_iter().collect::<String>()
    });
    run(4096, prop_oneof![3 => iin_like(), 1 => mutated_seed], |raw| check_iin(&raw));
}
