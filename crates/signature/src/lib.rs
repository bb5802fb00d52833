//! Kense signatures: the head's electronic signature (ЭЦҚ / ЭЦП) on the
//! PDFs Kense makes, as PAdES baseline B — a detached CMS in the PDF's
//! signature dictionary, written as one incremental update of the
//! deterministic PDF the documents crate produced — and checking such a
//! file offline.
//!
//! Kept apart from `kense-documents` so that the typesetter stays free of
//! OpenSSL and key handling; this crate takes the finished PDF's bytes.
//!
//! Its modules, by what they own:
//! - `pdf`: the placeholder, the byte range, embedding the CMS, finding it
//!   again;
//! - `cms`: the CMS structure (signed attributes of PAdES B, reading a
//!   signer's CMS);
//! - [`Signer`] and its implementations: `pkcs12` (an RSA key file, read
//!   here) and `ncalayer` (NCALayer's `basics.sign` over its WebSocket);
//! - `identity`: who a certificate names (IIN, BIN, serial, issuer);
//! - `trust`: the certificates and revocation lists the office imported;
//! - `verify`: the verdict on a signed file.
//!
//! What was not available to the tests: the real NCALayer and real NCA
//! keys (RSA or ГОСТ). The test PKI (`scripts/test-pki`) imitates NCA's
//! certificates and PKCS#12 packing.

mod cms;
mod error;
mod identity;
mod ncalayer;
mod pdf;
mod pkcs12;
mod trust;
mod verify;

pub use error::SignatureError;
pub use identity::SignerIdentity;
pub use ncalayer::{NcaLayerSigner, HEAD_KEY_USAGES, NCALAYER_ADDRESS};
pub use pdf::{prepare, Prepared, SignatureFields, RESERVED};
pub use pkcs12::Pkcs12Signer;
pub use trust::{Revocation, Trust, TrustFile, TrustKind, MAX_TRUST_FILE};
pub use verify::{verify, Chain, Integrity, Status, Verdict};

/// Something that signs: given the bytes a PDF signature covers, it returns
/// a detached CMS (DER or BER) over them. NCALayer's `basics.sign` with
/// `format: cms` is exactly this; the key-file signer builds the same.
pub trait Signer {
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignatureError>;
}

/// Whose certificate may sign: the head's IIN (from his account) and, when
/// known, the office's BIN.
#[derive(Debug, Clone)]
pub struct Expected {
    pub iin: String,
    pub bin: Option<String>,
}

/// A signed PDF and who signed it.
#[derive(Debug, Clone)]
pub struct Signed {
    pub pdf: Vec<u8>,
    pub signer: SignerIdentity,
}

/// Signs `base` (a PDF Kense made) with `signer` as `expected`: the
/// placeholder is appended, the signer signs the covered bytes, its CMS is
/// checked — it must verify over those bytes and name the expected IIN
/// (and BIN) — and embedded. A certificate that is not the head's is
/// refused and nothing is returned.
pub fn sign_pdf(
    base: &[u8],
    fields: &SignatureFields,
    signer: &dyn Signer,
    expected: &Expected,
) -> Result<Signed, SignatureError> {
    let prepared = prepare(base, fields)?;
    let cms = signer.sign(&prepared.signed_bytes())?;
    let pdf = prepared.embed(&cms)?;
    // Checked on the finished file, with no roots: the chain is the verify
    // screen's business, the signature and the signer are this one's.
    let verdict = verify(&pdf, &Trust::default())
        .ok_or_else(|| SignatureError::BadSignature("not found after embedding".into()))?;
    let signer = verdict.signer.clone().ok_or_else(|| SignatureError::BadSignature("no signer".into()))?;
    match verdict.integrity {
        Integrity::Intact | Integrity::Unsupported(_) => {}
        Integrity::Changed(m) => return Err(SignatureError::BadSignature(m)),
    }
    if signer.iin.as_deref() != Some(expected.iin.as_str()) {
        return Err(SignatureError::NotTheHead { found: signer.iin, expected: expected.iin.clone() });
    }
    if let Some(bin) = &expected.bin {
        if signer.bin.as_deref() != Some(bin.as_str()) {
            return Err(SignatureError::NotTheOffice { found: signer.bin, expected: bin.clone() });
        }
    }
    Ok(Signed { pdf, signer })
}
