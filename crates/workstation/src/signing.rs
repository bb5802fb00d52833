//! The head's electronic signature (ЭЦҚ) on a result, and what the verify
//! screen says of a signed PDF file.
//!
//! Signing: the result paper is typeset as it will read once signed (the
//! head's name, the moment, the next copy, its QR code), the head's
//! certificate signs it — through NCALayer on his PC, or from an RSA key
//! file he chooses — and the signed file, the Sign step, the certificate's
//! facts and the print record of that copy commit in one transaction. A
//! refused or cancelled signature changes nothing. The moment is taken
//! before the signer's dialog, so the paper and the registry state the
//! same one.
//!
//! Checking: a PDF file chosen from disk is verified against the
//! certificates and revocation lists the office imported, and matched with
//! the registry's signed results by its SHA-256.

use chrono::{DurationRound, TimeDelta};
use kense_domain::access::Actor;
use kense_domain::audit::hex;
use kense_domain::workflow::{Status, Step};
use kense_domain::{Bilingual, Error, Lang};
use kense_signature::{
    sign_pdf, verify, Chain, Expected, Integrity, NcaLayerSigner, Pkcs12Signer, Revocation, SignatureError,
    SignatureFields, Signer, Status as VerdictStatus, Trust, TrustFile, TrustKind, NCALAYER_ADDRESS,
};
use kense_storage::{CertificateSignature, NewTrustedFile, SigningMethod, StepTaken, TrustedFile};
use serde::Serialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::paper::{self, Printed};
use crate::verification::RESULT;
use crate::{clock, workflow, Workstation};

/// Largest key file read (NCA's are a few kilobytes).
const MAX_KEY_FILE: usize = 1024 * 1024;

/// Largest PDF the verify screen reads.
pub const MAX_SIGNED_PDF: usize = 64 * 1024 * 1024;

/// How long the head may take in NCALayer's dialog.
const NCALAYER_PATIENCE: std::time::Duration = std::time::Duration::from_secs(300);

/// What signs.
pub enum SignWith {
    /// NCALayer on this PC: the head picks his key or token and types its
    /// password in NCALayer's own dialog.
    NcaLayer,
    /// An RSA PKCS#12 key file the head chose; its password is wiped once
    /// the file is read.
    KeyFile { file: Vec<u8>, password: Zeroizing<String> },
}

/// A signature error in the person's words (the crate words it in both
/// languages); the technical detail goes to the log only.
fn refused(e: SignatureError) -> Error {
    log::warn!("signature refused: {e}");
    Error::Signature { kk: e.kk(), ru: e.ru() }
}

/// A result signed with the head's certificate.
#[derive(Debug, Serialize)]
pub struct SignedResult {
    pub step: StepTaken,
    /// The signed PDF, filed as the result's copy.
    pub printed: Printed,
    pub signer_name: String,
    pub cert_serial: String,
}

/// Signs the prepared result of application `id`, which the head saw in
/// `expected`, with his certificate.
pub fn sign_result(
    station: &Workstation,
    actor: &Actor,
    id: i64,
    expected: Status,
    with: SignWith,
) -> Result<SignedResult, Error> {
    // To the second: the registry stores moments so, and the paper must
    // state the stored one.
    let now = clock::now().duration_trunc(TimeDelta::seconds(1)).map_err(|e| Error::Storage(e.to_string()))?;
    let signed_at = kense_storage::timestamp(now);
    // Asked before any dialog: a head who may not sign is not sent to
    // NCALayer first.
    let (iin, office, trust) = station.with_registry(|reg| {
        reg.may_take_step(actor, id, Step::Sign)?;
        Ok((reg.user_iin(actor.user_id)?, reg.office()?, trust(reg)?))
    })?;
    let iin = iin.ok_or(Error::NoSignerIin)?;
    let paper = paper::result::as_signed(station, actor, id, &signed_at)?;
    let (signer, method): (Box<dyn Signer>, SigningMethod) = match with {
        SignWith::NcaLayer => (
            Box::new(NcaLayerSigner {
                address: NCALAYER_ADDRESS.to_owned(),
                // NCALayer's TLS certificate chains to NCA's RSA root, which
                // the administrator imports with the others.
                tls_roots: trust.certificates(),
                iin: iin.clone(),
                bin: office.bin.clone(),
                locale: station.lang().code().to_owned(),
                timeout: NCALAYER_PATIENCE,
            }),
            SigningMethod::NcaLayer,
        ),
        SignWith::KeyFile { file, password } => {
            if file.len() > MAX_KEY_FILE {
                return Err(refused(SignatureError::KeyFile("too large".into())));
            }
            (Box::new(Pkcs12Signer::open(&file, password).map_err(refused)?), SigningMethod::KeyFile)
        }
    };
    let fields = SignatureFields {
        name: Some(actor.full_name.clone()),
        reason: Some(format!("{} — {}", paper.number, reason_text(station.lang()))),
        location: None,
        signed_at: now,
    };
    let expected_signer = Expected { iin, bin: office.bin.clone() };
    let signed = sign_pdf(&paper.bytes, &fields, signer.as_ref(), &expected_signer).map_err(refused)?;
    let base_sha256 = hex(&Sha256::digest(&paper.bytes));
    let name = if paper.copy == 1 { format!("{RESULT}-signed") } else { format!("{RESULT}-copy{}-signed", paper.copy) };
    let (path, signed_sha256) = paper::file(station, paper.year, &paper.number, &name, &signed.pdf)?;
    let file_name = paper::file_name(&path);
    let who = &signed.signer;
    let bin = who.bin.as_deref();
    let certificate = CertificateSignature {
        method,
        signer_name: &who.name,
        signer_iin: who.iin.as_deref().unwrap_or_default(),
        signer_bin: bin,
        cert_serial: &who.serial,
        cert_issuer: &who.issuer,
        cert_sha256: &who.fingerprint,
        base_sha256: &base_sha256,
        signed_sha256: &signed_sha256,
        signed_pdf: &signed.pdf,
        kind: RESULT,
        copy: paper.copy,
        verification: &paper.qr_text,
        file_name: &file_name,
    };
    let step = station.with_registry(|reg| {
        let due = workflow::due_after(station, reg, id, expected, Step::Sign, now)?;
        reg.sign_result_with_certificate(actor, id, expected, &certificate, due, now)
    });
    let step = match step {
        Ok(step) => step,
        Err(e) => {
            // Not recorded, so not filed: a stray file would read as issued.
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
    };
    Ok(SignedResult {
        step,
        printed: Printed {
            path: path.display().to_string(),
            kind: RESULT,
            copy: paper.copy,
            sha256: signed_sha256,
            verification: paper.qr_text,
            opened: false,
            printer: None,
        },
        signer_name: who.name.clone(),
        cert_serial: who.serial.clone(),
    })
}

/// `/Reason` of the signature: what the head signs.
fn reason_text(lang: Lang) -> &'static str {
    match lang {
        Lang::Kk => "мемлекеттік қызмет көрсету нәтижесі",
        Lang::Ru => "результат оказания государственной услуги",
    }
}

/// The signed PDF of an application's result, written to `to` (a path the
/// person chose in Rust's save dialog).
pub fn save_signed_result(station: &Workstation, actor: &Actor, id: i64, to: &std::path::Path) -> Result<(), Error> {
    let pdf = station.with_registry(|reg| reg.signed_result_pdf(actor, id, clock::now()))?;
    crate::paths::write_atomically(to, &pdf)
}

/// What the office imported, as the signature crate uses it.
fn trust(reg: &kense_storage::Registry) -> Result<Trust, Error> {
    let files = reg.trusted_der()?;
    Ok(Trust::from_der(files.iter().filter_map(|(kind, der)| Some((TrustKind::parse(kind)?, der.as_slice())))))
}

/// The verify screen's answer for a signed PDF file.
#[derive(Debug, Serialize)]
pub struct FileVerdict {
    /// `valid`, `changed`, `not_whole_file` or `unsupported`.
    pub status: &'static str,
    pub headline: Bilingual,
    pub signer_name: Option<String>,
    pub signer_iin: Option<String>,
    pub signer_bin: Option<String>,
    pub cert_serial: Option<String>,
    pub cert_issuer: Option<String>,
    pub cert_valid: Option<(String, String)>,
    /// Whether the certificate chains to a root the office imported.
    pub trusted: bool,
    pub chain: Bilingual,
    pub revocation: Bilingual,
    pub revoked: bool,
    /// `/M` as written in the file.
    pub signed_at: Option<String>,
    pub signed_len: usize,
    pub file_len: usize,
    /// The registry's signed result this very file is, if any.
    pub registry: Option<String>,
}

/// Verifies a signed PDF file's bytes.
pub fn verify_file(station: &Workstation, _logged_in: &Actor, pdf: &[u8]) -> Result<FileVerdict, Error> {
    if pdf.len() > MAX_SIGNED_PDF {
        return Err(Error::NotSigned);
    }
    let sha256 = hex(&Sha256::digest(pdf));
    let (trust, registry) = station.with_registry(|reg| Ok((trust(reg)?, reg.signed_result_number(&sha256)?)))?;
    let v = verify(pdf, &trust).ok_or(Error::NotSigned)?;
    let (status, headline) = match v.status() {
        VerdictStatus::Valid => ("valid", Bilingual::new(
            "Қолтаңба жарамды: ол бүкіл файлды қамтиды, қол қойылғаннан кейін ештеңе өзгермеген.",
            "Подпись действительна: она охватывает весь файл, после подписания ничего не изменено.",
        )),
        VerdictStatus::Changed => ("changed", Bilingual::new(
            "Файл қол қойылғаннан кейін өзгертілген: қолтаңба жарамсыз.",
            "Файл изменён после подписания: подпись недействительна.",
        )),
        VerdictStatus::NotWholeFile => ("not_whole_file", Bilingual::new(
            "Қолтаңба жарамды, бірақ файлдың бәрін қамтымайды: қол қойылғаннан кейін файлға деректер қосылған.",
            "Подпись действительна, но охватывает не весь файл: после подписания в файл добавлены данные.",
        )),
        VerdictStatus::Unsupported => ("unsupported", Bilingual::new(
            "Бұл ГОСТ қолтаңбасын Kense өзі тексере алмайды: қол қоюшы мен сертификат тізбегі ғана тексерілді, құжаттың хэші тексерілмеді. Құжатты NCALayer немесе ezSigner арқылы тексеріңіз.",
            "Эту подпись ГОСТ Kense сам проверить не может: проверены только подписант и цепочка сертификата, хэш документа не проверен. Проверьте документ через NCALayer или ezSigner.",
        )),
    };
    if let Integrity::Changed(why) | Integrity::Unsupported(why) = &v.integrity {
        log::info!("verified file: {why}");
    }
    let chain = match &v.chain {
        Chain::Trusted => Bilingual::new(
            "Сертификат бөлім енгізген түбірлік сертификатқа дейін тізбектеледі және қол қойған сәтте жарамды болған.",
            "Сертификат выстраивается в цепочку до корневого сертификата, загруженного отделом, и был действителен в момент подписания.",
        ),
        Chain::NotTrusted(why) => Bilingual::new(
            format!("Сертификат сенімді емес: бөлім енгізген түбірлік сертификаттарға дейін тізбектелмейді немесе қол қойған сәтте жарамсыз болған ({why})."),
            format!("Сертификат не доверенный: не выстраивается до корневых сертификатов, загруженных отделом, или был недействителен в момент подписания ({why})."),
        ),
    };
    let revocation = match &v.revocation {
        Revocation::NotChecked => Bilingual::new(
            "Кері қайтарып алу тексерілмеді: Kense желіге шықпайды, ал сертификатты берушінің тізімі (CRL) енгізілмеген.",
            "Отзыв не проверен: Kense не обращается в сеть, а список отзыва (CRL) издателя сертификата не загружен.",
        ),
        Revocation::NotRevoked { list } => Bilingual::new(
            format!("Сертификат кері қайтарылғандар тізімінде жоқ (тізім {list} шығарылған)."),
            format!("Сертификата нет в списке отозванных (список выпущен {list})."),
        ),
        Revocation::Revoked { on, list } => Bilingual::new(
            format!("Сертификат {on} кері қайтарылған (тізім {list} шығарылған)."),
            format!("Сертификат отозван {on} (список выпущен {list})."),
        ),
    };
    let who = v.signer.as_ref();
    Ok(FileVerdict {
        status,
        headline,
        signer_name: who.map(|w| w.name.clone()),
        signer_iin: who.and_then(|w| w.iin.clone()),
        signer_bin: who.and_then(|w| w.bin.clone()),
        cert_serial: who.map(|w| w.serial.clone()),
        cert_issuer: who.map(|w| w.issuer.clone()),
        cert_valid: who.map(|w| (openssl_time(&w.not_before), openssl_time(&w.not_after))),
        trusted: v.chain == Chain::Trusted,
        chain,
        revocation,
        revoked: matches!(v.revocation, Revocation::Revoked { .. }),
        signed_at: v.signed_at.as_deref().map(pdf_time),
        signed_len: v.signed_len,
        file_len: v.file_len,
        registry,
    })
}

/// OpenSSL's `Dec  7 12:25:33 2026 GMT` as the window writes moments
/// (`07.12.2026 12:25:33 UTC`); as it is when it does not parse.
fn openssl_time(s: &str) -> String {
    let squeezed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    chrono::NaiveDateTime::parse_from_str(&squeezed, "%b %d %H:%M:%S %Y GMT")
        .map_or_else(|_| s.to_owned(), |t| t.format("%d.%m.%Y %H:%M:%S UTC").to_string())
}

/// A PDF date (`D:20261207122543+05'00'`) as `07.12.2026 12:25:43 (UTC+05:00)`;
/// as it is when it does not parse.
fn pdf_time(s: &str) -> String {
    let digits = s.strip_prefix("D:").unwrap_or(s);
    let (local, zone) = digits.split_at(digits.len().min(14));
    match chrono::NaiveDateTime::parse_from_str(local, "%Y%m%d%H%M%S") {
        Ok(t) => {
            let zone = zone.replace('\'', "");
            let zone = match zone.as_str() {
                "" | "Z" => "+00:00".to_owned(),
                z if z.len() >= 5 => format!("{}:{}", &z[..3], &z[3..5]),
                z => z.to_owned(),
            };
            format!("{} (UTC{zone})", t.format("%d.%m.%Y %H:%M:%S"))
        }
        Err(_) => s.to_owned(),
    }
}

/// Imports a certificate or revocation list the administrator chose.
pub fn import_trusted(station: &Workstation, actor: &Actor, bytes: &[u8]) -> Result<TrustedFile, Error> {
    let file = TrustFile::parse(bytes).map_err(refused)?;
    // Kept as the window writes moments.
    let valid_from = openssl_time(&file.valid_from);
    let valid_until = file.valid_until.as_deref().map(openssl_time);
    let new = NewTrustedFile {
        kind: file.kind.code(),
        name: &file.name,
        sha256: &file.sha256,
        der: &file.der,
        valid_from: &valid_from,
        valid_until: valid_until.as_deref(),
    };
    station.with_registry(|reg| reg.import_trusted_file(actor, &new, clock::now()))
}

/// The imported certificates and lists, for the administrator.
pub fn trusted_files(station: &Workstation, _logged_in: &Actor) -> Result<Vec<TrustedFile>, Error> {
    station.with_registry(|reg| reg.trusted_files())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kense_domain::iin::Iin;
    use kense_domain::verification::Standing;
    use kense_domain::workflow::{Command, Outcome};
    use kense_domain::Field;
    use kense_storage::Due;
    use std::path::{Path, PathBuf};

    const KEY_PASSWORD: &str = "kense-test-1";
    const HEAD_IIN: &str = "780415300126";

    /// The repository's test PKI (`scripts/test-pki`), made once.
    fn pki() -> PathBuf {
        static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
        DIR.get_or_init(|| {
            let dir = std::env::temp_dir().join(format!("kense-signing-pki-{}", std::process::id()));
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/test-pki");
            let out = std::process::Command::new(script).arg(&dir).output().expect("scripts/test-pki runs");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            dir
        })
        .clone()
    }

    fn key(name: &str) -> SignWith {
        SignWith::KeyFile {
            file: std::fs::read(pki().join(name)).expect("key file"),
            password: Zeroizing::new(KEY_PASSWORD.into()),
        }
    }

    /// An office with a result prepared and waiting for the head.
    fn prepared(dir: &Path) -> (Workstation, Actor, Actor, i64) {
        let (station, staff, id) = crate::testing::assigned(dir, "Жұмабеков Әлихан");
        let prepare = Command::PrepareResult { outcome: Outcome::positive(0) };
        station
            .with_registry(|r| {
                r.take_step(&staff.executor, id, Status::WithExecutor, &prepare, Due::default(), clock::now())
            })
            .unwrap();
        (station, staff.clerk, staff.head, id)
    }

    fn status(station: &Workstation, actor: &Actor, id: i64) -> Status {
        station.with_registry(|r| r.application(actor, id, clock::now())).unwrap().status
    }

    fn documents(dir: &Path) -> usize {
        walk(&dir.join("documents"))
    }

    fn walk(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .map_or(0, |entries| entries.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
    }

    /// The head signs with the test PKI's key file: refused without an IIN
    /// on his account and with someone else's key (nothing filed, nothing
    /// changed); then the signed file is filed as the result's first copy,
    /// its QR code verifies, it reads as his, and the verify screen tells
    /// it valid, trusted once the root is imported, and changed when
    /// tampered with.
    #[test]
    fn moments_read_as_the_window_writes_them() {
        assert_eq!(openssl_time("Dec  7 12:25:33 2026 GMT"), "07.12.2026 12:25:33 UTC");
        assert_eq!(pdf_time("D:20261207122543+05'00'"), "07.12.2026 12:25:43 (UTC+05:00)");
        assert_eq!(pdf_time("D:20261207122543Z"), "07.12.2026 12:25:43 (UTC+00:00)");
        assert_eq!(pdf_time("garbage"), "garbage");
    }

    #[test]
    fn the_head_signs_with_his_key_file_and_the_file_verifies() {
        let dir = std::env::temp_dir().join(format!("kense-signing-{}", std::process::id()));
        let (station, admin, head, id) = prepared(&dir);
        let err = sign_result(&station, &head, id, Status::ResultPrepared, key("head.p12")).unwrap_err();
        assert_eq!(err, Error::NoSignerIin);
        let iin = Iin::parse(Field::UserIin, HEAD_IIN).unwrap();
        station.with_registry(|r| r.set_user_iin(&admin, head.user_id, Some(&iin), clock::now())).unwrap();

        let err = sign_result(&station, &head, id, Status::ResultPrepared, key("stranger.p12")).unwrap_err();
        assert!(matches!(&err, Error::Signature { kk, .. } if kk.contains("басшыға тиесілі емес")), "{err:?}");
        let wrong = SignWith::KeyFile {
            file: std::fs::read(pki().join("head.p12")).unwrap(),
            password: Zeroizing::new("wrong".into()),
        };
        let err = sign_result(&station, &head, id, Status::ResultPrepared, wrong).unwrap_err();
        assert!(matches!(&err, Error::Signature { ru, .. } if ru.contains("неверный пароль")), "{err:?}");
        assert_eq!(status(&station, &head, id), Status::ResultPrepared);
        assert_eq!(documents(&dir), 0, "nothing filed for a refused signature");

        let signed = sign_result(&station, &head, id, Status::ResultPrepared, key("head.p12")).unwrap();
        assert_eq!(signed.step.to, Status::Signed);
        assert_eq!(signed.signer_name, "ЖҰМАБЕКОВ ӘЛИХАН");
        assert_eq!(signed.cert_serial, "1A2B3C4D5E6F");
        let file = std::fs::read(&signed.printed.path).unwrap();
        let saved = dir.join("saved.pdf");
        save_signed_result(&station, &head, id, &saved).unwrap();
        assert_eq!(std::fs::read(&saved).unwrap(), file, "the registry keeps the very file");
        let checked = crate::verification::check(&station, &admin, &signed.printed.verification).unwrap();
        assert_eq!(checked.standing, Standing::Valid, "the signed copy's QR code verifies");
        let rec = station.with_registry(|r| r.application(&admin, id, clock::now())).unwrap();
        let facts = rec.result.unwrap().certificate.expect("certificate facts");
        assert_eq!(facts.signer_iin, HEAD_IIN);

        let v = verify_file(&station, &admin, &file).unwrap();
        assert_eq!(v.status, "valid");
        assert_eq!(v.signer_iin.as_deref(), Some(HEAD_IIN));
        assert_eq!(v.registry.as_deref(), Some(rec.number.as_str()));
        assert!(!v.trusted, "no root imported yet");
        assert!(v.revocation.kk.contains("тексерілмеді"));
        for name in ["ca.pem", "crl.pem"] {
            import_trusted(&station, &admin, &std::fs::read(pki().join(name)).unwrap()).unwrap();
        }
        let err = import_trusted(&station, &admin, &std::fs::read(pki().join("ca.pem")).unwrap()).unwrap_err();
        assert_eq!(err, Error::AlreadyTrusted);
        assert!(matches!(import_trusted(&station, &admin, b"not a certificate"), Err(Error::Signature { .. })));
        assert_eq!(
            import_trusted(&station, &head, &std::fs::read(pki().join("head.pem")).unwrap()).unwrap_err(),
            Error::Forbidden
        );
        let v = verify_file(&station, &admin, &file).unwrap();
        assert!(v.trusted, "{:?}", v.chain);
        assert!(!v.revoked && v.revocation.ru.contains("нет в списке"), "{:?}", v.revocation);

        let mut tampered = file.clone();
        tampered[file.len() / 3] ^= 1;
        let v = verify_file(&station, &admin, &tampered).unwrap();
        assert_eq!(v.status, "changed");
        assert_eq!(v.registry, None);
        let printed = crate::paper::result::print(&station, &admin, id).unwrap();
        assert_eq!(printed.copy, 2, "the next paper copy follows the signed one");
        let unsigned = std::fs::read(&printed.path).unwrap();
        assert_eq!(verify_file(&station, &admin, &unsigned).unwrap_err(), Error::NotSigned);
        // Signed once: the screen that still shows "prepared" is stale.
        let err = sign_result(&station, &head, id, Status::ResultPrepared, key("head.p12")).unwrap_err();
        assert_eq!(err, Error::InvalidState);
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }
}
