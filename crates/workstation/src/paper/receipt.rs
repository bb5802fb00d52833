//! The receipt of an intake: an acceptance receipt, or — for a package
//! refused at intake — the receipt of refusal to accept documents listing
//! what is missing.

use chrono::Datelike;
use kense_documents::{AcceptanceReceipt, RefusalReceipt};
use kense_domain::access::{Action, Actor};
use kense_domain::application::Status;
use kense_domain::audit::short;
use kense_domain::Error;
use kense_storage::{ApplicationRecord, Office};

use super::{file_and_record, requisites, text, Printed};
use crate::verification::{canonical_content, vouch, ACCEPTANCE, REFUSAL};
use crate::{clock, Workstation};

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

/// Makes the intake receipt's PDF, files it under the data directory and
/// records its hash. The same record and copy number always give the same
/// bytes; a reprint carries its copy number.
pub fn issue(station: &Workstation, actor: &Actor, application_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (rec, office, head) = station.with_registry(|reg| {
        let rec = reg.application(actor, application_id, now)?;
        Ok((rec, reg.office()?, reg.audit_head()?))
    })?;
    let kind = if rec.status == Status::RefusedAtIntake { REFUSAL } else { ACCEPTANCE };
    let copy = station.with_registry(|reg| reg.next_copy_number(application_id, kind))?;
    let typesetter = station.typesetter()?;
    let verification = vouch(station, &rec.number, kind, copy, &head, &canonical_content(&rec, kind))?;
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
        station,
        actor,
        Action::PrintDocument,
        (rec.id, kind, copy),
        (year, &rec.number),
        qr_text,
        bytes,
        kind,
    )
}
