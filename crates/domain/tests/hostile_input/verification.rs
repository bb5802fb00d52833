//! Target `verification`: the QR text (`KENSE1 <number> <kind> <copy>
//! <head> <code>`) as a scanner types it, read field by field and verified;
//! no edit of a printed text forges a code.

use kense_domain::verification::{self, Verdict, Vouched};
use proptest::prelude::*;
use proptest::sample::select;

use crate::corpus::{corpus, promised, replay, Expect};
use crate::mutation::{byte_op, mutate_bytes};
use crate::runner::run;
use crate::text::short_hostile_text;

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
