//! Hostile text, as a window or a pasted document could send it, and what
//! text that validation accepted must look like.

use kense_domain::application::normalise;
use kense_hostile::CHARS;
use proptest::prelude::*;
use proptest::sample::{select, Index};

/// Text as a hostile window could send it: arbitrary unicode (controls
/// included), runs of the shared hostile characters, text around the
/// length limits with whitespace that normalisation collapses, and huge
/// strings.
pub(crate) fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => short_hostile_text(),
        1 => (select(&['Ж', 'a', '😀', '\u{301}', ' '][..]), 5_000usize..120_000).prop_map(|(c, n)| c.to_string().repeat(n)),
    ]
}

/// [`hostile_text`] without the huge strings, for leaves of random trees.
pub(crate) fn short_hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        2 => proptest::collection::vec(select(CHARS), 0..40).prop_map(|v| v.into_iter().collect()),
        2 => around_limits(),
        1 => Just(String::new()),
        1 => "[ \\t\\n\\r\\x{a0}\\x{3000}\\x{2028}\\x{85}\\x{b}\\x{c}]{0,8}",
    ]
}

/// `n` characters near a limit, broken into words by whitespace runs that
/// [`normalise`] collapses; sometimes with one control character inside.
fn around_limits() -> impl Strategy<Value = String> {
    let limit = select(&[100usize, 200, 300, 1000, 2000][..]);
    (
        limit,
        -3i64..=3,
        select(&['Ә', 'a', 'ж', '😀', '\u{301}', '0'][..]),
        select(&[" ", "   ", "\t", "\u{3000}", "\u{a0}", "\n "][..]),
        0usize..12,
        proptest::option::weighted(0.2, (any::<Index>(), select(&['\0', '\u{7}', '\u{1b}', '\u{7f}', '\u{9f}'][..]))),
    )
        .prop_map(|(limit, delta, c, sep, every, control)| {
            let n = (limit as i64 + delta).max(0) as usize;
            let mut s = String::new();
            for i in 0..n {
                if every > 0 && i > 0 && i % every == 0 {
                    s.push_str(sep);
                }
                s.push(c);
            }
            if let Some((at, ctl)) = control {
                let chars: Vec<char> = s.chars().collect();
                let i = at.index(chars.len() + 1);
                s = chars[..i].iter().chain(std::iter::once(&ctl)).chain(&chars[i..]).collect();
            }
            format!("{sep}{s}{sep}")
        })
}

/// Accepted text: at most `max` characters, no control characters, and in
/// the normalised form (no leading, trailing or repeated whitespace).
pub(crate) fn check_text(what: &str, s: &str, max: usize) -> Result<(), TestCaseError> {
    prop_assert!(s.chars().count() <= max, "{what}: {} chars accepted, limit {max}", s.chars().count());
    prop_assert!(!s.chars().any(char::is_control), "{what}: control character accepted: {s:?}");
    let normalised = normalise(s);
    prop_assert_eq!(s, normalised.as_str(), "{}: not normalised", what);
    Ok(())
}

pub(crate) fn check_required_text(what: &str, s: &str, max: usize) -> Result<(), TestCaseError> {
    prop_assert!(!s.is_empty(), "{what}: empty text accepted");
    check_text(what, s, max)
}
