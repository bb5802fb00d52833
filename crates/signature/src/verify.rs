//! Checking a signed PDF offline: is the signature mathematically valid,
//! does it cover the whole file, who made it, does the certificate chain
//! to the roots the office imported (at the time the signature claims),
//! and is it on an imported revocation list. No OCSP is asked offline, and
//! the verdict says which list, if any, was consulted.
//!
//! Only RSA with SHA-256 is checked here. A ГОСТ signature (NCA's keys since
//! 2024) is reported as such with what was checked — the document digest
//! against the CMS's message-digest is Streebog there, which this module
//! does not compute — rather than guessed.

use openssl::hash::MessageDigest;
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::X509VerifyParam;
use openssl::x509::{X509StoreContext, X509};
use sha2::{Digest, Sha256};

use crate::cms::{self, ID_SHA256, RSA_ENCRYPTION, SHA256_WITH_RSA};
use crate::identity::SignerIdentity;
use crate::pdf;
use crate::trust::{Revocation, Trust};

/// What the signature says about the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integrity {
    /// The signature verifies over the signed bytes.
    Intact,
    /// The bytes or the signature changed after signing (the reason, in
    /// English, for logs).
    Changed(String),
    /// The algorithm is not one this module checks (ГОСТ); nothing is
    /// claimed about the bytes.
    Unsupported(String),
}

/// Whether the certificate chains to a shipped root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chain {
    Trusted,
    /// OpenSSL's reason (unknown issuer, expired at signing time…).
    NotTrusted(String),
}

/// The three headlines of the verify screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Valid and covering the whole file.
    Valid,
    /// Changed after signing.
    Changed,
    /// Valid, but bytes were added after the signed part.
    NotWholeFile,
    /// Not checked (ГОСТ).
    Unsupported,
}

#[derive(Debug, Clone)]
pub struct Verdict {
    pub integrity: Integrity,
    /// The signed ranges end where the file ends.
    pub whole_file: bool,
    /// Bytes the signature covers, of `file_len`.
    pub signed_len: usize,
    pub file_len: usize,
    pub signer: Option<SignerIdentity>,
    pub chain: Chain,
    /// `/M` of the signature dictionary, as written.
    pub signed_at: Option<String>,
    /// Whether the CMS binds the certificate (signing-certificate-v2) and
    /// carries no signing-time: PAdES baseline B.
    pub pades_b: bool,
    /// What the imported revocation lists say (no OCSP offline).
    pub revocation: Revocation,
}

impl Verdict {
    pub fn status(&self) -> Status {
        match (&self.integrity, self.whole_file) {
            (Integrity::Changed(_), _) => Status::Changed,
            (Integrity::Unsupported(_), _) => Status::Unsupported,
            (Integrity::Intact, false) => Status::NotWholeFile,
            (Integrity::Intact, true) => Status::Valid,
        }
    }
}

/// Verifies the last signature of `pdf` against what `trust` holds. `None` when the
/// file carries no signature Kense can find (a file changed inside its
/// signature dictionary also lands here).
pub fn verify(pdf: &[u8], trust: &Trust) -> Option<Verdict> {
    let found = pdf::located(pdf)?;
    let [a, b, c, d] = found.byte_range;
    let end = c.checked_add(d)?;
    let mut verdict = Verdict {
        integrity: Integrity::Intact,
        whole_file: end == pdf.len(),
        signed_len: b + d,
        file_len: pdf.len(),
        signer: None,
        chain: Chain::NotTrusted("not checked".into()),
        signed_at: found.signed_at.clone(),
        pades_b: false,
        revocation: Revocation::NotChecked,
    };
    if end > pdf.len() {
        verdict.integrity = Integrity::Changed("the byte range runs past the end of the file".into());
        return Some(verdict);
    }
    let parsed = match cms::parse(&found.contents) {
        Ok(p) => p,
        Err(e) => {
            verdict.integrity = Integrity::Changed(e.to_string());
            return Some(verdict);
        }
    };
    let cert = match X509::from_der(&parsed.signer_cert) {
        Ok(c) => c,
        Err(e) => {
            verdict.integrity = Integrity::Changed(format!("unreadable certificate: {e}"));
            return Some(verdict);
        }
    };
    verdict.signer = Some(SignerIdentity::of(&cert));
    verdict.pades_b = parsed.signing_certificate_bound && !parsed.has_signing_time;
    let others: Vec<X509> = parsed.others.iter().filter_map(|d| X509::from_der(d).ok()).collect();
    verdict.chain = chain(&cert, &others, &trust.certificates, found.signed_at.as_deref());
    verdict.revocation = trust.revocation(&cert, &others);

    if parsed.digest_oid != ID_SHA256
        || !matches!(parsed.signature_oid, o if o == RSA_ENCRYPTION || o == SHA256_WITH_RSA)
    {
        verdict.integrity = Integrity::Unsupported(format!(
            "digest {} with signature {}: only RSA with SHA-256 is checked offline",
            parsed.digest_oid, parsed.signature_oid
        ));
        return Some(verdict);
    }
    let mut h = Sha256::new();
    h.update(&pdf[a..a + b]);
    h.update(&pdf[c..end]);
    if h.finalize()[..] != parsed.message_digest[..] {
        verdict.integrity = Integrity::Changed("the document's digest differs from the signed one".into());
        return Some(verdict);
    }
    let signature_ok = cert.public_key().and_then(|key| {
        let mut v = openssl::sign::Verifier::new(MessageDigest::sha256(), &key)?;
        v.update(&parsed.signed_attrs_der)?;
        v.verify(&parsed.signature)
    });
    if !matches!(signature_ok, Ok(true)) {
        verdict.integrity = Integrity::Changed("the signature does not verify".into());
    }
    Some(verdict)
}

/// The certificate's chain to the self-signed ones of `roots` (the others
/// are intermediates it may pass through), checked at the claimed signing time
/// (`/M`) when it can be read, else now.
fn chain(cert: &X509, others: &[X509], roots: &[X509], signed_at: Option<&str>) -> Chain {
    let run = || -> Result<Chain, openssl::error::ErrorStack> {
        let mut store = X509StoreBuilder::new()?;
        for r in roots {
            store.add_cert(r.clone())?;
        }
        if let Some(t) = signed_at.and_then(pdf_time) {
            let mut param = X509VerifyParam::new()?;
            // time_t is 64 bits on every target Kense ships for.
            param.set_time(t);
            store.set_param(&param)?;
        }
        let store = store.build();
        let mut untrusted = Stack::new()?;
        for o in others {
            untrusted.push(o.clone())?;
        }
        let mut ctx = X509StoreContext::new()?;
        ctx.init(&store, cert, &untrusted, |c| {
            Ok(if c.verify_cert()? { Chain::Trusted } else { Chain::NotTrusted(c.error().to_string()) })
        })
    };
    run().unwrap_or_else(|e| Chain::NotTrusted(e.to_string()))
}

/// `D:20261207143000+05'00'` → seconds since the epoch.
fn pdf_time(s: &str) -> Option<i64> {
    let s = s.strip_prefix("D:")?;
    let (local, zone) = s.split_at(s.len().min(14));
    let t = chrono::NaiveDateTime::parse_from_str(local, "%Y%m%d%H%M%S").ok()?;
    let offset = match zone.as_bytes().first() {
        Some(sign @ (b'+' | b'-')) => {
            let digits: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
            let h: i64 = digits.get(0..2)?.parse().ok()?;
            let m: i64 = digits.get(2..4).and_then(|m| m.parse().ok()).unwrap_or(0);
            let secs = h * 3600 + m * 60;
            if *sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => 0,
    };
    Some(t.and_utc().timestamp() - offset)
}
