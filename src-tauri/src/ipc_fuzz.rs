//! Fuzzing of the IPC request decoding: every payload a command decodes,
//! built from random JSON trees and from mutations of the committed seeds in
//! `tests/corpus/ipc/`, which are replayed first.
//!
//! A unit test, not an integration test, because the request types are
//! private to their command modules; and a bounded loop over a small PRNG
//! instead of proptest, because proptest as a dev-dependency of the shell
//! would make `cargo test` build Tauri a second time (platform-notes B.9).
//! The hostile text comes from `kense-hostile`, a dev-dependency without
//! dependencies of its own, which changes no features.
//! `KENSE_FUZZ_CASES` sets the number of generated payloads per command.

use std::collections::BTreeSet;
use std::path::Path;

use kense_domain::{Error, Lang};
use kense_hostile::{CHARS, STRINGS};
use serde_json::{json, Map, Value};

use crate::commands::{self, decode, IpcError};

pub(crate) type Decoder = fn(Value) -> Result<(), Error>;

pub(crate) fn decoder<T: serde::de::DeserializeOwned>(payload: Value) -> Result<(), Error> {
    decode::<T>(payload).map(drop)
}

/// Every command module's decoders.
fn requests() -> Vec<(&'static str, Decoder)> {
    [
        commands::session::requests(),
        commands::server::requests(),
        commands::register::requests(),
        commands::workflow::requests(),
        commands::search::requests(),
        commands::queue::requests(),
        commands::admin::requests(),
        commands::catalog::requests(),
        commands::backup::requests(),
        commands::exchange::requests(),
        commands::paper::requests(),
        commands::verify::requests(),
        commands::signature::requests(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Sized so that all commands together take a few seconds in a debug build.
const CI_CASES: u32 = 1000;

fn cases() -> u32 {
    match std::env::var("KENSE_FUZZ_CASES") {
        Ok(n) => n.trim().parse().unwrap_or_else(|_| panic!("KENSE_FUZZ_CASES={n:?} is not a number")),
        Err(_) => CI_CASES,
    }
}

/// xorshift64*: reproducible from the seed printed with a failure.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, from: &'a [T]) -> &'a T {
        &from[self.below(from.len())]
    }
}

/// One hostile piece of text from the shared list: a character or a string,
/// each half the time. The strings (JSON words, impossible dates, `../`…)
/// are a fifth of the list; drawn by count, the characters would drown them.
fn nasty(rng: &mut Rng) -> String {
    if rng.below(2) == 0 {
        rng.pick(CHARS).to_string()
    } else {
        rng.pick(STRINGS).to_string()
    }
}

fn text(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => (0..rng.below(8)).map(|_| nasty(rng)).collect(),
        1 => {
            // Any scalar values, controls and surrogate neighbours included.
            (0..rng.below(24)).filter_map(|_| char::from_u32((rng.next() % 0x11_0000) as u32)).collect()
        }
        2 => nasty(rng).repeat(1 + rng.below(70_000)),
        _ => nasty(rng),
    }
}

fn number(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => json!(i64::MIN),
        1 => json!(i64::MAX),
        2 => json!(u64::MAX),
        3 => json!(u64::from(u32::MAX) + 1),
        4 => json!(i64::from(i32::MIN) - 1),
        5 => json!(rng.next() as i64),
        6 => json!(f64::from_bits(rng.next()).clamp(-1e308, 1e308)),
        _ => json!(rng.below(5) as i64 - 2),
    }
}

fn leaf(rng: &mut Rng, keys: &[&str]) -> Value {
    match rng.below(6) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 1),
        2 => number(rng),
        3 => Value::from(*rng.pick(keys)),
        _ => Value::String(text(rng)),
    }
}

/// Keys and enum names the shell's requests use, so that random trees often
/// have the right shape and get past the first field.
fn words(seeds: &[Value]) -> Vec<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| {
                out.insert(k.clone());
                walk(v, out);
            }),
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            Value::String(s) if s.len() < 40 => {
                out.insert(s.clone());
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    seeds.iter().for_each(|s| walk(s, &mut out));
    out.into_iter().collect()
}

fn tree(rng: &mut Rng, keys: &[&str], depth: u32) -> Value {
    if depth == 0 || rng.below(3) == 0 {
        return leaf(rng, keys);
    }
    if rng.below(3) == 0 {
        Value::Array((0..rng.below(6)).map(|_| tree(rng, keys, depth - 1)).collect())
    } else {
        let mut m = Map::new();
        for _ in 0..rng.below(9) {
            let k = if rng.below(5) == 0 { text(rng) } else { rng.pick(keys).to_string() };
            m.insert(k, tree(rng, keys, depth - 1));
        }
        Value::Object(m)
    }
}

/// One to four edits of a seed: a node replaced, removed or duplicated under
/// an unknown key, a string retexted.
fn mutate(rng: &mut Rng, seed: &Value, keys: &[&str]) -> Value {
    let mut v = seed.clone();
    let edits = if rng.below(2) == 0 { 1 } else { 1 + rng.below(4) };
    for _ in 0..edits {
        edit(rng, &mut v, keys);
    }
    v
}

/// Walks down a random path, stopping anywhere, and edits the node there.
fn edit(rng: &mut Rng, node: &mut Value, keys: &[&str]) {
    let has_children = match node {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    };
    if has_children && rng.below(3) > 0 {
        match node {
            Value::Object(m) => {
                let k = m.keys().nth(rng.below(m.len())).cloned().unwrap();
                return edit(rng, m.get_mut(&k).unwrap(), keys);
            }
            Value::Array(a) => {
                let i = rng.below(a.len());
                return edit(rng, &mut a[i], keys);
            }
            _ => unreachable!(),
        }
    }
    // Half the edits keep the node's type, so that decoding gets past it
    // and the fields after it are reached.
    match (rng.below(10), &mut *node) {
        (0..5, Value::String(s)) => *s = text(rng),
        (0..5, Value::Number(_)) => *node = number(rng),
        (0..5, Value::Bool(b)) => *b = !*b,
        (0, Value::Object(m)) if !m.is_empty() => {
            let k = m.keys().nth(rng.below(m.len())).cloned().unwrap();
            m.remove(&k);
        }
        (1, Value::Object(m)) => {
            m.insert(format!("{}_", rng.pick(keys)), leaf(rng, keys));
        }
        (2, _) => *node = tree(rng, keys, 2),
        _ => *node = leaf(rng, keys),
    }
}

/// A refused payload reads to the window as the fixed malformed-request
/// message in both languages: serde's text, which quotes the payload, never
/// reaches it.
fn check(command: &str, decode: Decoder, payload: &Value) -> Result<bool, String> {
    match decode(payload.clone()) {
        Ok(()) => Ok(true),
        Err(e @ Error::MalformedRequest(_)) => {
            for lang in [Lang::Kk, Lang::Ru] {
                let shown = IpcError::new(&e, lang);
                let fixed = Error::MalformedRequest(String::new()).message(lang);
                if shown.code != "malformed_request" || shown.message != fixed || shown.field.is_some() {
                    return Err(format!("{command}: the window would read {:?} / {:?}", shown.code, shown.message));
                }
            }
            Ok(false)
        }
        Err(e) => Err(format!("{command}: {e:?} instead of a malformed request")),
    }
}

struct Seed {
    name: String,
    command: String,
    accept: bool,
    payload: Value,
}

/// `tests/corpus/ipc/{accept,refuse}-<command>[--<what>].json`.
fn corpus() -> Vec<Seed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/ipc");
    let mut seeds: Vec<Seed> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".json").unwrap_or_else(|| panic!("{name}: not .json"));
            let (accept, rest) = match stem.split_once('-') {
                Some(("accept", rest)) => (true, rest),
                Some(("refuse", rest)) => (false, rest),
                _ => panic!("{name}: a seed's name starts with accept- or refuse-"),
            };
            let command = rest.split("--").next().unwrap().to_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let payload = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            Seed { name, command, accept, payload }
        })
        .collect();
    seeds.sort_by(|a, b| a.name.cmp(&b.name));
    seeds
}

/// Commands whose signature takes a payload, read from the sources of every
/// file in `commands/`, so that a new command (or a new file of them) cannot
/// miss the tables above.
fn commands_with_payload() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src/commands");
    let sources: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    // A signature may wrap over several lines: read each up to its body.
    sources
        .iter()
        .flat_map(|src| src.split("\npub fn ").skip(1))
        .filter(|sig| sig.split('{').next().unwrap_or_default().contains("payload: Value"))
        .map(|sig| sig.split(['(', '<']).next().unwrap().to_owned())
        .collect()
}

#[test]
fn every_command_with_a_payload_is_fuzzed_and_has_a_valid_seed() {
    let fuzzed: BTreeSet<String> = requests().iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(fuzzed, commands_with_payload(), "the decoder tables and the commands differ");
    let seeded: BTreeSet<String> = corpus().into_iter().filter(|s| s.accept).map(|s| s.command).collect();
    assert_eq!(seeded, fuzzed, "every command needs an accept- seed in tests/corpus/ipc");
}

#[test]
fn request_decoding_never_panics_nor_echoes_the_payload() {
    let seeds = corpus();
    let requests = requests();
    for s in &seeds {
        let (_, decode) = requests
            .iter()
            .find(|(c, _)| *c == s.command)
            .unwrap_or_else(|| panic!("{}: no command {:?}", s.name, s.command));
        match check(&s.command, *decode, &s.payload) {
            Ok(decoded) if decoded == s.accept => {}
            Ok(decoded) => panic!("tests/corpus/ipc/{}: decoded = {decoded}, the name says otherwise", s.name),
            Err(e) => panic!("tests/corpus/ipc/{}: {e}", s.name),
        }
    }
    let payloads: Vec<Value> = seeds.iter().map(|s| s.payload.clone()).collect();
    let words = words(&payloads);
    let keys: Vec<&str> = words.iter().map(String::as_str).collect();
    let start = std::env::var("KENSE_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x4b45_4e53_4531);
    let mut decoded = 0u32;
    for (command, decode) in &requests {
        let own: Vec<&Value> = seeds.iter().filter(|s| s.command == *command).map(|s| &s.payload).collect();
        for case in 0..cases() {
            let state = start ^ (u64::from(case) << 20) ^ command.len() as u64 ^ u64::from(command.as_bytes()[0]) << 8;
            let mut rng = Rng(state | 1);
            let payload = match rng.below(4) {
                0 => tree(&mut rng, &keys, 4),
                _ => {
                    let seed = if own.is_empty() || rng.below(5) == 0 { rng.pick(&payloads) } else { *rng.pick(&own) };
                    mutate(&mut rng, seed, &keys)
                }
            };
            match check(command, *decode, &payload) {
                Ok(ok) => decoded += u32::from(ok),
                Err(e) => panic!("{e}\nrng state {state:#x}, payload {payload}"),
            }
        }
    }
    // Otherwise only the first field's errors would ever be exercised.
    let total = cases() * requests.len() as u32;
    assert!(decoded * 10 >= total, "only {decoded} of {total} generated payloads decoded");
    eprintln!("{decoded} of {total} generated payloads decoded");
}
