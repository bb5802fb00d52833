//! Issuing the receipt of an intake: an acceptance receipt, or — for a
//! package refused at intake — the receipt of refusal to accept documents
//! listing what is missing. Registry record → PDF → file → audit, then the
//! system's PDF viewer.

use std::path::PathBuf;

use chrono::Datelike;
use kense_documents::{AcceptanceReceipt, Bilingual as DocText, OfficeRequisites, RefusalReceipt, Verification};
use kense_domain::access::{Action, Actor};
use kense_domain::application::Status;
use kense_domain::audit::{hex, short};
use kense_domain::verification::{self, Verdict};
use kense_domain::Error;
use kense_storage::{ApplicationRecord, Office};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tauri_plugin_opener::OpenerExt;

use crate::{queue_paper, results};
use kense_workstation::Workstation;
use kense_workstation::{clock, paths};

pub const ACCEPTANCE: &str = "receipt";
pub const REFUSAL: &str = "refusal-receipt";

#[derive(Debug, Serialize)]
pub struct Printed {
    pub path: String,
    pub kind: &'static str,
    pub copy: u32,
    pub sha256: String,
    /// The text in the document's QR code.
    pub verification: String,
    /// Whether the system viewer accepted the file. When it did not (no
    /// viewer installed), the window shows where the file is.
    pub opened: bool,
}

pub(crate) fn text(b: &kense_domain::Bilingual) -> DocText {
    DocText { kk: b.kk.clone(), ru: b.ru.clone() }
}

pub(crate) fn requisites(office: &Office) -> OfficeRequisites {
    OfficeRequisites { name: text(&office.name), address: text(&office.address), phone: office.phone.clone() }
}

fn refusal_of(rec: &ApplicationRecord, office: &Office, chain_head: &str, copy_number: u32) -> RefusalReceipt {
    RefusalReceipt {
        registration_number: rec.number.clone(),
        registered_at: rec.registered_at.naive_local(),
        office: requisites(office),
        service_name: text(&rec.service_name),
        applicant_name: rec.applicant_name.clone(),
        applicant_address: (!rec.applicant_address.is_empty()).then(|| rec.applicant_address.clone()),
        missing_documents: rec.documents.iter().filter(|d| d.required && !d.presented).map(|d| text(&d.name)).collect(),
        refused_by: rec.registered_by.clone(),
        executor: None,
        executor_phone: (!office.phone.is_empty()).then(|| office.phone.clone()),
        audit_chain_head: Some(short(chain_head).to_owned()),
        copy_number,
        verification: None,
    }
}

fn receipt_of(rec: &ApplicationRecord, office: &Office, chain_head: &str, copy_number: u32) -> AcceptanceReceipt {
    AcceptanceReceipt {
        registration_number: rec.number.clone(),
        registered_at: rec.registered_at.naive_local(),
        office: requisites(office),
        service_name: text(&rec.service_name),
        applicant_name: rec.applicant_name.clone(),
        applicant_iin: rec.applicant_iin.clone(),
        applicant_phone: rec.applicant_phone.clone(),
        subject_name: rec.child_name.clone(),
        subject_iin: rec.child_iin.clone(),
        subject_birth_date: rec.child_birth_date,
        documents: rec.documents.iter().filter(|d| d.presented).map(|d| text(&d.name)).collect(),
        // The whole application's due moment, from the norms on the calendar.
        expected_result_date: rec
            .due_at
            .as_deref()
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.date_naive()),
        accepted_by: rec.registered_by.clone(),
        executor: None,
        executor_phone: None,
        audit_chain_head: Some(short(chain_head).to_owned()),
        copy_number,
        verification: None,
    }
}

/// The facts of the record a document states, canonically: what its
/// verification code vouches for. Office requisites are left out so that
/// renaming the office does not make every earlier paper "changed".
pub(crate) fn canonical_content(rec: &ApplicationRecord, kind: &str) -> String {
    let documents: Vec<(&str, bool, bool)> =
        rec.documents.iter().map(|d| (d.name.kk.as_str(), d.required, d.presented)).collect();
    serde_json::json!({
        "kind": kind,
        "number": rec.number,
        "registered_at": rec.registered_at.to_rfc3339(),
        "service": rec.service_code,
        "applicant": [rec.applicant_iin, rec.applicant_name],
        "child": [rec.child_iin, rec.child_name, rec.child_birth_date],
        "documents": documents,
    })
    .to_string()
}

/// The QR code every paper carries: the office's code over the paper's
/// number, kind, copy, the chain head and its canonical content.
pub fn vouch(
    state: &Workstation,
    number: &str,
    kind: &str,
    copy: u32,
    chain_head: &str,
    canonical: &str,
) -> Result<Verification, Error> {
    let key = state.verification_key()?;
    let qr_text =
        verification::qr_text(&key, number, kind, copy, short(chain_head), &verification::content_hash(canonical));
    Ok(Verification { qr_text, caption: format!("Тексеру / Проверка: {number}") })
}

/// What the office's registry says of a scanned verification text.
#[derive(Debug, Serialize)]
pub struct Checked {
    pub verdict: Verdict,
    pub number: String,
    pub kind: String,
    pub copy: u32,
    pub status: Status,
    pub service_name: kense_domain::Bilingual,
    pub applicant_name: String,
    pub registered_at: String,
    pub printed_at: Option<String>,
    /// For a referral: what the kindergarten needs to see.
    pub referral: Option<ReferralFacts>,
}

#[derive(Debug, Serialize)]
pub struct ReferralFacts {
    pub status: kense_domain::queue::ReferralStatus,
    pub kindergarten: kense_domain::Bilingual,
    pub valid_until: String,
    pub child_name: String,
}

/// Checks a scanned QR text against the registry: was this paper printed
/// here, and does the record still say what it says?
pub fn check(state: &Workstation, actor: &Actor, text: &str) -> Result<Checked, Error> {
    let now = clock::now();
    let vouched = verification::parse(text).ok_or(Error::NotOurCode)?;
    let key = state.verification_key()?;
    let is_referral = vouched.kind == queue_paper::REFERRAL;
    let (rec, printed, referral) = state.with_registry(|reg| {
        let printed = reg.issued_by_verification(actor, text.trim(), now)?;
        let referral = if is_referral { reg.referral_by_number(&vouched.number)? } else { None };
        let id = match (&printed, &referral) {
            (Some((id, _)), _) => *id,
            (None, Some(r)) => r.application_id,
            (None, None) => reg.application_id_by_number(&vouched.number)?.ok_or(Error::NotOurCode)?,
        };
        Ok((reg.application(actor, id, now)?, printed, referral))
    })?;
    let canonical = match &referral {
        Some(r) => queue_paper::referral_content(r),
        None if is_referral => return Err(Error::NotOurCode),
        None if vouched.kind == results::RESULT => results::result_content(&rec),
        None => canonical_content(&rec, &vouched.kind),
    };
    let content = verification::content_hash(&canonical);
    let original = printed.as_ref().map(|_| vouched.code.as_str());
    let verdict = match verification::verify(&key, &vouched, &content, original) {
        // A valid code for a paper the registry has no print of: forged.
        Verdict::Valid if printed.is_none() => Verdict::Forged,
        v => v,
    };
    Ok(Checked {
        verdict,
        number: vouched.number.clone(),
        kind: vouched.kind.clone(),
        copy: vouched.copy,
        status: rec.status,
        service_name: rec.service_name.clone(),
        applicant_name: rec.applicant_name.clone(),
        registered_at: rec.registered_at.to_rfc3339(),
        printed_at: printed.map(|(_, at)| at),
        referral: referral.map(|r| ReferralFacts {
            status: r.status,
            kindergarten: r.kindergarten,
            valid_until: r.valid_until,
            child_name: r.child_name,
        }),
    })
}

/// Makes the intake receipt's PDF, files it under the data directory and
/// records its hash. The same record and copy number always give the same
/// bytes; a reprint carries its copy number.
pub fn issue(state: &Workstation, actor: &Actor, application_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (rec, office, head) = state.with_registry(|reg| {
        let rec = reg.application(actor, application_id, now)?;
        Ok((rec, reg.office()?, reg.audit_head()?))
    })?;
    let kind = if rec.status == Status::RefusedAtIntake { REFUSAL } else { ACCEPTANCE };
    let copy = state.with_registry(|reg| reg.next_copy_number(application_id, kind))?;
    let typesetter = state.typesetter()?;
    let verification = vouch(state, &rec.number, kind, copy, &head, &canonical_content(&rec, kind))?;
    let qr_text = verification.qr_text.clone();
    let bytes = match kind {
        REFUSAL => typesetter.refusal_receipt(&RefusalReceipt {
            verification: Some(verification),
            ..refusal_of(&rec, &office, &head, copy)
        }),
        _ => typesetter.acceptance_receipt(&AcceptanceReceipt {
            verification: Some(verification),
            ..receipt_of(&rec, &office, &head, copy)
        }),
    }
    .map_err(|e| Error::Document(e.to_string()))?;
    let year = rec.registered_at.year();
    file_and_record(
        state,
        actor,
        Action::PrintDocument,
        (rec.id, kind, copy),
        (year, &rec.number),
        qr_text,
        bytes,
        kind,
    )
}

/// Files a document's bytes under the data directory and records its print
/// (hash, verification text, copy) with the right `action` needs; what the
/// window shows comes back. `stored_kind` is unique per document of the
/// application, `kind` is what the window is told.
#[allow(clippy::too_many_arguments)] // each is one fact of the print; a struct would only rename them
pub fn file_and_record(
    state: &Workstation,
    actor: &Actor,
    action: Action,
    (application_id, stored_kind, copy): (i64, &str, u32),
    (year, number): (i32, &str),
    qr_text: String,
    bytes: Vec<u8>,
    kind: &'static str,
) -> Result<Printed, Error> {
    let sha256 = hex(&Sha256::digest(&bytes));
    let base = kind.to_owned();
    let name = if copy == 1 { base } else { format!("{base}-copy{copy}") };
    let path: PathBuf = paths::document_file(state.data_dir()?, year, number, &name);
    paths::write_atomically(&path, &bytes)?;
    let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let printed = kense_storage::Printed {
        application_id,
        kind: stored_kind,
        copy,
        sha256: &sha256,
        verification: &qr_text,
        file_name: &file_name,
    };
    let copy = state.with_registry(|reg| reg.record_printed(actor, action, &printed, clock::now()))?;
    Ok(Printed { path: path.display().to_string(), kind, copy, sha256, verification: qr_text, opened: false })
}

/// Hands the file to the system's PDF viewer (xdg-open, the Windows shell,
/// or macOS `open`, chosen by the opener plugin).
///
/// The launcher runs on a thread of its own: some launchers wait until the
/// viewer is closed, and a command must never hold one of the few runtime
/// workers for that (every other command of the window would queue behind
/// it). A launcher that fails within two seconds reports "no viewer"; one
/// still running then has started a viewer.
pub fn show(app: &tauri::AppHandle, mut printed: Printed) -> Printed {
    let (tx, rx) = std::sync::mpsc::channel();
    let (app, path) = (app.clone(), printed.path.clone());
    std::thread::spawn(move || {
        let outcome = app.opener().open_path(path, None::<&str>);
        if let Err(e) = &outcome {
            log::warn!("no PDF viewer opened the document: {e}");
        }
        let _ = tx.send(outcome.is_ok());
    });
    printed.opened = rx.recv_timeout(std::time::Duration::from_secs(2)).unwrap_or(true);
    printed
}

/// What the registry says of a paper looked up by its number and an IIN on
/// it (no QR code at hand): the record and what was printed for it, for the
/// person to compare with the paper.
#[derive(Debug, Serialize)]
pub struct Looked {
    pub number: String,
    pub status: Status,
    pub service_name: kense_domain::Bilingual,
    pub applicant_name: String,
    pub registered_at: String,
    /// (kind, copy, printed at)
    pub printed: Vec<(String, u32, String)>,
    pub referral: Option<ReferralFacts>,
}

/// Finds a paper by its number (an application's, or a referral's "Ж-…")
/// and the applicant's or the child's IIN. A wrong IIN reads as not found,
/// so numbers cannot be probed for names.
pub fn look_up(state: &Workstation, actor: &Actor, number: &str, iin: &str) -> Result<Looked, Error> {
    let now = clock::now();
    let (number, iin) = (number.trim(), iin.trim());
    state.with_registry(|reg| {
        let referral = reg.referral_by_number(number)?;
        let id = match &referral {
            Some(r) => r.application_id,
            None => reg.application_id_by_number(number)?.ok_or(Error::NotFound)?,
        };
        let rec = reg.application(actor, id, now)?;
        if iin.is_empty() || (rec.applicant_iin != iin && rec.child_iin.as_deref() != Some(iin)) {
            return Err(Error::NotFound);
        }
        let kind_of_referral = referral.as_ref().map(|r| format!("{}:{}", queue_paper::REFERRAL, r.number));
        let printed = reg
            .printed_documents(id)?
            .into_iter()
            .filter(|(kind, _, _)| kind_of_referral.as_ref().is_none_or(|k| k == kind))
            .collect();
        Ok(Looked {
            number: number.to_owned(),
            status: rec.status,
            service_name: rec.service_name.clone(),
            applicant_name: rec.applicant_name.clone(),
            registered_at: rec.registered_at.to_rfc3339(),
            printed,
            referral: referral.map(|r| ReferralFacts {
                status: r.status,
                kindergarten: r.kindergarten,
                valid_until: r.valid_until,
                child_name: r.child_name,
            }),
        })
    })
}
