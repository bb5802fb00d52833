//! Issuing the acceptance receipt: registry record → PDF → file → audit,
//! then showing it in the system's PDF viewer.

use std::path::PathBuf;

use chrono::Datelike;
use kense_documents::{AcceptanceReceipt, Bilingual as DocText, OfficeRequisites};
use kense_domain::access::Actor;
use kense_domain::application::Status;
use kense_domain::audit::{hex, short};
use kense_domain::Error;
use kense_storage::{ApplicationRecord, Office};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tauri_plugin_opener::OpenerExt;

use crate::state::AppState;
use crate::{clock, paths};

pub const KIND: &str = "receipt";

#[derive(Debug, Serialize)]
pub struct Printed {
    pub path: String,
    pub copy: u32,
    pub sha256: String,
    /// Whether the system viewer accepted the file. When it did not (no
    /// viewer installed), the window shows where the file is.
    pub opened: bool,
}

fn text(b: &kense_domain::Bilingual) -> DocText {
    DocText { kk: b.kk.clone(), ru: b.ru.clone() }
}

fn receipt_of(rec: &ApplicationRecord, office: &Office, chain_head: &str, copy_number: u32) -> AcceptanceReceipt {
    AcceptanceReceipt {
        registration_number: rec.number.clone(),
        registered_at: rec.registered_at.naive_local(),
        office: OfficeRequisites { name: text(&office.name), address: text(&office.address), phone: office.phone.clone() },
        service_name: text(&rec.service_name),
        applicant_name: rec.applicant_name.clone(),
        applicant_iin: rec.applicant_iin.clone(),
        applicant_phone: rec.applicant_phone.clone(),
        subject_name: rec.child_name.clone(),
        subject_iin: rec.child_iin.clone(),
        subject_birth_date: rec.child_birth_date,
        documents: rec.documents.iter().filter(|d| d.presented).map(|d| text(&d.name)).collect(),
        expected_result_date: None,
        accepted_by: rec.registered_by.clone(),
        executor: None,
        executor_phone: None,
        audit_chain_head: Some(short(chain_head).to_owned()),
        copy_number,
        verification: None,
    }
}

/// Makes the receipt's PDF, files it under the data directory and records
/// its hash. The same record always gives the same bytes.
pub fn issue(state: &AppState, actor: &Actor, application_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (rec, office, head, copy) = state.with_registry(|reg| {
        let rec = reg.application(actor, application_id, now)?;
        let copy = reg.next_copy_number(application_id, KIND)?;
        Ok((rec, reg.office()?, reg.audit_head()?, copy))
    })?;
    // Refused at intake means no acceptance receipt: that package was not accepted.
    if rec.status == Status::RefusedAtIntake {
        return Err(Error::InvalidState);
    }
    let bytes = state
        .typesetter()?
        .acceptance_receipt(&receipt_of(&rec, &office, &head, copy))
        .map_err(|e| Error::Document(e.to_string()))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let name = if copy == 1 { KIND.to_owned() } else { format!("{KIND}-copy{copy}") };
    let path: PathBuf = paths::document_file(state.data_dir()?, rec.registered_at.year(), &rec.number, &name);
    paths::write_atomically(&path, &bytes)?;
    let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let copy = state.with_registry(|reg| reg.record_issued_document(actor, rec.id, KIND, copy, &sha256, &file_name, now))?;
    Ok(Printed { path: path.display().to_string(), copy, sha256, opened: false })
}

/// Hands the file to the system's PDF viewer (xdg-open, the Windows shell,
/// or macOS `open`, chosen by the opener plugin).
pub fn show(app: &tauri::AppHandle, mut printed: Printed) -> Printed {
    match app.opener().open_path(printed.path.clone(), None::<&str>) {
        Ok(()) => printed.opened = true,
        Err(e) => log::warn!("no PDF viewer opened the receipt: {e}"),
    }
    printed
}
