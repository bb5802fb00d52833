//! Hostile input (the "Hardening" issue): whatever reaches the domain — a
//! broken data file, a forged IPC payload, a pasted IIN — gives a clear
//! error and never a panic, and nothing over the documented limits is ever
//! accepted.
//!
//! cargo-fuzz needs a nightly toolchain, so this is proptest-based fuzzing
//! with bounded case counts: data files are mutated byte by byte and value
//! by value, IPC payloads are random JSON trees and mutated valid ones.
//! Failures are not persisted by proptest; a failing case is printed in full,
//! and an interesting one is kept by hand as a seed in `tests/corpus/<target>/`
//! (see its README), which each target replays before it mutates the seeds.
//!
//! Case counts are sized for CI (a few seconds per target in a debug build);
//! `KENSE_FUZZ_CASES=100000 cargo test -p kense-domain --release --test
//! hostile_input` runs every property that many times.

mod shipped;

use std::path::Path;
use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use kense_domain::application::{
    normalise, ApplicationDraft, Channel, NewApplication, MAX_ADDRESS, MAX_EXTRA_DOCUMENT, MAX_EXTRA_DOCUMENTS,
    MAX_NAME, MAX_NOTES,
};
use kense_domain::calendar::{CalendarData, FixedDay, Transfer, WorkingCalendar, YearRules};
use kense_domain::catalog::Catalog;
use kense_domain::iin::Iin;
use kense_domain::office::{OfficeData, OfficeDraft};
use kense_domain::queue::{order, EntryState, Evidence, QueueEntry, QueueRules, Tier, GENERAL};
use kense_domain::reasons::RefusalReasons;
use kense_domain::verification::{self, Verdict, Vouched};
use kense_domain::workflow::{Command, Handover, Outcome, MAX_COMMENT};
use kense_domain::{Bilingual, Error, Field, Lang};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Number, Value};
use shipped::{catalog, CALENDAR_JSON, QUEUE_RULES_JSON, REASONS_JSON, SERVICES_JSON};

/// How many positive result forms the commands' service has.
const FORMS: usize = 3;

/// No regression files in the source tree; bounded shrinking so that a
/// failure on the 230 KB catalog is reported in reasonable time.
fn config(cases: u32) -> Config {
    Config { cases: fuzz_cases(cases), failure_persistence: None, max_shrink_iters: 512, ..Config::default() }
}

/// `KENSE_FUZZ_CASES` replaces every property's CI-sized case count.
fn fuzz_cases(ci: u32) -> u32 {
    match std::env::var("KENSE_FUZZ_CASES") {
        Ok(n) => n.trim().parse().unwrap_or_else(|_| panic!("KENSE_FUZZ_CASES={n:?} is not a number")),
        Err(_) => ci,
    }
}

/// Runs a property outside the `proptest!` macro, so that a target can
/// replay its corpus first.
fn run<S: Strategy>(ci_cases: u32, strategy: S, property: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(config(ci_cases));
    if let Err(e) = runner.run(&strategy, property) {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------
// Corpora: seeds kept in tests/corpus/<target>/
// ---------------------------------------------------------------------------

/// What a seed's file name promises about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// `accept-*`: the loader accepts it.
    Accept,
    /// `refuse-*`: the loader refuses it with its own error.
    Refuse,
    /// `valid-*`: a QR text that verifies as valid against [`CORPUS_KEY`].
    Valid,
    /// `forged-*`: a QR text that reads as ours but does not verify.
    Forged,
}

#[derive(Debug, Clone)]
struct Seed {
    name: String,
    text: String,
    expect: Expect,
}

fn corpus(target: &str) -> Vec<Seed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus").join(target);
    let mut seeds: Vec<Seed> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let expect = match name.split('-').next() {
                Some("accept") => Expect::Accept,
                Some("refuse") => Expect::Refuse,
                Some("valid") => Expect::Valid,
                Some("forged") => Expect::Forged,
                _ => panic!("{}: a seed's name starts with accept-, refuse-, valid- or forged-", path.display()),
            };
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Seed { name, text, expect }
        })
        .collect();
    assert!(!seeds.is_empty(), "{}: empty corpus", dir.display());
    seeds.sort_by(|a, b| a.name.cmp(&b.name));
    seeds
}

/// Checks every seed of a target: it keeps its promise and passes the
/// target's property.
fn replay(target: &str, check: impl Fn(&Seed) -> Result<(), TestCaseError>) {
    for seed in corpus(target) {
        if let Err(e) = check(&seed) {
            panic!("tests/corpus/{target}/{}: {e}", seed.name);
        }
    }
}

fn promised(seed: &Seed, accepted: bool) -> Result<(), TestCaseError> {
    match seed.expect {
        Expect::Accept | Expect::Valid | Expect::Forged => prop_assert!(accepted, "refused, but named as accepted"),
        Expect::Refuse => prop_assert!(!accepted, "accepted, but named as refused"),
    }
    Ok(())
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

// ---------------------------------------------------------------------------
// Hostile text
// ---------------------------------------------------------------------------

/// Characters that have broken text handling somewhere before.
const NASTY: &[char] = &[
    '\0',
    '\u{7}',
    '\u{8}',
    '\t',
    '\n',
    '\r',
    '\u{b}',
    '\u{c}',
    '\u{1b}',
    '\u{7f}',
    '\u{85}',
    '\u{9f}',
    ' ',
    '\u{a0}',
    '\u{2028}',
    '\u{2029}',
    '\u{3000}',
    '\u{200b}',
    '\u{200d}',
    '\u{202e}',
    '\u{2066}',
    '\u{feff}',
    '\u{301}',
    '\u{489}',
    '\u{fffd}',
    '\u{ffff}',
    '\u{10ffff}',
    '😀',
    '👨',
    '\u{1f3fb}',
    'ا',
    'ע',
    '漢',
    'ß',
    'İ',
    'Ә',
    'ә',
    'Ғ',
    'Қ',
    'Ң',
    'Ө',
    'Ұ',
    'Ү',
    'Һ',
    'І',
    'і',
    'Ё',
    'ё',
    'Ж',
    'щ',
    'a',
    'Z',
    '0',
    '9',
    '٣',
    '０',
    '/',
    '\\',
    '"',
    '\'',
    '{',
    '}',
    '%',
    '<',
];

/// Text as a hostile window could send it: arbitrary unicode (controls
/// included), runs of nasty characters, text around the length limits with
/// whitespace that normalisation collapses, and huge strings.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => short_hostile_text(),
        1 => (select(&['Ж', 'a', '😀', '\u{301}', ' '][..]), 5_000usize..120_000).prop_map(|(c, n)| c.to_string().repeat(n)),
    ]
}

/// [`hostile_text`] without the huge strings, for leaves of random trees.
fn short_hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        2 => proptest::collection::vec(select(NASTY), 0..40).prop_map(|v| v.into_iter().collect()),
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
fn check_text(what: &str, s: &str, max: usize) -> Result<(), TestCaseError> {
    prop_assert!(s.chars().count() <= max, "{what}: {} chars accepted, limit {max}", s.chars().count());
    prop_assert!(!s.chars().any(char::is_control), "{what}: control character accepted: {s:?}");
    let normalised = normalise(s);
    prop_assert_eq!(s, normalised.as_str(), "{}: not normalised", what);
    Ok(())
}

fn check_required_text(what: &str, s: &str, max: usize) -> Result<(), TestCaseError> {
    prop_assert!(!s.is_empty(), "{what}: empty text accepted");
    check_text(what, s, max)
}

/// Every error must read as a message in both languages.
fn check_error(e: &Error) -> Result<(), TestCaseError> {
    prop_assert!(!e.code().is_empty());
    for lang in [Lang::Kk, Lang::Ru] {
        prop_assert!(!e.message(lang).trim().is_empty(), "{e}: empty message");
    }
    let _ = e.field().map(Field::key);
    let _ = e.to_string();
    Ok(())
}

// ---------------------------------------------------------------------------
// IIN
// ---------------------------------------------------------------------------

/// An independent reading of the rule (domain-research §4.1): twelve ASCII
/// digits after trimming Unicode white space; first pass with weights 1..11,
/// second with 3..11,1,2 when the first gives 10; 10 twice means invalid.
fn reference_iin(raw: &str) -> Option<String> {
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
    let mutated_seed = (select(seeds), any::<Index>(), 0usize..3, select(NASTY)).prop_map(|(s, at, op, c)| {
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

// ---------------------------------------------------------------------------
// Data files: byte-level and value-level mutations
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum ByteOp {
    Flip(Index, u8),
    Insert(Index, u8),
    Delete(Index),
    Truncate(Index),
}

fn byte_op() -> impl Strategy<Value = ByteOp> {
    let byte = prop_oneof![any::<u8>(), select(b"{}[]\",:-+.0123456789eE\\ntrufalse/ ".to_vec())];
    prop_oneof![
        4 => (any::<Index>(), 1u8..=255).prop_map(|(i, x)| ByteOp::Flip(i, x)),
        4 => (any::<Index>(), byte).prop_map(|(i, b)| ByteOp::Insert(i, b)),
        4 => any::<Index>().prop_map(ByteOp::Delete),
        1 => any::<Index>().prop_map(ByteOp::Truncate),
    ]
}

fn mutate_bytes(src: &str, ops: &[ByteOp]) -> String {
    let mut b = src.as_bytes().to_vec();
    for op in ops {
        match *op {
            ByteOp::Flip(ref i, x) if !b.is_empty() => {
                let i = i.index(b.len());
                b[i] ^= x;
            }
            ByteOp::Insert(ref i, x) => {
                let i = i.index(b.len() + 1);
                b.insert(i, x);
            }
            ByteOp::Delete(ref i) if !b.is_empty() => {
                let i = i.index(b.len());
                b.remove(i);
            }
            ByteOp::Truncate(ref i) => {
                let i = i.index(b.len() + 1);
                b.truncate(i);
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    At(usize),
}

/// Every node of a JSON tree (the root excluded), as paths.
fn all_paths(v: &Value) -> Vec<Vec<Seg>> {
    fn walk(v: &Value, here: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    here.push(Seg::Key(k.clone()));
                    out.push(here.clone());
                    walk(child, here, out);
                    here.pop();
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    here.push(Seg::At(i));
                    out.push(here.clone());
                    walk(child, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn node_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get_mut(k.as_str()),
        Seg::At(i) => v.get_mut(*i),
    })
}

#[derive(Debug, Clone)]
enum ValueOp {
    /// The node becomes another value (another type, an extreme number,
    /// an empty or huge or hostile string, a random tree).
    Replace(Value),
    /// The node's key is dropped from its object, or its element from its array.
    Remove,
    /// The node's parent object gains an unknown key (or its array a copy).
    Duplicate,
    /// The node's key is renamed (a typo in the file).
    Rename(String),
    /// A string node gets other text (other nodes are left alone), so that
    /// the file stays well-typed and the checks after decoding run.
    Retext(String),
}

fn extreme_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        select(vec![
            json!(0),
            json!(-1),
            json!(1),
            json!(u32::MAX),
            json!(u64::from(u32::MAX) + 1),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(0.5),
            json!(-0.0),
            json!(1e300),
            json!(13),
            json!(32),
            json!(262_143),
            json!(-262_144),
        ]),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        Just(json!("")),
        Just(json!(" ")),
        hostile_text().prop_map(Value::String),
        select(vec![
            "99:99",
            "24:00",
            "23:59:60",
            "2025-02-30",
            "+262142-12-31",
            "-262143-01-01",
            "10000-01-01",
            "office",
            "portal",
            "Std app. 0",
            "Std app. 99999999999999999999"
        ])
        .prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
        Just(json!([null, 0, "", {}])),
    ]
}

fn value_op() -> impl Strategy<Value = ValueOp> {
    prop_oneof![
        6 => hostile_text().prop_map(ValueOp::Retext),
        6 => extreme_value().prop_map(ValueOp::Replace),
        1 => json_value().prop_map(ValueOp::Replace),
        3 => Just(ValueOp::Remove),
        1 => Just(ValueOp::Duplicate),
        1 => select(vec!["", "x", "Code", "kk ", "ru\u{0}", "years", "comment"]).prop_map(|s| ValueOp::Rename(s.to_owned())),
    ]
}

fn mutate_value(v: &mut Value, paths: &[Vec<Seg>], ops: &[(Index, ValueOp)]) {
    for (at, op) in ops {
        // Paths are taken from the unmutated tree; after a removal some no
        // longer exist, and that mutation is then skipped.
        let path = &paths[at.index(paths.len())];
        let (last, parent_path) = path.split_last().expect("root excluded");
        match op {
            ValueOp::Replace(new) => {
                if let Some(n) = node_mut(v, path) {
                    *n = new.clone();
                }
            }
            ValueOp::Remove => match (node_mut(v, parent_path), last) {
                (Some(Value::Object(m)), Seg::Key(k)) => {
                    m.remove(k);
                }
                (Some(Value::Array(a)), Seg::At(i)) if *i < a.len() => {
                    a.remove(*i);
                }
                _ => {}
            },
            ValueOp::Duplicate => match (node_mut(v, parent_path), last) {
                (Some(Value::Object(m)), Seg::Key(k)) => {
                    if let Some(x) = m.get(k).cloned() {
                        m.insert(format!("{k}_unknown"), x);
                    }
                }
                (Some(Value::Array(a)), Seg::At(i)) if *i < a.len() => {
                    let x = a[*i].clone();
                    a.push(x);
                }
                _ => {}
            },
            ValueOp::Retext(text) => {
                if let Some(Value::String(old)) = node_mut(v, path) {
                    *old = text.clone();
                }
            }
            ValueOp::Rename(to) => {
                if let (Some(Value::Object(m)), Seg::Key(k)) = (node_mut(v, parent_path), last) {
                    if let Some(x) = m.remove(k) {
                        m.insert(to.clone(), x);
                    }
                }
            }
        }
    }
}

struct Shipped {
    text: String,
    value: Value,
    paths: Vec<Vec<Seg>>,
}

fn shipped(text: &str) -> Shipped {
    let value: Value = serde_json::from_str(text).expect("shipped JSON");
    let paths = all_paths(&value);
    Shipped { text: text.to_owned(), value, paths }
}

/// What a data-file target mutates: the shipped file first, then every seed
/// of its corpus (byte mutations take all, value mutations those that are
/// JSON).
struct Bases {
    texts: Vec<String>,
    trees: Vec<Shipped>,
}

fn bases(shipped_text: &str, target: &str) -> Bases {
    let mut texts = vec![shipped_text.to_owned()];
    let mut trees = vec![shipped(shipped_text)];
    for seed in corpus(target) {
        if serde_json::from_str::<Value>(&seed.text).is_ok() {
            trees.push(shipped(&seed.text));
        }
        texts.push(seed.text);
    }
    Bases { texts, trees }
}

impl Bases {
    fn text(&self, i: &Index) -> &str {
        &self.texts[i.index(self.texts.len())]
    }

    /// A tree mutated by `ops`, as compact and as pretty JSON.
    fn mutated(&self, i: &Index, ops: &[(Index, ValueOp)]) -> [String; 2] {
        let base = &self.trees[i.index(self.trees.len())];
        let mut v = base.value.clone();
        if !base.paths.is_empty() {
            mutate_value(&mut v, &base.paths, ops);
        }
        [serde_json::to_string(&v).unwrap(), serde_json::to_string_pretty(&v).unwrap()]
    }
}

fn catalog_bases() -> &'static Bases {
    static B: OnceLock<Bases> = OnceLock::new();
    B.get_or_init(|| bases(SERVICES_JSON, "catalog"))
}

fn calendar_bases() -> &'static Bases {
    static B: OnceLock<Bases> = OnceLock::new();
    B.get_or_init(|| bases(CALENDAR_JSON, "calendar"))
}

fn queue_rules_bases() -> &'static Bases {
    static B: OnceLock<Bases> = OnceLock::new();
    B.get_or_init(|| bases(QUEUE_RULES_JSON, "queue_rules"))
}

fn byte_ops() -> impl Strategy<Value = (Index, Vec<ByteOp>)> {
    (any::<Index>(), proptest::collection::vec(byte_op(), 1..6))
}

fn value_ops() -> impl Strategy<Value = (Index, Vec<(Index, ValueOp)>)> {
    (any::<Index>(), proptest::collection::vec((any::<Index>(), value_op()), 1..4))
}

fn services() -> &'static Shipped {
    static S: OnceLock<Shipped> = OnceLock::new();
    S.get_or_init(|| shipped(SERVICES_JSON))
}

fn reasons_file() -> &'static Shipped {
    static S: OnceLock<Shipped> = OnceLock::new();
    S.get_or_init(|| shipped(REASONS_JSON))
}

/// Parses with every data-file parser: each must give Ok or a catalog
/// error, and an accepted file must be usable.
fn parse_all(text: &str) -> Result<(), TestCaseError> {
    check_catalog(text)?;
    check_calendar(text)?;
    check_reasons(text)?;
    check_queue_rules(text)
}

fn catalog_error<T>(what: &str, r: &Result<T, Error>) -> Result<(), TestCaseError> {
    if let Err(e) = r {
        prop_assert!(matches!(e, Error::Catalog(_)), "{what}: expected Error::Catalog, got {e:?}");
        check_error(e)?;
    }
    Ok(())
}

fn check_catalog(text: &str) -> Result<(), TestCaseError> {
    let r = Catalog::parse(text);
    catalog_error("Catalog::parse", &r)?;
    if let Ok(c) = r {
        prop_assert!(!c.services.is_empty());
        for s in &c.services {
            prop_assert!(c.service(&s.code).is_some());
            for ch in &s.channels {
                prop_assert!(s.intake_at(*ch).is_some());
                prop_assert!(s.paths_for(*ch).next().is_some());
                let _ = kense_domain::deadline::office_path(s, *ch);
            }
        }
    }
    Ok(())
}

fn check_calendar(text: &str) -> Result<(), TestCaseError> {
    let r = WorkingCalendar::parse(text);
    catalog_error("WorkingCalendar::parse", &r)?;
    if let Ok(c) = r {
        // An accepted calendar answers for the years the office works in.
        let start = NaiveDate::from_ymd_opt(2025, 12, 30).unwrap().and_hms_opt(17, 59, 0).unwrap();
        prop_assert!(c.add_working_days(start, 5) >= start);
        prop_assert!(c.add_calendar_days(start, 5) >= start);
        prop_assert!(c.add_working_minutes(start, 600) >= start);
        let _ = c.working_days_in(2026);
    }
    Ok(())
}

fn check_reasons(text: &str) -> Result<(), TestCaseError> {
    let r = RefusalReasons::parse(text);
    catalog_error("RefusalReasons::parse", &r)?;
    if let Ok(r) = r {
        for code in ["preschool_queue", "free_meals", "", "\u{0}"] {
            for reason in r.for_service(code) {
                prop_assert!(!reason.code.is_empty());
                prop_assert!(!reason.name.kk.trim().is_empty() && !reason.name.ru.trim().is_empty());
            }
        }
    }
    Ok(())
}

/// Strings shaped like JSON, so that the parsers get past the first byte.
fn jsonish() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[\\[\\]{}\",:0-9a-z_ .eE+-]{0,200}", json_value().prop_map(|v| v.to_string()),]
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn data_parsers_survive_arbitrary_text(text in jsonish()) {
        parse_all(&text)?;
    }

    #[test]
    fn reasons_survive_byte_mutations(ops in proptest::collection::vec(byte_op(), 1..6)) {
        check_reasons(&mutate_bytes(&reasons_file().text, &ops))?;
    }

    #[test]
    fn reasons_survive_value_mutations(ops in proptest::collection::vec((any::<Index>(), value_op()), 1..4)) {
        let file = reasons_file();
        let mut v = file.value.clone();
        mutate_value(&mut v, &file.paths, &ops);
        check_reasons(&serde_json::to_string(&v).unwrap())?;
        check_reasons(&serde_json::to_string_pretty(&v).unwrap())?;
    }
}

fn replay_calendar() {
    replay("calendar", |seed| {
        promised(seed, WorkingCalendar::parse(&seed.text).is_ok())?;
        check_calendar(&seed.text)
    });
}

#[test]
fn calendar_survives_byte_mutations() {
    replay_calendar();
    run(1024, byte_ops(), |(base, ops)| check_calendar(&mutate_bytes(calendar_bases().text(&base), &ops)));
}

#[test]
fn calendar_survives_value_mutations() {
    replay_calendar();
    run(1024, value_ops(), |(base, ops)| {
        calendar_bases().mutated(&base, &ops).iter().try_for_each(|t| check_calendar(t))
    });
}

fn replay_catalog() {
    replay("catalog", |seed| {
        promised(seed, Catalog::parse(&seed.text).is_ok())?;
        check_catalog(&seed.text)
    });
}

// The shipped catalog is 400 KB, a few ms a parse in a debug build: fewer cases.
#[test]
fn catalog_survives_byte_mutations() {
    replay_catalog();
    run(512, byte_ops(), |(base, ops)| check_catalog(&mutate_bytes(catalog_bases().text(&base), &ops)));
}

#[test]
fn catalog_survives_value_mutations() {
    replay_catalog();
    run(512, value_ops(), |(base, ops)| check_catalog(&catalog_bases().mutated(&base, &ops)[0]));
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    for depth in [127, 128, 129, 10_000, 200_000] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let text = format!("{}{}", open.repeat(depth), close.repeat(depth));
            for r in
                [Catalog::parse(&text).err(), WorkingCalendar::parse(&text).err(), RefusalReasons::parse(&text).err()]
            {
                assert!(matches!(r, Some(Error::Catalog(_))), "depth {depth}: {r:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Calendar: extreme years in the data
// ---------------------------------------------------------------------------

fn shipped_calendar_data() -> CalendarData {
    serde_json::from_str(CALENDAR_JSON).expect("shipped calendar")
}

fn fixed_day(month: u32, day: u32) -> FixedDay {
    FixedDay { month, day, name: Bilingual::new("Мереке", "Праздник"), from_year: None, until_year: None }
}

/// Years at chrono's ends and around the usual four-digit range.
fn edge_year() -> impl Strategy<Value = i32> {
    prop_oneof![
        (NaiveDate::MAX.year() - 3)..=NaiveDate::MAX.year(),
        NaiveDate::MIN.year()..=(NaiveDate::MIN.year() + 3),
        select(vec![-1, 0, 1, 1969, 1970, 9999, 10_000]),
    ]
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn calendar_with_extreme_years_never_panics(
        year in edge_year(),
        kurban in (1u32..=12, 1u32..=31),
        holidays in proptest::collection::vec(
            prop_oneof![(1u32..=12, 1u32..=31), (Just(12u32), 24u32..=31), (0u32..=14, 0u32..=33)],
            0..8,
        ),
        shifted in -2i32..=2,
    ) {
        let mut data = shipped_calendar_data();
        data.holidays.extend(holidays.into_iter().map(|(m, d)| fixed_day(m, d)));
        data.religious_days_off.push(fixed_day(12, 31));
        let Some(k) = NaiveDate::from_ymd_opt(year, kurban.0, kurban.1) else { return Ok(()) };
        data.years.insert(year, YearRules { kurban_ait: k, transfers: vec![Transfer { day_off: k, working_day: k, decree: String::new() }] });
        // A year whose Kurban Ait is dated in another year must be refused.
        if let Some(other) = year.checked_add(shifted).filter(|y| *y != year) {
            let mut wrong = data.clone();
            wrong.years.insert(other, YearRules { kurban_ait: k, transfers: Vec::new() });
            prop_assert!(matches!(WorkingCalendar::new(&wrong), Err(Error::Catalog(_))));
        }
        let r = WorkingCalendar::new(&data);
        catalog_error("WorkingCalendar::new", &r)?;
        // The same through the file format.
        let text = serde_json::to_string(&data).unwrap();
        catalog_error("WorkingCalendar::parse", &WorkingCalendar::parse(&text))?;
    }
}

/// Found by this file's fuzzing: a holiday carried over past chrono's last
/// day panicked. Years outside 2000–2100 are now refused.
#[test]
fn a_calendar_year_at_chronos_limit_is_refused_not_a_panic() {
    let mut data = shipped_calendar_data();
    data.holidays.push(fixed_day(12, 30)); // a Sunday in +262142
    data.holidays.push(fixed_day(12, 31)); // a Monday: the carry-over runs into +262143
    let year = NaiveDate::MAX.year();
    data.years
        .insert(year, YearRules { kurban_ait: NaiveDate::from_ymd_opt(year, 6, 1).unwrap(), transfers: Vec::new() });
    let r = std::panic::catch_unwind(|| WorkingCalendar::new(&data).map(|_| ()));
    assert!(matches!(r, Ok(Err(Error::Catalog(_)))), "not refused: {:?}", r.map_err(|_| "panic"));
}

// ---------------------------------------------------------------------------
// Calendar: due moments terminate and never precede the start
// ---------------------------------------------------------------------------

fn working_hours() -> impl Strategy<Value = (NaiveTime, NaiveTime, NaiveTime, NaiveTime)> {
    let time = prop_oneof![
        8 => (0u32..24, 0u32..60, 0u32..60).prop_map(|(h, m, s)| NaiveTime::from_hms_opt(h, m, s).unwrap()),
        // A leap second ("23:59:60" in the file), which chrono accepts.
        1 => (0u32..24, 0u32..60).prop_map(|(h, m)| NaiveTime::from_hms_milli_opt(h, m, 59, 1_500).unwrap()),
    ];
    proptest::collection::vec(time, 4).prop_filter_map("ordered hours", |mut t| {
        t.sort();
        (t[0] < t[1] && t[1] <= t[2] && t[2] < t[3]).then(|| (t[0], t[3], t[1], t[2]))
    })
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn due_moments_terminate_and_follow_the_start(
        year in 2000i32..=2100,
        present in any::<bool>(),
        day in 0i64..366,
        time in (0u32..24, 0u32..60, 0u32..60),
        n in 0u32..=400,
        minutes in 0u32..=100_000,
        hours in proptest::option::weighted(0.3, working_hours()),
        transfers in proptest::collection::vec((0i64..366, 0i64..366), 0..4),
    ) {
        let mut data = shipped_calendar_data();
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        if present {
            let rules = data.years.entry(year).or_insert_with(|| YearRules { kurban_ait: jan1 + Duration::days(day / 2), transfers: Vec::new() });
            rules.transfers.extend(transfers.into_iter().map(|(a, b)| Transfer {
                day_off: jan1 + Duration::days(a),
                working_day: jan1 + Duration::days(b),
                decree: String::new(),
            }));
        } else {
            data.years.remove(&year);
        }
        if let Some((start, end, lunch_start, lunch_end)) = hours {
            data.working_hours.start = start;
            data.working_hours.end = end;
            data.working_hours.lunch_start = lunch_start;
            data.working_hours.lunch_end = lunch_end;
        }
        let c = match WorkingCalendar::new(&data) {
            Ok(c) => c,
            Err(e) => {
                prop_assert!(matches!(e, Error::Catalog(_)), "{e:?}");
                return Ok(());
            }
        };
        prop_assert_eq!(c.covers(year), present);
        let start: NaiveDateTime = (jan1 + Duration::days(day)).and_hms_opt(time.0, time.1, time.2).unwrap();

        let due = c.add_working_days(start, n);
        prop_assert!(due >= start, "add_working_days({start}, {n}) = {due}");
        prop_assert!(c.is_working_day(due.date()), "add_working_days({start}, {n}) = {due}, not a working day");
        let due = c.add_calendar_days(start, n);
        prop_assert!(due >= start, "add_calendar_days({start}, {n}) = {due}");
        prop_assert!(due.date() >= start.date() + Duration::days(i64::from(n)));
        let due = c.add_working_minutes(start, minutes);
        prop_assert!(due >= start, "add_working_minutes({start}, {minutes}) = {due}");
        if minutes > 0 {
            prop_assert!(due > start);
        }
    }
}

/// Found by this file's fuzzing: zero days after hours gave a moment before the start.
#[test]
fn zero_calendar_days_after_hours_never_precede_the_start() {
    let c = WorkingCalendar::parse(CALENDAR_JSON).unwrap();
    let start = NaiveDate::from_ymd_opt(2007, 1, 15).unwrap().and_hms_opt(21, 0, 0).unwrap();
    let due = c.add_calendar_days(start, 0);
    assert!(due >= start, "add_calendar_days({start}, 0) = {due}");
}

proptest! {
    #![proptest_config(config(512))]

    /// A year as an administrator enters it (`set_calendar_year`): either
    /// refused by `YearRules::check`, or the calendar with it laid over the
    /// shipped one builds and answers.
    #[test]
    fn administrator_years_are_checked_or_usable(
        year in prop_oneof![4 => 1995i32..=2105, 1 => any::<i32>()],
        kurban in (any::<Index>(), prop_oneof![4 => Just(0i32), 1 => -2i32..=2]),
        transfers in proptest::collection::vec((any::<Index>(), any::<Index>(), -1i32..=1), 0..5),
        n in 0u32..=60,
    ) {
        let day_in = |y: i32, i: &Index| NaiveDate::from_yo_opt(y, 1).map(|d| d + Duration::days(i.index(366) as i64));
        let Some(kurban_ait) = year.checked_add(kurban.1).and_then(|y| day_in(y, &kurban.0)) else { return Ok(()) };
        let transfers: Vec<Transfer> = transfers
            .iter()
            .filter_map(|(a, b, dy)| Some(Transfer { day_off: day_in(year.checked_add(*dy)?, a)?, working_day: day_in(year, b)?, decree: String::new() }))
            .collect();
        let rules = YearRules { kurban_ait, transfers };
        // Through JSON, as the window sends it.
        let rules: YearRules = serde_json::from_value(serde_json::to_value(&rules).unwrap()).unwrap();
        if let Err(e) = rules.check(year) {
            return check_error(&e);
        }
        prop_assert!((2000..=2100).contains(&year));
        let data = shipped_calendar_data().with_years([(year, rules)]);
        let c = WorkingCalendar::new(&data);
        prop_assert!(c.is_ok(), "checked year refused by the calendar: {:?}", c.err());
        let c = c.unwrap();
        prop_assert!(c.covers(year));
        let start = NaiveDate::from_ymd_opt(year, 12, 20).unwrap().and_hms_opt(17, 0, 0).unwrap();
        prop_assert!(c.add_working_days(start, n) > start);
        prop_assert!(c.add_working_minutes(start, n * 60) >= start);
        prop_assert!((200..=262).contains(&c.working_days_in(year)), "{} working days in {year}", c.working_days_in(year));
    }
}

/// Found by this file's fuzzing: `{"calendar_days": 4294967295}` was
/// accepted and a due moment then overflowed. Norms are now bounded.
#[test]
fn the_catalog_refuses_norms_that_would_overflow_the_calendar() {
    use kense_domain::deadline::{office_path, whole_due};
    let mut v: Value = serde_json::from_str(SERVICES_JSON).unwrap();
    let step = v["services"][0]["paths"][0]["steps"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| !s["norm"].is_null())
        .expect("a step with a norm");
    step["norm"] = json!({"calendar_days": u32::MAX});
    assert!(Catalog::parse(&v.to_string()).is_err(), "an absurd norm must be refused");
    step_back_to_a_sane_norm(&mut v);
    let catalog = Catalog::parse(&v.to_string()).unwrap();
    let calendar = WorkingCalendar::parse(CALENDAR_JSON).unwrap();
    let registered = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(10, 0, 0).unwrap();
    let service = &catalog.services[0];
    let r = std::panic::catch_unwind(|| {
        for ch in &service.channels {
            let _ = whole_due(&calendar, &office_path(service, *ch), registered);
        }
    });
    assert!(r.is_ok(), "the catalog was accepted, then a due moment panicked");
}

fn step_back_to_a_sane_norm(v: &mut Value) {
    for step in v["services"][0]["paths"][0]["steps"].as_array_mut().unwrap() {
        if step["norm"] == json!({"calendar_days": u32::MAX}) {
            step["norm"] = json!({"calendar_days": 366});
        }
    }
}

// ---------------------------------------------------------------------------
// IPC payloads
// ---------------------------------------------------------------------------

const KEYS: &[&str] = &[
    "extra_documents",
    "service_code",
    "channel",
    "applicant_iin",
    "applicant_name",
    "applicant_phone",
    "applicant_address",
    "child_iin",
    "child_name",
    "child_birth_date",
    "documents",
    "consent",
    "notes",
    "representative_iin",
    "representative_name",
    "poa_number",
    "poa_date",
    "duplicate_reason",
    "step",
    "executor_id",
    "outcome",
    "kind",
    "reason_code",
    "explanation",
    "comment",
    "handover",
    "received_by",
    "reason",
    "name_kk",
    "name_ru",
    "address_kk",
    "address_ru",
    "phone",
    "series",
    "start_number",
];

const TOKENS: &[&str] = &[
    "office",
    "state_corporation",
    "portal",
    "preschool_queue",
    "free_meals",
    "foster_family",
    "send_to_head",
    "assign_executor",
    "prepare_result",
    "sign",
    "return_to_executor",
    "issue",
    "withdraw",
    "positive",
    "refusal",
    "in_person",
    "already_queued",
    "900101300007",
    "150315500015",
    "2023-03-15",
    "15.03.2023",
    "8 701 123 45 67",
    "application",
    "birth_certificate",
    "ШБ",
    "01/A",
];

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![4 => select(KEYS).prop_map(str::to_owned), 1 => any::<String>(), 1 => "[a-z_]{0,12}"]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        3 => select(TOKENS).prop_map(Value::from),
        2 => short_hostile_text().prop_map(Value::String),
    ]
}

/// Arbitrary JSON trees, at most four levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::btree_map(json_key(), inner, 0..10)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// The service's refusal reasons, as the shell passes them.
const REASONS: &[&str] = &["already_queued", "unreliable_documents", "no_consent"];

/// Decodes the payload as each request type the shell decodes and, where it
/// decodes, validates it; checks what validation accepts.
fn decode_and_validate(v: &Value) -> Result<(), TestCaseError> {
    if let Ok(d) = serde_json::from_value::<ApplicationDraft>(v.clone()) {
        check_application(&d)?;
    }
    if let Ok(c) = serde_json::from_value::<Command>(v.clone()) {
        check_command(c)?;
    }
    if let Ok(d) = serde_json::from_value::<OfficeDraft>(v.clone()) {
        check_office(&d)?;
    }
    Ok(())
}

fn check_application(d: &ApplicationDraft) -> Result<(), TestCaseError> {
    let c = catalog();
    let a = match NewApplication::validate(d, c, today()) {
        Ok(a) => a,
        Err(e) => return check_error(&e),
    };
    let service = c.service(&a.service_code);
    prop_assert!(service.is_some(), "unknown service accepted: {:?}", a.service_code);
    let service = service.unwrap();
    prop_assert!(service.offered_at(a.channel));
    prop_assert!(d.consent, "accepted without consent");
    prop_assert!(reference_iin(a.applicant.iin.as_str()).is_some());
    check_required_text("applicant.name", &a.applicant.name, MAX_NAME)?;
    check_text("applicant.address", &a.applicant.address, MAX_ADDRESS)?;
    let p = a.applicant.phone.as_bytes();
    prop_assert!(
        p.len() == 16
            && p.starts_with(b"+7 ")
            && [6, 10, 13].iter().all(|i| p[*i] == b' ')
            && p.iter().enumerate().all(|(i, b)| i < 3 || [6, 10, 13].contains(&i) || b.is_ascii_digit()),
        "phone {:?}",
        a.applicant.phone
    );
    if let Some(r) = &a.representative {
        prop_assert!(reference_iin(r.iin.as_str()).is_some());
        check_required_text("representative.name", &r.name, MAX_NAME)?;
        check_required_text("representative.poa_number", &r.poa_number, 100)?;
        prop_assert!(r.poa_date <= today());
    }
    if let Some(ch) = &a.child {
        prop_assert!(reference_iin(ch.iin.as_str()).is_some());
        check_required_text("child.name", &ch.name, MAX_NAME)?;
        prop_assert!(ch.birth_date <= today());
    }
    check_text("notes", &a.notes, MAX_NOTES)?;
    if let Some(r) = &a.duplicate_reason {
        check_required_text("duplicate_reason", r, MAX_NOTES)?;
    }
    let checklist: Vec<&str> = service.documents_for(a.channel).map(|d| d.code.as_str()).collect();
    for code in &d.documents {
        prop_assert!(checklist.contains(&code.as_str()), "forged document {code:?} accepted");
    }
    // The whole checklist, then the extra documents in the clerk's words.
    let (listed, extras) = a.documents.split_at(checklist.len().min(a.documents.len()));
    prop_assert_eq!(listed.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), checklist);
    prop_assert!(extras.len() <= MAX_EXTRA_DOCUMENTS, "{} extra documents accepted", extras.len());
    for (i, e) in extras.iter().enumerate() {
        prop_assert_eq!(&e.code, &format!("extra-{}", i + 1));
        prop_assert!(e.presented && !e.required);
        check_required_text("extra document", &e.name.kk, MAX_EXTRA_DOCUMENT)?;
        prop_assert_eq!(&e.name.kk, &e.name.ru);
    }
    Ok(())
}

fn check_command(c: Command) -> Result<(), TestCaseError> {
    let step = c.step();
    let v = match c.validate(REASONS, FORMS) {
        Ok(v) => v,
        Err(e) => return check_error(&e),
    };
    prop_assert_eq!(v.step(), step);
    match &v {
        Command::PrepareResult { outcome: Outcome::Refusal { reason_code, explanation } } => {
            prop_assert!(REASONS.contains(&reason_code.as_str()), "reason {reason_code:?} accepted");
            check_text("explanation", explanation, MAX_COMMENT)?;
        }
        Command::ReturnToExecutor { comment } => check_required_text("comment", comment, MAX_COMMENT)?,
        Command::Withdraw { reason } => check_required_text("reason", reason, MAX_COMMENT)?,
        Command::Issue { handover: Handover::InPerson, received_by } => {
            check_required_text("received_by", received_by, 200)?
        }
        Command::Issue { handover: Handover::StateCorporation, received_by } => {
            check_text("received_by", received_by, 200)?
        }
        Command::PrepareResult { outcome: Outcome::Positive { form } } => {
            prop_assert!(*form < FORMS, "result form {form} accepted")
        }
        Command::SendToHead | Command::AssignExecutor { .. } | Command::Sign => {}
    }
    Ok(())
}

fn check_office(d: &OfficeDraft) -> Result<(), TestCaseError> {
    let o = match OfficeData::validate(d) {
        Ok(o) => o,
        Err(e) => return check_error(&e),
    };
    check_required_text("name.kk", &o.name.kk, 300)?;
    check_required_text("name.ru", &o.name.ru, 300)?;
    check_required_text("address.kk", &o.address.kk, 300)?;
    check_required_text("address.ru", &o.address.ru, 300)?;
    check_text("phone", &o.phone, 100)?;
    let n = o.series.chars().count();
    prop_assert!((1..=10).contains(&n), "series {:?}", o.series);
    prop_assert!(o.series.chars().all(|c| c.is_alphanumeric() || c == '-'), "series {:?}", o.series);
    prop_assert!((1..=9_999_999).contains(&o.start_number));
    Ok(())
}

/// Valid payloads of every kind: one application draft per service and
/// channel, every workflow command, the office form.
fn valid_payloads() -> &'static Vec<Value> {
    static P: OnceLock<Vec<Value>> = OnceLock::new();
    P.get_or_init(|| {
        let mut out = Vec::new();
        for s in &catalog().services {
            for ch in &s.channels {
                let docs: Vec<&str> = s.documents_for(*ch).map(|d| d.code.as_str()).collect();
                out.push(json!({
                    "service_code": s.code, "channel": ch, "applicant_iin": "900101300007",
                    "applicant_name": "Әбілқайыр Нұрлан Ғалымұлы", "applicant_phone": "8 (701) 123-45-67",
                    "applicant_address": "Шиелі к., Әйтеке би к-сі, 1", "child_iin": "150315500015",
                    "child_name": "Әбілқайыр Айгүл", "child_birth_date": "2023-03-15", "documents": docs,
                    "extra_documents": ["Анықтама № 5", ""],
                    "consent": true, "notes": "", "representative_iin": "150315500607",
                    "representative_name": "Сенімді Өкіл", "poa_number": "№ 123", "poa_date": "01.11.2026",
                    "duplicate_reason": "",
                }));
            }
        }
        out.extend([
            json!({"step": "send_to_head"}),
            json!({"step": "assign_executor", "executor_id": 7}),
            json!({"step": "prepare_result", "outcome": {"kind": "positive"}}),
            json!({"step": "prepare_result", "outcome": {"kind": "refusal", "reason_code": "already_queued", "explanation": "Кезекте тұр"}}),
            json!({"step": "sign"}),
            json!({"step": "return_to_executor", "comment": "Қайта тексеріңіз"}),
            json!({"step": "issue", "handover": "in_person", "received_by": "Әбілқайыр Н."}),
            json!({"step": "issue", "handover": "state_corporation", "received_by": ""}),
            json!({"step": "withdraw", "reason": "Өтініш беруші қайтарып алды"}),
            json!({"name_kk": "Шиелі ауданының білім бөлімі", "name_ru": "Отдел образования Шиелийского района",
                   "address_kk": "Шиелі к., Әйтеке би к-сі, 1", "address_ru": "пос. Шиели, ул. Айтеке би, 1",
                   "phone": "8 (72432) 4-12-34", "series": "ШБ", "start_number": 1250}),
        ]);
        out
    })
}

#[test]
fn the_valid_payloads_are_valid() {
    // Otherwise the mutation properties below would only ever test errors.
    for v in valid_payloads() {
        let ok = serde_json::from_value::<ApplicationDraft>(v.clone())
            .ok()
            .map(|d| NewApplication::validate(&d, catalog(), today()).map(|_| ()))
            .or_else(|| {
                serde_json::from_value::<Command>(v.clone()).ok().map(|c| c.validate(REASONS, FORMS).map(|_| ()))
            })
            .or_else(|| {
                serde_json::from_value::<OfficeDraft>(v.clone()).ok().map(|d| OfficeData::validate(&d).map(|_| ()))
            });
        assert_eq!(ok, Some(Ok(())), "{v}");
    }
}

/// A valid payload with some of its fields mutated: a string field gets
/// hostile text, any node may become another value, keys vanish or appear.
fn mutated_payload() -> impl Strategy<Value = Value> {
    let field_op = prop_oneof![
        6 => hostile_text().prop_map(|s| ValueOp::Replace(Value::String(s))),
        2 => extreme_value().prop_map(ValueOp::Replace),
        1 => json_value().prop_map(ValueOp::Replace),
        1 => Just(ValueOp::Remove),
        1 => Just(ValueOp::Duplicate),
    ];
    (any::<Index>(), proptest::collection::vec((any::<Index>(), field_op), 0..5)).prop_map(|(which, ops)| {
        let payloads = valid_payloads();
        let mut v = payloads[which.index(payloads.len())].clone();
        let paths = all_paths(&v);
        mutate_value(&mut v, &paths, &ops);
        v
    })
}

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn arbitrary_json_requests_never_panic(v in json_value()) {
        decode_and_validate(&v)?;
    }

    #[test]
    fn mutated_requests_never_panic_nor_pass_over_the_limits(v in mutated_payload()) {
        decode_and_validate(&v)?;
    }
}

/// Strategies aimed past the decoder: every string field of a decodable
/// draft is either valid or hostile, so validation runs to its later fields.
fn text_or_valid(valid: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![5 => Just(valid.to_owned()), 1 => hostile_text()]
}

/// A decodable draft for a random service whose fields are each valid or
/// hostile. Boxed in parts: one flat tuple of fourteen strategies overflows
/// the test thread's stack in a debug build.
fn application_draft() -> BoxedStrategy<ApplicationDraft> {
    let applicant = (
        any::<Index>(),
        text_or_valid("900101300007"),
        text_or_valid("Әбілқайыр Нұрлан"),
        prop_oneof![6 => Just("+7 701 123 45 67".to_owned()), 1 => hostile_text(), 2 => "[0-9 ()+-]{0,34}"],
        text_or_valid(""),
    )
        .boxed();
    let child = (
        text_or_valid("150315500015"),
        text_or_valid("Әбілқайыр Айгүл"),
        prop_oneof![
            6 => Just("2023-03-15".to_owned()),
            1 => hostile_text(),
            1 => "[0-9+-]{1,8}-[0-9]{1,2}-[0-9]{1,2}",
            1 => "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9+-]{1,8}",
        ],
    )
        .boxed();
    let representative = proptest::option::weighted(
        0.4,
        (
            text_or_valid("150315500607"),
            text_or_valid("Сенімді Өкіл"),
            text_or_valid("№ 1"),
            text_or_valid("2026-11-01"),
        ),
    )
    .boxed();
    let rest = (
        text_or_valid(""),
        text_or_valid(""),
        // Codes from the service's own checklist (picked once the service is
        // known), sometimes with a forged one.
        proptest::collection::vec(any::<Index>(), 0..6),
        proptest::option::weighted(0.15, hostile_text()),
        prop_oneof![
            3 => Just(Vec::new()),
            3 => proptest::collection::vec(text_or_valid("Анықтама № 5"), 0..4),
            1 => proptest::collection::vec(text_or_valid(""), 15..26),
        ],
        // The channel: absent, one the service offers, or any.
        prop_oneof![1 => Just(None), 4 => any::<Index>().prop_map(|i| Some(Ok(i))), 1 => select(Channel::ALL.to_vec()).prop_map(|c| Some(Err(c)))],
        prop_oneof![9 => Just(true), 1 => Just(false)],
    )
        .boxed();
    (applicant, child, representative, rest)
        .prop_map(|(applicant, child, representative, rest)| {
            let (which, applicant_iin, applicant_name, applicant_phone, applicant_address) = applicant;
            let (child_iin, child_name, child_birth_date) = child;
            let (representative_iin, representative_name, poa_number, poa_date) = representative.unwrap_or_default();
            let (notes, duplicate_reason, picked, forged, extra_documents, channel, consent) = rest;
            let services = &catalog().services;
            let service = &services[which.index(services.len())];
            let channel = channel.map(|c| match c {
                Ok(i) => service.channels[i.index(service.channels.len())],
                Err(any) => any,
            });
            let checklist: Vec<&str> =
                service.documents_for(channel.unwrap_or(Channel::Office)).map(|d| d.code.as_str()).collect();
            let mut documents: Vec<String> = if checklist.is_empty() {
                Vec::new()
            } else {
                picked.iter().map(|i| checklist[i.index(checklist.len())].to_owned()).collect()
            };
            documents.extend(forged);
            ApplicationDraft {
                service_code: service.code.clone(),
                channel,
                applicant_iin,
                applicant_name,
                applicant_phone,
                applicant_address,
                child_iin,
                child_name,
                child_birth_date,
                documents,
                extra_documents,
                consent,
                notes,
                representative_iin,
                representative_name,
                poa_number,
                poa_date,
                duplicate_reason,
                queue: None,
            }
        })
        .boxed()
}

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn application_validation_holds_the_limits(d in application_draft()) {
        check_application(&d)?;
    }

    #[test]
    fn command_validation_holds_the_limits(
        kind in 0usize..9,
        text in text_or_valid("Себебі"),
        reason_code in prop_oneof![3 => select(REASONS).prop_map(str::to_owned), 1 => hostile_text()],
        executor_id in any::<i64>(),
        form in prop_oneof![3 => 0..FORMS, 1 => any::<usize>()],
    ) {
        let c = match kind {
            0 => Command::SendToHead,
            1 => Command::AssignExecutor { executor_id },
            2 => Command::PrepareResult { outcome: Outcome::Positive { form } },
            3 => Command::PrepareResult { outcome: Outcome::Refusal { reason_code, explanation: text } },
            4 => Command::Sign,
            5 => Command::ReturnToExecutor { comment: text },
            6 => Command::Issue { handover: Handover::InPerson, received_by: text },
            7 => Command::Issue { handover: Handover::StateCorporation, received_by: text },
            _ => Command::Withdraw { reason: text },
        };
        check_command(c)?;
    }

    #[test]
    fn office_validation_holds_the_limits(
        name_kk in text_or_valid("Шиелі ауданының білім бөлімі"),
        name_ru in text_or_valid("Отдел образования"),
        address_kk in text_or_valid("Шиелі к., 1"),
        address_ru in text_or_valid("пос. Шиели, 1"),
        phone in text_or_valid("8 (72432) 4-12-34"),
        series in prop_oneof![2 => Just("ШБ".to_owned()), 1 => hostile_text(), 2 => "[ /\\t]{0,2}[A-Za-zА-Яа-яӘә0-9/ \\x{0}\\x{301}²٣]{0,12}[ \\n]{0,2}"],
        start_number in prop_oneof![Just(1250i64), any::<i64>(), -2i64..=2, 9_999_997i64..=10_000_001],
    ) {
        check_office(&OfficeDraft { name_kk, name_ru, address_kk, address_ru, phone, series, start_number })?;
    }
}

/// The properties above are only worth something if hostile input also gets
/// through: a good share of the generated drafts and mutated catalogs must
/// be accepted, or the checks on accepted values would never run.
#[test]
fn the_strategies_reach_acceptance() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let drafts = application_draft();
    let accepted = (0..400)
        .filter(|_| {
            let d = drafts.new_tree(&mut runner).unwrap().current();
            NewApplication::validate(&d, catalog(), today()).is_ok()
        })
        .count();
    assert!(accepted >= 20, "only {accepted} of 400 drafts accepted");
    let requests = mutated_payload();
    let decoded = (0..400)
        .filter(|_| {
            let v = requests.new_tree(&mut runner).unwrap().current();
            serde_json::from_value::<ApplicationDraft>(v.clone()).is_ok()
                || serde_json::from_value::<Command>(v.clone()).is_ok()
                || serde_json::from_value::<OfficeDraft>(v).is_ok()
        })
        .count();
    assert!(decoded >= 100, "only {decoded} of 400 mutated requests decode");
    let ops = proptest::collection::vec((any::<Index>(), value_op()), 1..4);
    let s = services();
    let parsed = (0..60)
        .filter(|_| {
            let mut v = s.value.clone();
            mutate_value(&mut v, &s.paths, &ops.new_tree(&mut runner).unwrap().current());
            Catalog::parse(&v.to_string()).is_ok()
        })
        .count();
    assert!(parsed >= 5, "only {parsed} of 60 mutated catalogs parse");
    eprintln!("accepted: {accepted}/400 drafts, {decoded}/400 requests decoded, {parsed}/60 catalogs");
}

// ---------------------------------------------------------------------------
// Queue rules (assets/queue/rules.json)
// ---------------------------------------------------------------------------

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A small waiting list with every tier and state, registered out of order.
fn small_queue() -> Vec<QueueEntry> {
    let tiers = [Tier::General, Tier::First, Tier::Extraordinary, Tier::General, Tier::General];
    let states = [EntryState::Waiting, EntryState::Waiting, EntryState::Referred, EntryState::Waiting];
    (0..23i64)
        .map(|id| QueueEntry {
            id,
            birth_year: 2022,
            registered_at: date(2023, 1, 1).and_hms_opt(9, 0, 0).unwrap() + Duration::hours((id * 7) % 23),
            tier: tiers[id as usize % tiers.len()],
            preferences: Vec::new(),
            desired_start: None,
            special_needs: false,
            state: states[id as usize % states.len()],
        })
        .collect()
}

/// Accepted rules must answer for every date a person can type (the
/// confirmation of priority takes the evidence's issue date from the
/// window), every birth year a request can carry, and order a queue.
fn check_queue_rules(text: &str) -> Result<(), TestCaseError> {
    let r = QueueRules::parse(text);
    catalog_error("QueueRules::parse", &r)?;
    let Ok(rules) = r else { return Ok(()) };
    let general = rules.category(GENERAL);
    prop_assert!(general.is_some_and(|c| c.tier == Tier::General && c.evidence_valid_days.is_none()));
    for d in [date(2000, 1, 1), date(2026, 11, 24), date(2100, 12, 31), NaiveDate::MIN, NaiveDate::MAX] {
        for c in &rules.categories {
            let until = rules.evidence_until(&c.code, d);
            prop_assert_eq!(until.is_none(), c.evidence_valid_days.is_none(), "{}", c.code);
            prop_assert!(until.is_none_or(|u| u >= d), "{}: evidence until {until:?}, issued {d}", c.code);
            let tier = rules.effective_tier(&c.code, Some(&Evidence { valid_until: until }), d);
            prop_assert!(tier == c.tier || tier == Tier::General);
        }
        prop_assert!(rules.stop_list_until(d) >= d);
        for birth_year in [i32::MIN, -1, 0, 1999, 2020, 2026, 2101, i32::MAX] {
            let _ = rules.age_allows(birth_year, d);
        }
        if let Some(f) = rules.freeze {
            let _ = f.covers(d);
        }
    }
    for start in [date(2000, 1, 1).and_hms_opt(9, 0, 0).unwrap(), date(2100, 12, 24).and_hms_opt(17, 59, 0).unwrap()] {
        prop_assert!(rules.referral_valid_until(shipped::calendar(), start) >= start.date());
    }
    let queue = small_queue();
    let ordered = order(&queue, &rules);
    let waiting = queue.iter().filter(|e| e.state == EntryState::Waiting).count();
    prop_assert_eq!(ordered.len(), waiting, "each waiting child exactly once");
    let ids: std::collections::BTreeSet<i64> = ordered.iter().map(|e| e.id).collect();
    prop_assert_eq!(ids.len(), waiting);
    Ok(())
}

fn replay_queue_rules() {
    replay("queue_rules", |seed| {
        promised(seed, QueueRules::parse(&seed.text).is_ok())?;
        check_queue_rules(&seed.text)
    });
}

#[test]
fn queue_rules_survive_byte_mutations() {
    replay_queue_rules();
    run(2048, byte_ops(), |(base, ops)| check_queue_rules(&mutate_bytes(queue_rules_bases().text(&base), &ops)));
}

#[test]
fn queue_rules_survive_value_mutations() {
    replay_queue_rules();
    run(2048, value_ops(), |(base, ops)| {
        queue_rules_bases().mutated(&base, &ops).iter().try_for_each(|t| check_queue_rules(t))
    });
}

// ---------------------------------------------------------------------------
// The QR verification text (`KENSE1 <number> <kind> <copy> <head> <code>`)
// ---------------------------------------------------------------------------

/// The key the `valid-*` seeds were made with, over the content
/// `content_hash("corpus")`.
const CORPUS_KEY: &[u8] = b"kense corpus key";

fn corpus_content() -> String {
    verification::content_hash("corpus")
}

/// Whatever a scanner types: either not ours, or read field by field as
/// written, and then valid exactly when the key gives that code for those
/// fields; a stored code of the print turns a mismatch into "changed".
fn check_verification(text: &str, key: &[u8]) -> Result<(), TestCaseError> {
    let Some(v) = verification::parse(text) else { return Ok(()) };
    let parts: Vec<&str> = text.split_whitespace().collect();
    prop_assert_eq!(parts.len(), 6);
    prop_assert_eq!(parts[0], "KENSE1");
    prop_assert_eq!((parts[1], parts[2], parts[4], parts[5]), (&*v.number, &*v.kind, &*v.chain_head, &*v.code));
    prop_assert_eq!(parts[3].parse::<u32>().ok(), Some(v.copy));
    let content = corpus_content();
    let fresh = verification::qr_text(key, &v.number, &v.kind, v.copy, &v.chain_head, &content);
    let fresh = verification::parse(&fresh);
    prop_assert!(fresh.is_some(), "a text made from parsed fields does not parse");
    let valid = fresh.unwrap().code == v.code;
    let verdict = verification::verify(key, &v, &content, None);
    prop_assert_eq!(verdict, if valid { Verdict::Valid } else { Verdict::Forged });
    let changed = verification::content_hash("changed");
    prop_assert_eq!(verification::verify(key, &v, &changed, Some(&v.code)), Verdict::ContentChanged);
    prop_assert_eq!(verification::verify(key, &v, &content, Some("not the stored code")), verdict);
    if key != b"another office" {
        prop_assert_ne!(verification::verify(b"another office", &v, &content, None), Verdict::Valid);
    }
    Ok(())
}

/// A field of a QR text without white space, as the shell writes them.
fn qr_token() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9A-Za-zӘәҒғҚқҢңӨөҰұҮүҺһІіШБ/_.-]{1,24}",
        select(vec!["01-2026-00001", "ШБ-2026-01250", "receipt", "referral", "8381c4799a5f", "0"])
            .prop_map(str::to_owned),
    ]
}

fn qr_fields() -> impl Strategy<Value = (Vec<u8>, String, String, u32, String, String)> {
    let key = prop_oneof![Just(CORPUS_KEY.to_vec()), proptest::collection::vec(any::<u8>(), 0..100)];
    (key, qr_token(), qr_token(), any::<u32>(), qr_token(), any::<String>())
}

#[test]
fn verification_texts_are_read_as_written() {
    let content = corpus_content();
    replay("verification", |seed| {
        let parsed = verification::parse(&seed.text);
        promised(seed, parsed.is_some())?;
        if let Some(v) = &parsed {
            let verdict = verification::verify(CORPUS_KEY, v, &content, None);
            match seed.expect {
                Expect::Valid => prop_assert_eq!(verdict, Verdict::Valid),
                Expect::Forged => prop_assert_eq!(verdict, Verdict::Forged),
                Expect::Accept | Expect::Refuse => {}
            }
        }
        check_verification(&seed.text, CORPUS_KEY)
    });
    let seeds: Vec<String> = corpus("verification").into_iter().map(|s| s.text).collect();
    let mutated_seed =
        (select(seeds), proptest::collection::vec(byte_op(), 1..4)).prop_map(|(s, ops)| mutate_bytes(&s, &ops));
    let soup = proptest::collection::vec(
        prop_oneof![3 => qr_token(), 1 => Just("KENSE1".to_owned()), 1 => short_hostile_text()],
        0..9,
    )
    .prop_flat_map(|tokens| {
        let n = tokens.len();
        (Just(tokens), proptest::collection::vec(select(&[" ", "\t", "\n", "  ", "\u{a0}", "\u{3000}", ""][..]), n))
    })
    .prop_map(|(tokens, gaps)| tokens.iter().zip(gaps).map(|(t, g)| format!("{t}{g}")).collect::<String>());
    run(4096, prop_oneof![1 => any::<String>(), 2 => mutated_seed, 2 => soup], |text| {
        check_verification(&text, CORPUS_KEY)
    });
}

#[test]
fn a_printed_code_verifies_and_no_edit_of_it_does() {
    run(
        2048,
        (qr_fields(), proptest::collection::vec(byte_op(), 1..4)),
        |((key, number, kind, copy, head, content), ops)| {
            let content = verification::content_hash(&content);
            let text = verification::qr_text(&key, &number, &kind, copy, &head, &content);
            let v = verification::parse(&text);
            prop_assert_eq!(
                v.as_ref().map(|v| (&*v.number, &*v.kind, v.copy, &*v.chain_head)),
                Some((&*number, &*kind, copy, &*head)),
                "{:?} does not read back",
                text
            );
            let v = v.unwrap();
            prop_assert_eq!(v.code.len(), 24);
            prop_assert_eq!(verification::verify(&key, &v, &content, None), Verdict::Valid);
            // Not `key + [0]`: HMAC pads a short key with zeros, so that is the same key.
            let mut other_key = key.clone();
            match other_key.first_mut() {
                Some(b) => *b ^= 1,
                None => other_key.push(1),
            }
            prop_assert_eq!(verification::verify(&other_key, &v, &content, None), Verdict::Forged);
            let next_copy = Vouched { copy: copy.wrapping_add(1), ..v.clone() };
            prop_assert_eq!(verification::verify(&key, &next_copy, &content, None), Verdict::Forged);
            // An edited text is either not ours, reads as the same fields, or is
            // no longer valid: no edit forges a code.
            let edited = mutate_bytes(&text, &ops);
            if let Some(e) = verification::parse(&edited) {
                if verification::verify(&key, &e, &content, None) == Verdict::Valid {
                    prop_assert_eq!(e, v, "edited {:?} to {:?}", text, edited);
                }
            }
            Ok(())
        },
    );
}
