//! Signing a Kense PDF with the test PKI's key file and checking it: in
//! Rust (valid, changed, not the whole file, a stranger's key refused, a
//! non-RSA key sent to NCALayer), and by independent verifiers — poppler's
//! `pdfsig` (valid; trusted with the test root in an NSS database) and
//! `openssl cms -verify` over the byte range. The test PKI comes from
//! `scripts/test-pki`; real NCA keys were not available.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::{NaiveDate, TimeZone};
use kense_documents::{Bilingual, OfficeRequisites, ResultField, ServiceResult, Signer as PaperSigner, Typesetter};
use kense_signature::{
    sign_pdf, verify, Chain, Expected, Integrity, Pkcs12Signer, Revocation, SignatureError, SignatureFields, Status,
    Trust, TrustFile, TrustKind,
};
use openssl::x509::X509;
use zeroize::Zeroizing;

const PASSWORD: &str = "kense-test-1";
const HEAD_IIN: &str = "780415300126";
const OFFICE_BIN: &str = "123456789013";

/// The test PKI, generated once per test binary.
fn pki() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("test-pki");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/test-pki");
        let out = Command::new(script).arg(&dir).output().expect("scripts/test-pki runs");
        assert!(out.status.success(), "test-pki: {}", String::from_utf8_lossy(&out.stderr));
        dir
    })
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(pki().join(name)).expect("fixture")
}

fn root() -> X509 {
    X509::from_pem(&read("ca.pem")).expect("root")
}

fn bi(kk: &str, ru: &str) -> Bilingual {
    Bilingual { kk: kk.into(), ru: ru.into() }
}

/// A service result as Kense prints it: the PDF the head signs.
fn base_pdf() -> Vec<u8> {
    let t = Typesetter::new().expect("typesetter");
    let date = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
    let result = ServiceResult {
        number: "А-2026-00031".into(),
        issued_at: date.and_hms_opt(10, 15, 42).expect("time"),
        office: OfficeRequisites {
            name: bi("Кенсе ауданы бойынша білім бөлімі", "Отдел образования по Кенсе району"),
            address: bi("Кенсе ауданы, Жастар к-сі, 12", "Кенсе район, ул. Жастар, 12"),
            phone: "+7 (71333) 3-12-45".into(),
        },
        title: bi("Анықтама", "Справка"),
        service_name: bi("Қорғаншылық жөнінде анықтама беру", "Выдача справок по опеке"),
        registration_number: "01-2026-00031".into(),
        registered_on: date,
        applicant_name: "Жұмабекова Әсел Серікқызы".into(),
        applicant_iin: "880512400321".into(),
        subject_name: None,
        subject_iin: None,
        fields: vec![ResultField {
            label: bi("Қорғаншы", "Опекун"), value: "Жұмабекова Әсел".into()
        }],
        text: None,
        signer: PaperSigner {
            name: "Жұмабеков Әлихан".into(),
            position: bi("Білім бөлімінің басшысы", "Руководитель отдела образования"),
        },
        stamp: None,
        copy_number: 1,
        verification: None,
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
        together: Vec::new(),
    };
    t.service_result(&result).expect("pdf")
}

/// Signed now by the office clock (UTC+5): the test certificates are made
/// when the tests first run, and the chain is checked at signing time.
fn fields() -> SignatureFields {
    let office = chrono::FixedOffset::east_opt(5 * 3600).expect("UTC+5");
    fields_at(chrono::Utc::now().with_timezone(&office))
}

fn fields_at(signed_at: chrono::DateTime<chrono::FixedOffset>) -> SignatureFields {
    SignatureFields {
        name: Some("ЖҰМАБЕКОВ ӘЛИХАН".into()),
        reason: Some("А-2026-00031".into()),
        location: Some("Кенсе".into()),
        signed_at,
    }
}

fn key(name: &str) -> Result<Pkcs12Signer, SignatureError> {
    Pkcs12Signer::open(&read(name), Zeroizing::new(PASSWORD.to_string()))
}

fn head() -> Expected {
    Expected { iin: HEAD_IIN.into(), bin: Some(OFFICE_BIN.into()) }
}

/// The base PDF signed by the head, made once.
fn signed() -> &'static (Vec<u8>, Vec<u8>) {
    static SIGNED: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let base = base_pdf();
        let signer = key("head.p12").expect("head's key opens");
        let signed = sign_pdf(&base, &fields(), &signer, &head()).expect("signs");
        (base, signed.pdf)
    })
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

#[test]
fn sign_then_verify_is_valid_whole_and_names_the_head() {
    let (base, pdf) = signed();
    // The signed file is the base file plus one incremental update.
    assert!(pdf.starts_with(base), "the base PDF's bytes are kept");
    assert!(pdf.ends_with(b"%%EOF\n"));
    let v = verify(pdf, &Trust::roots(&[root()])).expect("a signature is found");
    assert_eq!(v.status(), Status::Valid, "{v:?}");
    assert_eq!(v.integrity, Integrity::Intact);
    assert!(v.whole_file);
    assert_eq!(v.chain, Chain::Trusted);
    assert!(v.pades_b, "signing-certificate-v2 bound, no signing-time");
    assert_eq!(v.revocation, Revocation::NotChecked, "no list imported");
    let m = v.signed_at.as_deref().expect("/M");
    assert!(m.starts_with("D:20") && m.ends_with("+05'00'") && m.len() == 23, "{m}");
    let who = v.signer.expect("signer");
    assert_eq!(who.name, "ЖҰМАБЕКОВ ӘЛИХАН");
    assert_eq!(who.iin.as_deref(), Some(HEAD_IIN));
    assert_eq!(who.bin.as_deref(), Some(OFFICE_BIN));
    assert_eq!(who.serial, "1A2B3C4D5E6F");
    assert!(who.issuer.contains("CN=Test НУЦ РК (RSA)"), "{}", who.issuer);
    assert_eq!(who.fingerprint.len(), 64);
}

#[test]
fn the_page_a_reader_prints_is_unchanged() {
    let (base, pdf) = signed();
    let text = |bytes: &[u8], name: &str| {
        let path = write(name, bytes);
        let out = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext runs");
        assert!(out.status.success());
        String::from_utf8(out.stdout).expect("utf-8")
    };
    assert_eq!(text(base, "unchanged-base.pdf"), text(pdf, "unchanged-signed.pdf"));
}

#[test]
fn one_byte_changed_in_the_signed_range_reads_as_changed() {
    let (base, pdf) = signed();
    let mut tampered = pdf.clone();
    // Inside the base file: the page's content, the fonts, the Info.
    let at = base.len() / 2;
    tampered[at] ^= 0x01;
    let v = verify(&tampered, &Trust::roots(&[root()])).expect("still found");
    assert_eq!(v.status(), Status::Changed, "{v:?}");
    assert!(matches!(v.integrity, Integrity::Changed(_)));
}

#[test]
fn bytes_appended_after_signing_are_not_the_whole_file() {
    let (_, pdf) = signed();
    let mut longer = pdf.clone();
    longer.extend_from_slice(b"% appended after signing\n");
    let v = verify(&longer, &Trust::roots(&[root()])).expect("found");
    assert_eq!(v.integrity, Integrity::Intact);
    assert!(!v.whole_file);
    assert_eq!(v.status(), Status::NotWholeFile);
    assert_eq!(v.file_len - v.signed_len, RESERVED_HEX + 2 + 25);
}

/// The placeholder's hex digits, not covered by the signature.
const RESERVED_HEX: usize = kense_signature::RESERVED * 2;

#[test]
fn a_certificate_that_is_not_the_heads_is_refused() {
    let signer = key("stranger.p12").expect("opens");
    assert_eq!(signer.identity().iin.as_deref(), Some("900101300007"));
    let err = sign_pdf(&base_pdf(), &fields(), &signer, &head()).expect_err("refused");
    assert!(matches!(&err, SignatureError::NotTheHead { found: Some(f), .. } if f == "900101300007"), "{err:?}");
    assert!(err.kk().contains("басшыға тиесілі емес"), "{}", err.kk());
    assert!(err.ru().contains("не принадлежит руководителю"), "{}", err.ru());
    // The office's BIN is checked too.
    let other_office = Expected { iin: HEAD_IIN.into(), bin: Some("999999999999".into()) };
    let head_key = key("head.p12").expect("opens");
    let err = sign_pdf(&base_pdf(), &fields(), &head_key, &other_office).expect_err("refused");
    assert!(matches!(err, SignatureError::NotTheOffice { .. }), "{err:?}");
}

#[test]
fn wrong_password_and_non_rsa_keys_are_clear_errors() {
    let err = Pkcs12Signer::open(&read("head.p12"), Zeroizing::new("wrong".into())).expect_err("refused");
    assert!(matches!(err, SignatureError::KeyFile(_)), "{err:?}");
    assert!(err.kk().contains("құпия сөз"), "{}", err.kk());
    let err = key("not-rsa.p12").expect_err("refused");
    assert!(matches!(&err, SignatureError::NotRsa { algorithm } if algorithm == "EC"), "{err:?}");
    assert!(err.kk().contains("NCALayer") && err.ru().contains("NCALayer"));
    assert!(err.ru().contains("ГОСТ"));
    let err = Pkcs12Signer::open(b"not a key file", Zeroizing::new(PASSWORD.into())).expect_err("refused");
    assert!(matches!(err, SignatureError::KeyFile(_)), "{err:?}");
}

#[test]
fn without_the_root_the_chain_is_not_trusted_but_the_signature_is_valid() {
    let (_, pdf) = signed();
    let v = verify(pdf, &Trust::default()).expect("found");
    assert_eq!(v.integrity, Integrity::Intact);
    assert!(matches!(v.chain, Chain::NotTrusted(_)), "{:?}", v.chain);
}

#[test]
fn the_chain_is_checked_at_the_claimed_signing_time() {
    // Claimed a year before the test certificate existed.
    let office = chrono::FixedOffset::east_opt(5 * 3600).expect("UTC+5");
    let early = office.with_ymd_and_hms(2025, 1, 10, 10, 0, 0).single().expect("time");
    let signer = key("head.p12").expect("opens");
    let signed = sign_pdf(&base_pdf(), &fields_at(early), &signer, &head()).expect("signs");
    let v = verify(&signed.pdf, &Trust::roots(&[root()])).expect("found");
    assert_eq!(v.integrity, Integrity::Intact);
    assert!(matches!(&v.chain, Chain::NotTrusted(m) if m.contains("not yet valid")), "{:?}", v.chain);
}

#[test]
fn an_unsigned_pdf_has_no_signature() {
    assert!(verify(&base_pdf(), &Trust::roots(&[root()])).is_none());
}

#[test]
fn a_signed_pdf_cannot_be_signed_again() {
    let (_, pdf) = signed();
    let signer = key("head.p12").expect("opens");
    assert!(matches!(sign_pdf(pdf, &fields(), &signer, &head()), Err(SignatureError::Pdf(_))));
}

#[test]
fn pdfsig_reports_valid_and_with_the_test_root_trusted() {
    let (_, pdf) = signed();
    let path = write("pdfsig-signed.pdf", pdf);
    let empty = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("nss-empty");
    if !empty.join("cert9.db").exists() {
        std::fs::create_dir_all(&empty).expect("dir");
        let ok = Command::new("certutil")
            .args(["-N", "--empty-password", "-d"])
            .arg(format!("sql:{}", empty.display()))
            .status()
            .expect("certutil runs");
        assert!(ok.success());
    }
    let run = |nssdb: &Path| {
        // Not -no-ocsp: with it poppler 22 says "Unknown issue with
        // Certificate" even for a trusted root; the test certificate has no
        // OCSP address, so nothing is fetched.
        let out = Command::new("pdfsig")
            .arg("-nssdir")
            .arg(format!("sql:{}", nssdb.display()))
            .arg(&path)
            .output()
            .expect("pdfsig runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let plain = run(&empty);
    assert!(plain.contains("Signature Validation: Signature is Valid."), "{plain}");
    assert!(plain.contains("Total document signed"), "{plain}");
    assert!(plain.contains("ETSI.CAdES.detached"), "{plain}");
    assert!(plain.contains("ЖҰМАБЕКОВ ӘЛИХАН"), "{plain}");
    let trusted = run(&pki().join("nssdb"));
    assert!(trusted.contains("Signature Validation: Signature is Valid."), "{trusted}");
    assert!(trusted.contains("Certificate Validation: Certificate is Trusted."), "{trusted}");

    let mut tampered = pdf.clone();
    tampered[1000] ^= 0x01;
    let path = write("pdfsig-tampered.pdf", &tampered);
    let out = Command::new("pdfsig").arg(&path).output().expect("pdfsig runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Digest Mismatch"), "{text}");
}

#[test]
fn openssl_cms_verifies_the_byte_range() {
    let (_, pdf) = signed();
    let v = verify(pdf, &Trust::default()).expect("found");
    assert!(v.whole_file);
    // The byte range, read back as any verifier would.
    let text = String::from_utf8_lossy(pdf);
    let at = text.rfind("/ByteRange[").expect("byte range");
    let nums: Vec<usize> = text[at + 11..]
        .split(']')
        .next()
        .expect("closed")
        .split_whitespace()
        .map(|n| n.parse().expect("number"))
        .collect();
    let (a, b, c, d) = (nums[0], nums[1], nums[2], nums[3]);
    let mut content = pdf[a..a + b].to_vec();
    content.extend_from_slice(&pdf[c..c + d]);
    let hex = std::str::from_utf8(&pdf[a + b + 1..c - 1]).expect("hex");
    let mut der: Vec<u8> =
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")).collect();
    while der.last() == Some(&0) {
        der.pop();
    }
    let content_path = write("cms-content.bin", &content);
    let der_path = write("cms-signature.der", &der);
    let out = Command::new("openssl")
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-in"])
        .arg(&der_path)
        .arg("-content")
        .arg(&content_path)
        .arg("-CAfile")
        .arg(pki().join("ca.pem"))
        .args(["-out", "/dev/null"])
        .output()
        .expect("openssl runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.contains("CMS Verification successful"), "{stderr}");
    // And the attributes are PAdES B's: no signing time.
    let out = Command::new("openssl")
        .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in"])
        .arg(&der_path)
        .output()
        .expect("openssl runs");
    let dump = String::from_utf8_lossy(&out.stdout);
    assert!(dump.contains("id-smime-aa-signingCertificateV2"), "{dump}");
    assert!(!dump.contains("signingTime"), "{dump}");
}

#[test]
fn qpdf_finds_the_signed_file_sound() {
    let (_, pdf) = signed();
    let path = write("qpdf-signed.pdf", pdf);
    let out = Command::new("qpdf").arg("--check").arg(&path).output().expect("qpdf runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("No syntax or stream encoding errors found"), "{text}");
}

/// The test root and its revocation list, as the administrator imports them.
fn imported() -> Trust {
    let files: Vec<TrustFile> =
        ["ca.pem", "crl.pem"].iter().map(|f| TrustFile::parse(&read(f)).expect("a trust file")).collect();
    Trust::from_der(files.iter().map(|f| (f.kind, f.der.as_slice())))
}

#[test]
fn certificates_and_revocation_lists_are_read_as_imported_and_anything_else_is_refused() {
    let root = TrustFile::parse(&read("ca.pem")).expect("PEM certificate");
    assert_eq!(root.kind, TrustKind::Certificate);
    assert!(root.self_signed);
    assert!(root.name.contains("CN=Test НУЦ РК (RSA)"), "{}", root.name);
    assert_eq!(root.sha256.len(), 64);
    // The same certificate as DER is the same file.
    let der = TrustFile::parse(&root.der).expect("DER certificate");
    assert_eq!(der.sha256, root.sha256);
    let head = TrustFile::parse(&read("head.pem")).expect("certificate");
    assert!(!head.self_signed);
    let crl = TrustFile::parse(&read("crl.pem")).expect("CRL");
    assert_eq!(crl.kind, TrustKind::Crl);
    assert!(crl.name.contains("CN=Test НУЦ РК (RSA)"));
    assert!(crl.valid_until.is_some());
    let err = TrustFile::parse(b"-----BEGIN CERTIFICATE-----\nnot base64\n").expect_err("refused");
    assert_eq!(err, SignatureError::TrustFile);
    assert!(err.kk().contains(".crl") && err.ru().contains(".crl"));
}

#[test]
fn an_imported_list_tells_a_revoked_signer_from_a_good_one() {
    let (_, pdf) = signed();
    let v = verify(pdf, &imported()).expect("found");
    assert_eq!(v.chain, Chain::Trusted);
    assert!(matches!(&v.revocation, Revocation::NotRevoked { .. }), "{:?}", v.revocation);
    // The stranger's certificate is on the list.
    let stranger = key("stranger.p12").expect("opens");
    let as_stranger = Expected { iin: "900101300007".into(), bin: None };
    let theirs = sign_pdf(&base_pdf(), &fields(), &stranger, &as_stranger).expect("signs");
    let v = verify(&theirs.pdf, &imported()).expect("found");
    assert_eq!(v.integrity, Integrity::Intact);
    assert!(matches!(&v.revocation, Revocation::Revoked { .. }), "{:?}", v.revocation);
    // A list nobody imported checks nothing.
    let v = verify(&theirs.pdf, &Trust::roots(&[root()])).expect("found");
    assert_eq!(v.revocation, Revocation::NotChecked);
}
