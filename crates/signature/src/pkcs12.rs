//! The key-file signer: an RSA key in a PKCS#12 file the head chose, for
//! testing and demonstration when NCALayer is not at hand. NCA's files are
//! read as they are: BER with indefinite lengths, the key bag under
//! PBE-SHA1-3DES, the certificates under PBE-SHA1-RC2-40 (OpenSSL 3's
//! legacy provider is loaded for RC2), MAC SHA-1.
//!
//! The password is taken as [`Zeroizing`] and handed to OpenSSL from a
//! buffer that is wiped when the file has been read (OpenSSL wipes its own
//! copies); the signer keeps only the key, never the password. A ГОСТ key is
//! refused with a sentence that sends the head to NCALayer.

use std::ffi::c_int;
use std::ptr;
use std::sync::OnceLock;

use foreign_types::ForeignType;
use openssl::hash::MessageDigest;
use openssl::pkey::{Id, PKey, Private};
use openssl::provider::Provider;
use openssl::stack::Stack;
use openssl::x509::X509;
use zeroize::Zeroizing;

use crate::identity::SignerIdentity;
use crate::{cms, SignatureError, Signer};

/// NCA's ГОСТ public-key algorithms (34.310-2004 and 34.10-2015/512) live
/// under this arc (fedor35/ncalayer-rs; NCANode#192).
const KZ_GOST_ARC: &str = "1.2.398.3.10.1.1";

extern "C" {
    // In libcrypto since 0.9.x; not bound by openssl-sys.
    fn PKCS12_verify_mac(p12: *mut openssl_sys::PKCS12, pass: *const std::ffi::c_char, passlen: c_int) -> c_int;
}

/// RC2 lives in OpenSSL 3's legacy provider; loaded once, with the default
/// provider kept, for the life of the process.
fn legacy_provider() {
    static LEGACY: OnceLock<Option<Provider>> = OnceLock::new();
    LEGACY.get_or_init(|| Provider::try_load(None, "legacy", true).ok());
}

/// An RSA key and its certificate from a PKCS#12 file.
pub struct Pkcs12Signer {
    key: PKey<Private>,
    cert: X509,
    chain: Vec<X509>,
}

impl std::fmt::Debug for Pkcs12Signer {
    // Never prints the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs12Signer").field("subject", &self.identity().name).finish_non_exhaustive()
    }
}

impl Pkcs12Signer {
    /// Reads `file` with `password`; the password is wiped when this returns.
    pub fn open(file: &[u8], password: Zeroizing<String>) -> Result<Self, SignatureError> {
        legacy_provider();
        let p12 = openssl::pkcs12::Pkcs12::from_der(file)
            .map_err(|e| SignatureError::KeyFile(format!("not PKCS#12: {e}")))?;
        // NUL-terminated copy for C, wiped on drop like the original.
        let mut pass = Zeroizing::new(Vec::with_capacity(password.len() + 1));
        pass.extend_from_slice(password.as_bytes());
        pass.push(0);
        drop(password);
        let pass_len =
            c_int::try_from(pass.len() - 1).map_err(|_| SignatureError::KeyFile("password too long".into()))?;
        // SAFETY: `p12` is a valid PKCS12 owned by us for the call; `pass`
        // is NUL-terminated and outlives both calls; the out-pointers are
        // either left null or receive objects whose ownership passes to us
        // and which are wrapped at once.
        unsafe {
            if PKCS12_verify_mac(p12.as_ptr(), pass.as_ptr().cast(), pass_len) != 1 {
                let _ = openssl::error::ErrorStack::get();
                return Err(SignatureError::KeyFile("wrong password (the MAC does not verify)".into()));
            }
            let mut pkey = ptr::null_mut();
            let mut cert = ptr::null_mut();
            let mut ca = ptr::null_mut();
            let ok = openssl_sys::PKCS12_parse(p12.as_ptr(), pass.as_ptr().cast(), &mut pkey, &mut cert, &mut ca);
            let key = (!pkey.is_null()).then(|| PKey::<Private>::from_ptr(pkey));
            let cert = (!cert.is_null()).then(|| X509::from_ptr(cert));
            let chain = (!ca.is_null()).then(|| Stack::<X509>::from_ptr(ca));
            if ok != 1 {
                let _ = openssl::error::ErrorStack::get();
                // The password was right (the MAC verified), so the file's
                // content is what OpenSSL could not take: a ГОСТ key, whose
                // algorithm OpenSSL does not know.
                let algorithm = match &cert {
                    Some(c) if cert_key_oid(c).starts_with(KZ_GOST_ARC) => format!("ГОСТ {}", cert_key_oid(c)),
                    Some(c) => c.public_key().map(|k| algorithm_name(k.id())).unwrap_or_else(|_| "ГОСТ".into()),
                    None => "ГОСТ".into(),
                };
                return Err(SignatureError::NotRsa { algorithm });
            }
            let cert = cert.ok_or_else(|| SignatureError::KeyFile("no certificate in the file".into()))?;
            let key = key.ok_or_else(|| SignatureError::KeyFile("no key in the file".into()))?;
            if key.id() != Id::RSA {
                let oid = cert_key_oid(&cert);
                let algorithm =
                    if oid.starts_with(KZ_GOST_ARC) { format!("ГОСТ {oid}") } else { algorithm_name(key.id()) };
                return Err(SignatureError::NotRsa { algorithm });
            }
            let chain = chain.map(|s| s.into_iter().collect()).unwrap_or_default();
            Ok(Self { key, cert, chain })
        }
    }

    /// Who the key's certificate names.
    pub fn identity(&self) -> SignerIdentity {
        SignerIdentity::of(&self.cert)
    }
}

/// A key algorithm's name as a person may read it in the error.
fn algorithm_name(id: Id) -> String {
    match id {
        Id::EC => "EC".into(),
        Id::ED25519 => "Ed25519".into(),
        Id::DSA => "DSA".into(),
        _ => "ГОСТ?".into(),
    }
}

/// The public-key algorithm OID of `cert`, dotted.
fn cert_key_oid(cert: &X509) -> String {
    use der::Decode;
    cert.to_der()
        .ok()
        .and_then(|d| x509_cert::Certificate::from_der(&d).ok())
        .map(|c| c.tbs_certificate.subject_public_key_info.algorithm.oid.to_string())
        .unwrap_or_default()
}

impl Signer for Pkcs12Signer {
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignatureError> {
        let cert = self.cert.to_der().map_err(|e| SignatureError::Signer(e.to_string()))?;
        let chain = self
            .chain
            .iter()
            .map(|c| c.to_der())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SignatureError::Signer(e.to_string()))?;
        cms::build(&cert, &chain, data, |to_sign| {
            let mut s = openssl::sign::Signer::new(MessageDigest::sha256(), &self.key)
                .map_err(|e| SignatureError::Signer(e.to_string()))?;
            s.update(to_sign).and_then(|()| s.sign_to_vec()).map_err(|e| SignatureError::Signer(e.to_string()))
        })
    }
}
