//! What the verify screen trusts and how it learns of revoked certificates:
//! the certificates (NCA's roots and intermediates, downloaded by the
//! administrator from pki.gov.kz) and the certificate revocation lists the
//! administrator imports. Kense ships none of NCA's: they were not
//! reachable from the machine Kense is built on, and roots rotate, so they
//! are the office's data, carried by its registry to every desk.
//!
//! Revocation is checked against imported CRLs only (offline): the verdict
//! names the list it was checked against, or says none was.

use openssl::hash::MessageDigest;
use openssl::x509::{CrlStatus, X509Crl, X509Ref, X509};

use crate::identity::{hex, one_line};
use crate::SignatureError;

/// Largest file taken as a certificate or CRL (NCA's full CRLs are a few
/// megabytes; anything beyond this is not one).
pub const MAX_TRUST_FILE: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustKind {
    Certificate,
    Crl,
}

impl TrustKind {
    pub fn code(self) -> &'static str {
        match self {
            TrustKind::Certificate => "certificate",
            TrustKind::Crl => "crl",
        }
    }

    pub fn parse(code: &str) -> Option<TrustKind> {
        match code {
            "certificate" => Some(TrustKind::Certificate),
            "crl" => Some(TrustKind::Crl),
            _ => None,
        }
    }
}

/// A certificate or CRL file as the administrator imports it, read and
/// described (DER kept, whether the file was DER or PEM).
#[derive(Debug, Clone)]
pub struct TrustFile {
    pub kind: TrustKind,
    /// A certificate's subject, a CRL's issuer, on one line.
    pub name: String,
    /// SHA-256 of the DER, upper-case hex: what the administrator compares
    /// with the fingerprint NCA publishes.
    pub sha256: String,
    pub der: Vec<u8>,
    /// A certificate's not-before, a CRL's this-update (OpenSSL's text).
    pub valid_from: String,
    /// A certificate's not-after, a CRL's next-update.
    pub valid_until: Option<String>,
    /// A certificate names itself as issuer (a root).
    pub self_signed: bool,
}

impl TrustFile {
    /// Reads a certificate or a CRL, DER or PEM.
    pub fn parse(bytes: &[u8]) -> Result<TrustFile, SignatureError> {
        let bad = || SignatureError::TrustFile;
        if bytes.len() > MAX_TRUST_FILE {
            return Err(bad());
        }
        let cert = X509::from_der(bytes).or_else(|_| X509::from_pem(bytes));
        if let Ok(cert) = cert {
            let der = cert.to_der().map_err(|_| bad())?;
            let self_signed = cert.issuer_name().try_cmp(cert.subject_name()).is_ok_and(|o| o.is_eq());
            return Ok(TrustFile {
                kind: TrustKind::Certificate,
                name: one_line(cert.subject_name()),
                sha256: hex(&cert.digest(MessageDigest::sha256()).map_err(|_| bad())?),
                der,
                valid_from: cert.not_before().to_string(),
                valid_until: Some(cert.not_after().to_string()),
                self_signed,
            });
        }
        let crl = X509Crl::from_der(bytes).or_else(|_| X509Crl::from_pem(bytes)).map_err(|_| bad())?;
        let der = crl.to_der().map_err(|_| bad())?;
        Ok(TrustFile {
            kind: TrustKind::Crl,
            name: one_line(crl.issuer_name()),
            sha256: hex(&openssl::sha::sha256(&der)),
            der,
            valid_from: crl.last_update().to_string(),
            valid_until: crl.next_update().map(|t| t.to_string()),
            self_signed: false,
        })
    }
}

/// The certificates a chain may end in (self-signed roots) or pass through,
/// and the revocation lists known.
#[derive(Default)]
pub struct Trust {
    pub(crate) certificates: Vec<X509>,
    pub(crate) crls: Vec<X509Crl>,
}

impl Trust {
    /// From stored DER files of either kind; unreadable ones are skipped
    /// (they were checked when imported).
    pub fn from_der<'a>(files: impl IntoIterator<Item = (TrustKind, &'a [u8])>) -> Trust {
        let mut trust = Trust::default();
        for (kind, der) in files {
            match kind {
                TrustKind::Certificate => trust.certificates.extend(X509::from_der(der).ok()),
                TrustKind::Crl => trust.crls.extend(X509Crl::from_der(der).ok()),
            }
        }
        trust
    }

    /// The certificates it holds (for NCALayer's TLS certificate, which
    /// chains to NCA's RSA root).
    pub fn certificates(&self) -> Vec<X509> {
        self.certificates.clone()
    }

    /// Only these roots, no revocation lists.
    pub fn roots(roots: &[X509]) -> Trust {
        Trust { certificates: roots.to_vec(), crls: Vec::new() }
    }

    /// What the newest list from the certificate's issuer says of it.
    /// `others` are certificates the CMS carried, for finding the issuer
    /// whose key signed the list.
    pub(crate) fn revocation(&self, cert: &X509Ref, others: &[X509]) -> Revocation {
        let issuer_key = self
            .certificates
            .iter()
            .chain(others)
            .find(|c| c.subject_name().try_cmp(cert.issuer_name()).is_ok_and(|o| o.is_eq()))
            .and_then(|c| c.public_key().ok());
        let Some(key) = issuer_key else { return Revocation::NotChecked };
        let newest = self
            .crls
            .iter()
            .filter(|crl| crl.issuer_name().try_cmp(cert.issuer_name()).is_ok_and(|o| o.is_eq()))
            // A list the issuer did not sign is no list at all.
            .filter(|crl| crl.verify(&key).unwrap_or(false))
            .max_by(|a, b| a.last_update().partial_cmp(b.last_update()).unwrap_or(std::cmp::Ordering::Equal));
        let Some(crl) = newest else { return Revocation::NotChecked };
        let list = crl.last_update().to_string();
        match crl.get_by_serial(cert.serial_number()) {
            CrlStatus::Revoked(r) => Revocation::Revoked { on: r.revocation_date().to_string(), list },
            CrlStatus::NotRevoked | CrlStatus::RemoveFromCrl(_) => Revocation::NotRevoked { list },
        }
    }
}

/// What the imported revocation lists say of the signer's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// No list from the certificate's issuer was imported (or its issuer is
    /// unknown): revocation was not checked.
    NotChecked,
    /// Not on the newest list, issued at `list`.
    NotRevoked { list: String },
    /// Revoked on `on`, per the list issued at `list`.
    Revoked { on: String, list: String },
}
