//! The detached CMS of a PAdES baseline B signature (ETSI EN 319 142-1,
//! `ETSI.CAdES.detached`): SignedData without content, one SignerInfo whose
//! signed attributes are exactly content-type, message-digest and
//! signing-certificate-v2 — no signing-time, which baseline B forbids (the
//! claimed time is the signature dictionary's `/M`).
//!
//! Built and read with RustCrypto's `cms`/`x509-cert` types (DER); the
//! signature value itself comes from the caller, so the key never enters
//! this module. CMS from other signers (NCALayer's Kalkan) may be BER; it is
//! re-encoded as DER through OpenSSL before reading ([`parse`]).

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

use crate::SignatureError;

pub(crate) const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
pub(crate) const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
pub(crate) const ID_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
pub(crate) const ID_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
pub(crate) const ID_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
pub(crate) const ID_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
pub(crate) const ID_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");

/// `IssuerSerial` of RFC 5035.
#[derive(Clone, Debug, Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// `ESSCertIDv2` of RFC 5035; `hash_algorithm` absent means SHA-256.
#[derive(Clone, Debug, Sequence)]
struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// `SigningCertificateV2` of RFC 5035 (policies never written).
#[derive(Clone, Debug, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

fn der_err(e: der::Error) -> SignatureError {
    SignatureError::BadSignature(format!("ASN.1: {e}"))
}

fn attribute(oid: Oid, value: Any) -> Result<Attribute, SignatureError> {
    Ok(Attribute { oid, values: SetOfVec::try_from(vec![value]).map_err(der_err)? })
}

/// A detached CMS over `content` by the holder of `cert_der`, whose chain
/// (issuers, without the root if the caller wants) is `chain_der`.
/// `sign` receives the DER of the signed attributes and returns the RSA
/// PKCS#1 v1.5 signature over their SHA-256.
pub(crate) fn build(
    cert_der: &[u8],
    chain_der: &[Vec<u8>],
    content: &[u8],
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, SignatureError>,
) -> Result<Vec<u8>, SignatureError> {
    let cert = Certificate::from_der(cert_der).map_err(der_err)?;
    let digest = Sha256::digest(content);
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(Sha256::digest(cert_der).to_vec()).map_err(der_err)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(cert.tbs_certificate.issuer.clone())],
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
        }],
    };
    let attrs = vec![
        attribute(ID_CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(der_err)?)?,
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.to_vec()).map_err(der_err)?).map_err(der_err)?,
        )?,
        attribute(ID_SIGNING_CERTIFICATE_V2, Any::encode_from(&ess).map_err(der_err)?)?,
    ];
    // DER sorts a SET OF; the signature is over exactly this encoding.
    let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(attrs).map_err(der_err)?;
    let to_sign = signed_attrs.to_der().map_err(der_err)?;
    let signature = sign(&to_sign)?;

    let sha256 = AlgorithmIdentifierOwned { oid: ID_SHA256, parameters: None };
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: AlgorithmIdentifierOwned { oid: RSA_ENCRYPTION, parameters: Some(Any::null()) },
        signature: OctetString::new(signature).map_err(der_err)?,
        unsigned_attrs: None,
    };
    let mut certs = vec![CertificateChoices::Certificate(cert)];
    for der in chain_der {
        certs.push(CertificateChoices::Certificate(Certificate::from_der(der).map_err(der_err)?));
    }
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256]).map_err(der_err)?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: ID_DATA, econtent: None },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs).map_err(der_err)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(der_err)?),
    };
    ContentInfo { content_type: ID_SIGNED_DATA, content: Any::encode_from(&signed).map_err(der_err)? }
        .to_der()
        .map_err(der_err)
}

/// What verification needs from a CMS.
pub(crate) struct Parsed {
    /// The signer's certificate (DER), found by the SignerInfo's `sid`.
    pub signer_cert: Vec<u8>,
    /// Every other certificate the CMS carries (DER).
    pub others: Vec<Vec<u8>>,
    pub digest_oid: Oid,
    pub signature_oid: Oid,
    /// The message-digest attribute.
    pub message_digest: Vec<u8>,
    /// The DER of the signed attributes, as signed.
    pub signed_attrs_der: Vec<u8>,
    pub signature: Vec<u8>,
    /// Whether signing-certificate-v2 names the signer's certificate by its
    /// SHA-256 (PAdES baseline B requires it).
    pub signing_certificate_bound: bool,
    /// Whether a signing-time attribute is present (not allowed in B-B).
    pub has_signing_time: bool,
}

/// Reads the CMS at the start of `bytes` (the PDF's `/Contents`, so zero
/// padding may follow).
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, SignatureError> {
    let mut reader = der::SliceReader::new(bytes).map_err(der_err)?;
    let ci = match ContentInfo::decode(&mut reader) {
        Ok(ci) => ci,
        // BER (indefinite lengths) as Kalkan writes it: OpenSSL reads BER
        // and writes DER.
        Err(_) => {
            let reencoded = openssl::cms::CmsContentInfo::from_der(trimmed(bytes))
                .and_then(|c| c.to_der())
                .map_err(|e| SignatureError::BadSignature(format!("not a CMS: {e}")))?;
            ContentInfo::from_der(&reencoded).map_err(der_err)?
        }
    };
    if ci.content_type != ID_SIGNED_DATA {
        return Err(SignatureError::BadSignature("not SignedData".into()));
    }
    let sd: SignedData = ci.content.decode_as().map_err(der_err)?;
    if sd.encap_content_info.econtent.is_some() {
        return Err(SignatureError::BadSignature("the CMS is not detached".into()));
    }
    let si = sd.signer_infos.0.iter().next().ok_or_else(|| SignatureError::BadSignature("no signer".into()))?;
    if sd.signer_infos.0.len() != 1 {
        return Err(SignatureError::BadSignature("more than one signer".into()));
    }
    let certs: Vec<Certificate> = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let signer = certs
        .iter()
        .position(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                c.tbs_certificate.issuer == ias.issuer && c.tbs_certificate.serial_number == ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(_) => certs.len() == 1,
        })
        .ok_or_else(|| SignatureError::BadSignature("the signer's certificate is not in the CMS".into()))?;
    let signer_cert = certs[signer].to_der().map_err(der_err)?;
    let others = certs
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != signer)
        .map(|(_, c)| c.to_der())
        .collect::<Result<_, _>>()
        .map_err(der_err)?;
    let attrs = si.signed_attrs.as_ref().ok_or_else(|| SignatureError::BadSignature("no signed attributes".into()))?;
    let value = |oid: Oid| attrs.iter().find(|a| a.oid == oid).and_then(|a| a.values.iter().next());
    let message_digest = value(ID_MESSAGE_DIGEST)
        .ok_or_else(|| SignatureError::BadSignature("no message-digest".into()))?
        .decode_as::<OctetString>()
        .map_err(der_err)?
        .into_bytes();
    let cert_hash = Sha256::digest(&signer_cert);
    let signing_certificate_bound = value(ID_SIGNING_CERTIFICATE_V2)
        .and_then(|v| v.decode_as::<SigningCertificateV2>().ok())
        .and_then(|s| s.certs.first().cloned())
        .is_some_and(|id| {
            id.hash_algorithm.as_ref().is_none_or(|a| a.oid == ID_SHA256) && id.cert_hash.as_bytes() == &cert_hash[..]
        });
    Ok(Parsed {
        signer_cert,
        others,
        digest_oid: si.digest_alg.oid,
        signature_oid: si.signature_algorithm.oid,
        message_digest,
        signed_attrs_der: attrs.to_der().map_err(der_err)?,
        signature: si.signature.as_bytes().to_vec(),
        signing_certificate_bound,
        has_signing_time: value(ID_SIGNING_TIME).is_some(),
    })
}

/// `bytes` without the zero padding after the CMS, for OpenSSL's reader
/// (which would otherwise see trailing garbage). A BER CMS ends with the
/// end-of-contents octets `00 00`, so two zeros are kept.
fn trimmed(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    &bytes[..(end + 4).min(bytes.len())]
}
