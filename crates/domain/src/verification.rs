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

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::audit::hex;

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
