//! The verification code printed in a document's QR code.
//!
//! A document is verified at the office that issued it, against its own
//! registry, so a keyed hash (HMAC-SHA256 with the office's secret key) is
//! enough and keeps the QR text short (~80 bytes, which a phone reads from a
//! 24 mm code at office print resolution). A public-key signature (Ed25519)
//! would let others verify without the registry, but its 86 base64 characters
//! make the code too dense to read reliably; the registry is needed anyway to
//! tell a withdrawn or corrected record from a valid one.
//!
//! QR text: `KENSE1 <number> <kind> <copy> <chain head> <code>`, where code =
//! the first 15 bytes of HMAC-SHA256(key, number, kind, copy, chain head,
//! SHA-256 of the document's canonical content), in base32 (24 characters).
//!
//! Whether the code is the office's is only the first question at the
//! counter. [`standing`] answers the one a person acts on — does the paper
//! still hold, and if not, since when and why — from the code's [`Verdict`]
//! and what the registry knows of the paper's record ([`Facts`]).

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::hex;
use crate::queue::ReferralStatus;

const PREFIX: &str = "KENSE1";
const CODE_BYTES: usize = 15;

/// What a document's code vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vouched {
    pub number: String,
    pub kind: String,
    pub copy: u32,
    pub chain_head: String,
    pub code: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The paper matches the registry's record as it stands.
    Valid,
    /// The code is the office's, but the record has changed since printing.
    ContentChanged,
    /// The code was not made with this office's key: forged or mistyped.
    Forged,
}

/// How a presented paper's code relates to the registry's record of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// The registry has no record with the paper's number.
    Unknown,
    /// The code is not the office's, for the record as printed or as it
    /// stands: forged, another office's, or mistyped.
    Forged,
    /// The office's code for the record as it stands, but no print of it is
    /// recorded.
    Unrecorded,
    /// A recorded print, and the record still says what the paper says.
    AsPrinted,
    /// A recorded print, but the record has changed since.
    Changed,
}

impl Code {
    /// The code's [`Verdict`], with whether its text is among the recorded
    /// prints.
    pub fn of(verdict: Verdict, printed: bool) -> Code {
        match (verdict, printed) {
            (Verdict::Valid, true) => Code::AsPrinted,
            (Verdict::Valid, false) => Code::Unrecorded,
            (Verdict::ContentChanged, _) => Code::Changed,
            (Verdict::Forged, _) => Code::Forged,
        }
    }
}

/// What the registry knows that bears on a presented paper besides its code.
/// Each day is the office's local date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub today: NaiveDate,
    /// Records of the paper's application differ from their seals: someone
    /// wrote to the registry behind Kense's back.
    pub outside_edits: bool,
    /// For a result: a version prepared after the paper was printed (its
    /// number and day).
    pub newer_result: Option<(i64, NaiveDate)>,
    /// The first correction of the record recorded after the paper was
    /// printed: its day and who made it.
    pub correction: Option<(NaiveDate, String)>,
    /// The day the application was withdrawn.
    pub withdrawn: Option<NaiveDate>,
    /// For a referral: its life.
    pub referral: Option<ReferralLife>,
    /// For a paper that states the child's place in the queue (the queue
    /// notification, the history of the number): the first day the child's
    /// history changed after the paper was printed.
    pub queue_changed: Option<NaiveDate>,
}

impl Facts {
    /// Nothing known against the paper, on `today`.
    pub fn on(today: NaiveDate) -> Facts {
        Facts {
            today,
            outside_edits: false,
            newer_result: None,
            correction: None,
            withdrawn: None,
            referral: None,
            queue_changed: None,
        }
    }
}

/// A referral's life as the verify screen needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralLife {
    pub status: ReferralStatus,
    /// The day its status was last set.
    pub status_on: NaiveDate,
    /// Its last valid day.
    pub valid_until: NaiveDate,
    /// A referral issued to the same child after this one: its number and
    /// issue day.
    pub newer: Option<(String, NaiveDate)>,
}

/// How a referral was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Use {
    /// Presented at the kindergarten; enrolment may follow.
    Presented,
    Enrolled,
}

/// How a paper's application or referral was ended before it was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// The referral was cancelled by the head.
    Cancelled,
    /// The parent refused the referral.
    RefusedByParent,
    /// The applicant withdrew the application.
    Withdrawn,
}

/// What a presented paper is worth today: the verify screen's headline. The
/// window only words it; every decision is [`standing`]'s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Standing {
    /// Issued here, the record says what the paper says, and nothing has
    /// ended it.
    Valid,
    /// Issued here and unchanged, but a newer paper or state has taken its
    /// place since `on`: a later referral for the child (`newer` is its
    /// number), a newer result version (`newer` is the version), or a change
    /// of the child's place in the queue (`newer` is `None`).
    Superseded { on: NaiveDate, newer: Option<String> },
    /// A referral not presented through its last valid day.
    Expired { until: NaiveDate },
    /// A referral presented at the kindergarten, or the child enrolled.
    Used { on: NaiveDate, how: Use },
    /// A referral cancelled or refused, or the application withdrawn.
    Cancelled { on: NaiveDate, how: Ending },
    /// The record was changed behind Kense's back: nothing the registry says
    /// of the paper can be vouched for.
    ChangedOutside,
    /// The record was corrected through Kense after the paper was printed.
    Corrected { on: NaiveDate, by: String },
    /// The office has no record of issuing this paper.
    NotIssuedHere,
    /// The code is not the office's: forged or mistyped.
    Forged,
}

impl Standing {
    /// Every standing's code, as the window receives it in `code`.
    pub const CODES: [&'static str; 9] = [
        "valid",
        "superseded",
        "expired",
        "used",
        "cancelled",
        "changed_outside",
        "corrected",
        "not_issued_here",
        "forged",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Standing::Valid => "valid",
            Standing::Superseded { .. } => "superseded",
            Standing::Expired { .. } => "expired",
            Standing::Used { .. } => "used",
            Standing::Cancelled { .. } => "cancelled",
            Standing::ChangedOutside => "changed_outside",
            Standing::Corrected { .. } => "corrected",
            Standing::NotIssuedHere => "not_issued_here",
            Standing::Forged => "forged",
        }
    }
}

/// The standing of a presented paper. The first that applies, in this order:
///
/// 1. the number is not in the registry: not issued here;
/// 2. the code is not the office's: forged;
/// 3. any record of the application differs from its seal: changed outside —
///    even when the printed facts still match, because what is not printed
///    (a referral's status, the record of the print itself) could be what
///    was changed, and a valid-looking answer would then be the forger's;
/// 4. the office's code but no recorded print: not issued here (stricter
///    than "valid": the office vouches only for what it recorded handing out);
/// 5. the record changed since printing: a result re-prepared after the
///    print is superseded by its newer version; otherwise a correction
///    recorded after the print; a change with no recorded cause at all is
///    read as made outside (stricter than guessing a correction);
/// 6. the application was withdrawn: cancelled (nothing issued for it holds);
/// 7. a referral: a later referral for the same child supersedes it (it is
///    the paper that counts now, whatever became of this one); then used
///    (presented — stricter than "valid": a referral is presented once — or
///    enrolled), cancelled or refused, expired (by the date, even before the
///    office clock has marked it: the date is the rule);
/// 8. a paper stating the child's place in the queue whose history changed
///    after printing: superseded;
/// 9. otherwise valid. Copies of a paper are the same paper: a reprint never
///    supersedes the first print.
pub fn standing(code: Code, f: &Facts) -> Standing {
    match code {
        Code::Unknown => return Standing::NotIssuedHere,
        Code::Forged => return Standing::Forged,
        _ if f.outside_edits => return Standing::ChangedOutside,
        Code::Unrecorded => return Standing::NotIssuedHere,
        Code::Changed => {
            return match (&f.newer_result, &f.correction) {
                (Some((version, on)), _) => Standing::Superseded { on: *on, newer: Some(version.to_string()) },
                (None, Some((on, by))) => Standing::Corrected { on: *on, by: by.clone() },
                (None, None) => Standing::ChangedOutside,
            }
        }
        Code::AsPrinted => {}
    }
    if let Some(on) = f.withdrawn {
        return Standing::Cancelled { on, how: Ending::Withdrawn };
    }
    if let Some(r) = &f.referral {
        if let Some((number, on)) = &r.newer {
            return Standing::Superseded { on: *on, newer: Some(number.clone()) };
        }
        let on = r.status_on;
        match r.status {
            ReferralStatus::Presented => return Standing::Used { on, how: Use::Presented },
            ReferralStatus::Enrolled => return Standing::Used { on, how: Use::Enrolled },
            ReferralStatus::Cancelled => return Standing::Cancelled { on, how: Ending::Cancelled },
            ReferralStatus::RefusedByParent => return Standing::Cancelled { on, how: Ending::RefusedByParent },
            ReferralStatus::Expired => return Standing::Expired { until: r.valid_until },
            ReferralStatus::Issued if f.today > r.valid_until => return Standing::Expired { until: r.valid_until },
            ReferralStatus::Issued => {}
        }
    }
    match f.queue_changed {
        Some(on) => Standing::Superseded { on, newer: None },
        None => Standing::Valid,
    }
}

/// The canonical content's fingerprint: SHA-256 of the document's data.
pub fn content_hash(canonical: &str) -> String {
    hex(&Sha256::digest(canonical.as_bytes()))
}

fn mac(key: &[u8], number: &str, kind: &str, copy: u32, chain_head: &str, content: &str) -> Vec<u8> {
    // new_from_slice accepts any key length for HMAC.
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    for part in [number, kind, &copy.to_string(), chain_head, content] {
        m.update(&(part.len() as u64).to_be_bytes());
        m.update(part.as_bytes());
    }
    m.finalize().into_bytes()[..CODE_BYTES].to_vec()
}

/// The text to put in the QR code.
pub fn qr_text(key: &[u8], number: &str, kind: &str, copy: u32, chain_head: &str, content: &str) -> String {
    let code = base32(&mac(key, number, kind, copy, chain_head, content));
    format!("{PREFIX} {number} {kind} {copy} {chain_head} {code}")
}

/// Reads a QR text (as a scanner types it). `None` when it is not one of ours.
pub fn parse(text: &str) -> Option<Vouched> {
    let mut parts = text.split_whitespace();
    if parts.next()? != PREFIX {
        return None;
    }
    let v = Vouched {
        number: parts.next()?.to_owned(),
        kind: parts.next()?.to_owned(),
        copy: parts.next()?.parse().ok()?,
        chain_head: parts.next()?.to_owned(),
        code: parts.next()?.to_owned(),
    };
    parts.next().is_none().then_some(v)
}

/// Compares a scanned code with the record's current content.
pub fn verify(key: &[u8], v: &Vouched, current_content: &str, original_content_code: Option<&str>) -> Verdict {
    let expected = base32(&mac(key, &v.number, &v.kind, v.copy, &v.chain_head, current_content));
    if constant_time_eq(expected.as_bytes(), v.code.as_bytes()) {
        return Verdict::Valid;
    }
    // The office's code for the content as printed (kept with the print)?
    match original_content_code {
        Some(original) if constant_time_eq(original.as_bytes(), v.code.as_bytes()) => Verdict::ContentChanged,
        _ => Verdict::Forged,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// RFC 4648 base32 without padding: upper-case letters and digits only,
/// which a QR code stores compactly and nobody misreads.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_code_round_trips_and_tampering_is_told_apart() {
        let content = content_hash("{\"applicant\":\"Әсем\"}");
        let text = qr_text(KEY, "01-2026-00001", "receipt", 1, "8381c4799a5f", &content);
        assert!(text.len() < 120, "{} bytes: {text}", text.len());
        let v = parse(&text).unwrap();
        assert_eq!(v.number, "01-2026-00001");
        assert_eq!(verify(KEY, &v, &content, None), Verdict::Valid);

        let changed = content_hash("{\"applicant\":\"Иванова\"}");
        assert_eq!(verify(KEY, &v, &changed, Some(&v.code)), Verdict::ContentChanged);
        assert_eq!(verify(b"another office's key", &v, &content, None), Verdict::Forged);
        let mut forged = v.clone();
        forged.copy = 2;
        assert_eq!(verify(KEY, &forged, &content, None), Verdict::Forged, "the copy number is vouched for");
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn referral(status: ReferralStatus) -> ReferralLife {
        ReferralLife { status, status_on: day("2026-11-26"), valid_until: day("2026-12-01"), newer: None }
    }

    #[test]
    fn the_standing_follows_the_code_first_then_the_record() {
        let today = day("2026-12-03");
        let clean = Facts::on(today);
        assert_eq!(standing(Code::AsPrinted, &clean), Standing::Valid);
        assert_eq!(standing(Code::Unknown, &clean), Standing::NotIssuedHere);
        assert_eq!(standing(Code::Unrecorded, &clean), Standing::NotIssuedHere);
        let tampered = Facts { outside_edits: true, ..clean.clone() };
        assert_eq!(standing(Code::Forged, &tampered), Standing::Forged, "a forged code is forged whatever the record");
        for code in [Code::AsPrinted, Code::Changed, Code::Unrecorded] {
            assert_eq!(standing(code, &tampered), Standing::ChangedOutside, "{code:?}");
        }
        // A change since printing: a correction names its day and author; a
        // change nobody recorded is read as made outside.
        let corrected = Facts { correction: Some((day("2026-11-30"), "Сәуле".into())), ..clean.clone() };
        assert_eq!(
            standing(Code::Changed, &corrected),
            Standing::Corrected { on: day("2026-11-30"), by: "Сәуле".into() }
        );
        assert_eq!(standing(Code::Changed, &clean), Standing::ChangedOutside);
        let reprepared = Facts { newer_result: Some((2, day("2026-11-29"))), ..corrected };
        assert_eq!(
            standing(Code::Changed, &reprepared),
            Standing::Superseded { on: day("2026-11-29"), newer: Some("2".into()) }
        );
        let withdrawn = Facts { withdrawn: Some(day("2026-11-28")), queue_changed: Some(day("2026-11-27")), ..clean };
        assert_eq!(
            standing(Code::AsPrinted, &withdrawn),
            Standing::Cancelled { on: day("2026-11-28"), how: Ending::Withdrawn }
        );
        let moved = Facts { queue_changed: Some(day("2026-11-27")), ..Facts::on(today) };
        assert_eq!(standing(Code::AsPrinted, &moved), Standing::Superseded { on: day("2026-11-27"), newer: None });
    }

    #[test]
    fn a_referral_stands_by_its_status_and_its_date() {
        let facts = |r: ReferralLife, today: &str| Facts { referral: Some(r), ..Facts::on(day(today)) };
        use ReferralStatus as S;
        let on = day("2026-11-26");
        assert_eq!(standing(Code::AsPrinted, &facts(referral(S::Issued), "2026-12-01")), Standing::Valid);
        let until = day("2026-12-01");
        assert_eq!(
            standing(Code::AsPrinted, &facts(referral(S::Issued), "2026-12-02")),
            Standing::Expired { until },
            "past its last day it has expired before the clock marks it"
        );
        assert_eq!(standing(Code::AsPrinted, &facts(referral(S::Expired), "2026-12-03")), Standing::Expired { until });
        assert_eq!(
            standing(Code::AsPrinted, &facts(referral(S::Presented), "2026-11-27")),
            Standing::Used { on, how: Use::Presented }
        );
        assert_eq!(
            standing(Code::AsPrinted, &facts(referral(S::Enrolled), "2026-12-27")),
            Standing::Used { on, how: Use::Enrolled }
        );
        assert_eq!(
            standing(Code::AsPrinted, &facts(referral(S::Cancelled), "2026-11-27")),
            Standing::Cancelled { on, how: Ending::Cancelled }
        );
        assert_eq!(
            standing(Code::AsPrinted, &facts(referral(S::RefusedByParent), "2026-11-27")),
            Standing::Cancelled { on, how: Ending::RefusedByParent }
        );
        let replaced =
            ReferralLife { newer: Some(("Ж-2026-00007".into(), day("2026-12-20"))), ..referral(S::Expired) };
        assert_eq!(
            standing(Code::AsPrinted, &facts(replaced, "2026-12-21")),
            Standing::Superseded { on: day("2026-12-20"), newer: Some("Ж-2026-00007".into()) }
        );
    }

    #[test]
    fn every_standing_code_is_listed_and_is_what_the_window_receives() {
        let d = day("2026-12-01");
        let all = [
            Standing::Valid,
            Standing::Superseded { on: d, newer: None },
            Standing::Expired { until: d },
            Standing::Used { on: d, how: Use::Enrolled },
            Standing::Cancelled { on: d, how: Ending::Withdrawn },
            Standing::ChangedOutside,
            Standing::Corrected { on: d, by: String::new() },
            Standing::NotIssuedHere,
            Standing::Forged,
        ];
        let codes: Vec<&str> = all.iter().map(Standing::code).collect();
        assert_eq!(codes, Standing::CODES);
        for s in &all {
            let json = serde_json::to_value(s).expect("serializes");
            assert_eq!(json["code"], s.code());
        }
        assert_eq!(serde_json::to_value(&all[2]).expect("serializes")["until"], "2026-12-01");
    }

    #[test]
    fn only_our_texts_parse() {
        assert!(parse("https://example.org").is_none());
        assert!(parse("KENSE1 01-2026-00001 receipt x abc CODE").is_none());
        assert!(parse("KENSE1 01-2026-00001 receipt 1 abc CODE extra").is_none());
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
    }
}
