//! Who a certificate names, the way NCA writes it: the person's name in
//! `CN`, `SERIALNUMBER=IIN…` for the individual, `OU=BIN…` for the legal
//! entity (pkigovkz/KalkanCryptIssuanceTest), and what the registry and
//! the audit record about it (serial, issuer, SHA-256 fingerprint — never
//! key material).

use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::x509::{X509NameRef, X509Ref};

/// The signer as the certificate names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerIdentity {
    /// `CN` (NCA writes surname and given name there).
    pub name: String,
    /// The 12 digits after `IIN` in `SERIALNUMBER`.
    pub iin: Option<String>,
    /// The 12 digits after `BIN` in `OU`.
    pub bin: Option<String>,
    /// The certificate's serial number, upper-case hex.
    pub serial: String,
    /// The issuer's distinguished name, `CN=…, O=…, C=…`.
    pub issuer: String,
    /// SHA-256 of the certificate's DER, upper-case hex.
    pub fingerprint: String,
    /// Validity, as OpenSSL prints it (`Dec  7 09:00:00 2026 GMT`).
    pub not_before: String,
    pub not_after: String,
}

impl SignerIdentity {
    pub(crate) fn of(cert: &X509Ref) -> Self {
        let subject = cert.subject_name();
        let iin = entry(subject, Nid::SERIALNUMBER).and_then(|s| digits_after(&s, "IIN"));
        let bin = subject
            .entries_by_nid(Nid::ORGANIZATIONALUNITNAME)
            .filter_map(|e| e.data().to_string().ok())
            .find_map(|s| digits_after(&s, "BIN"));
        Self {
            name: entry(subject, Nid::COMMONNAME).unwrap_or_default(),
            iin,
            bin,
            serial: cert
                .serial_number()
                .to_bn()
                .and_then(|b| b.to_hex_str())
                .map(|s| s.to_string())
                .unwrap_or_default(),
            issuer: one_line(cert.issuer_name()),
            fingerprint: cert.digest(MessageDigest::sha256()).map(|d| hex(&d)).unwrap_or_default(),
            not_before: cert.not_before().to_string(),
            not_after: cert.not_after().to_string(),
        }
    }
}

fn entry(name: &X509NameRef, nid: Nid) -> Option<String> {
    name.entries_by_nid(nid).next().and_then(|e| e.data().to_string().ok())
}

/// `IIN780415300126` → `780415300126`: exactly 12 digits after the prefix.
fn digits_after(s: &str, prefix: &str) -> Option<String> {
    let rest = s.trim().strip_prefix(prefix)?;
    (rest.len() == 12 && rest.bytes().all(|b| b.is_ascii_digit())).then(|| rest.to_string())
}

/// A distinguished name on one line, most specific first.
pub(crate) fn one_line(name: &X509NameRef) -> String {
    let parts: Vec<String> = name
        .entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?").to_string();
            let value = e.data().to_string().unwrap_or_default();
            format!("{key}={value}")
        })
        .collect();
    parts.into_iter().rev().collect::<Vec<_>>().join(", ")
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
