//! The signed result of a service as paper: the certificate, decision or
//! notification the catalog names for the service (one generic layout,
//! [`ServiceResult`]), or the reasoned refusal with the controlled reason and
//! the executor's explanation. The preschool queue's positive result is its
//! queue notification (`queue_paper.rs`).
//!
//! Printed only once the head has signed: the paper states the signer, and a
//! draft would be indistinguishable from the real thing once it left the
//! office.

use chrono::Datelike;
use kense_documents::{ReasonedRefusal, ResultField, ServiceResult, StampImage};
use kense_domain::access::{Action, Actor};
use kense_domain::audit::short;
use kense_domain::catalog::ResultKind;
use kense_domain::queue::QUEUE_SERVICE;
use kense_domain::{Bilingual, Error};
use kense_storage::{ApplicationRecord, Registry};

use crate::queue_paper::signer;
use crate::receipt::{file_and_record, requisites, text, vouch, Printed};
use crate::state::AppState;
use crate::{clock, queue_paper};

pub const RESULT: &str = "result";

/// The office's uploaded stamp, drawn over the seal place when present.
pub fn office_stamp(reg: &Registry) -> Result<Option<StampImage>, Error> {
    Ok(reg.stamp()?.map(|png| StampImage { png }))
}

/// What a result's verification code vouches for: the record's facts and
/// the signed result itself.
pub fn result_content(rec: &ApplicationRecord) -> String {
    let result = rec.result.as_ref();
    serde_json::json!({
        "kind": RESULT,
        "number": rec.number,
        "service": rec.service_code,
        "applicant": [rec.applicant_iin, rec.applicant_name],
        "child": [rec.child_iin, rec.child_name, rec.child_birth_date],
        "result": result.map(|r| (r.version, &r.outcome, &r.reason_code, &r.explanation, &r.signed_by, &r.signed_at)),
    })
    .to_string()
}

fn title(kind: ResultKind) -> Bilingual {
    let (kk, ru) = match kind {
        ResultKind::Certificate => ("Анықтама", "Справка"),
        ResultKind::Decision => ("Шешім", "Решение"),
        ResultKind::Resolution => ("Қаулы", "Постановление"),
        ResultKind::Contract => ("Шарт", "Договор"),
        ResultKind::Conclusion => ("Қорытынды", "Заключение"),
        ResultKind::Permission => ("Рұқсат", "Разрешение"),
        ResultKind::Order => ("Бұйрық", "Приказ"),
        ResultKind::Referral => ("Жолдама", "Направление"),
        ResultKind::QueueNotification | ResultKind::Notification => ("Хабарлама", "Уведомление"),
        ResultKind::ReasonedRefusal => ("Дәлелді бас тарту", "Мотивированный отказ"),
    };
    Bilingual::new(kk, ru)
}

fn field(kk: &str, ru: &str, value: impl Into<String>) -> ResultField {
    ResultField { label: kense_documents::Bilingual { kk: kk.into(), ru: ru.into() }, value: value.into() }
}

/// Prints the signed result of an application and records the print.
pub fn print(state: &AppState, actor: &Actor, application_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (rec, office, head, stamp, catalog) = state.with_registry(|reg| {
        Ok((
            reg.application(actor, application_id, now)?,
            reg.office()?,
            reg.audit_head()?,
            office_stamp(reg)?,
            reg.catalog()?.1,
        ))
    })?;
    let result = rec.result.clone().ok_or(Error::InvalidState)?;
    let (Some(signed_by), Some(signed_at)) = (result.signed_by.clone(), result.signed_at.clone()) else {
        return Err(Error::InvalidState);
    };
    let positive = result.outcome == "positive";
    if positive && rec.service_code == QUEUE_SERVICE {
        return queue_paper::notification(state, actor, application_id);
    }
    let service = catalog.service(&rec.service_code).ok_or_else(|| Error::UnknownService(rec.service_code.clone()))?;
    let issued_at = chrono::DateTime::parse_from_rfc3339(&signed_at)
        .map_err(|e| Error::Storage(format!("signed_at: {e}")))?
        .naive_local();
    let copy = state.with_registry(|reg| reg.next_copy_number(application_id, RESULT))?;
    let verification = vouch(state, &rec.number, RESULT, copy, &head, &result_content(&rec))?;
    let qr_text = verification.qr_text.clone();
    let verification = Some(verification);
    let signer = signer(&signed_by, true);
    let typesetter = state.typesetter()?;
    let bytes = if positive {
        // Several result forms exist for a few services; the catalog's
        // first positive one is printed (the result does not yet say which).
        let spec = service.results.iter().find(|r| r.kind != ResultKind::ReasonedRefusal).ok_or(Error::InvalidState)?;
        let mut fields = Vec::new();
        if let Some(born) = rec.child_birth_date {
            fields.push(field("Баланың туған күні", "Дата рождения ребёнка", born.format("%d.%m.%Y").to_string()));
        }
        if let Some(rep) = &rec.representative {
            fields.push(field(
                "Өкіл (сенімхат бойынша)",
                "Представитель (по доверенности)",
                format!("{}, № {} {}", rep.name, rep.poa_number, rep.poa_date),
            ));
        }
        fields.push(field("Нәтижені дайындаған", "Результат подготовил", result.prepared_by.clone()));
        typesetter.service_result(&ServiceResult {
            number: rec.number.clone(),
            issued_at,
            office: requisites(&office),
            title: text(&title(spec.kind)),
            service_name: text(&rec.service_name),
            registration_number: rec.number.clone(),
            registered_on: rec.registered_at.date_naive(),
            applicant_name: rec.applicant_name.clone(),
            applicant_iin: rec.applicant_iin.clone(),
            subject_name: rec.child_name.clone(),
            subject_iin: rec.child_iin.clone(),
            fields,
            text: Some(text(&spec.name)),
            signer,
            stamp,
            copy_number: copy,
            verification,
            audit_chain_head: Some(short(&head).to_owned()),
        })
    } else {
        let code = result.reason_code.clone().unwrap_or_default();
        let rules = state.rules()?;
        let reason = rules
            .reasons
            .for_service(&rec.service_code)
            .into_iter()
            .find(|r| r.code == code)
            .map(|r| text(&r.name))
            .ok_or_else(|| Error::UnknownReason(code.clone()))?;
        let legal_basis = service.results.iter().find(|r| r.kind == ResultKind::ReasonedRefusal).map(|r| text(&r.name));
        typesetter.reasoned_refusal(&ReasonedRefusal {
            number: rec.number.clone(),
            issued_at,
            office: requisites(&office),
            service_name: text(&rec.service_name),
            registration_number: rec.number.clone(),
            registered_on: rec.registered_at.date_naive(),
            applicant_name: rec.applicant_name.clone(),
            applicant_iin: rec.applicant_iin.clone(),
            applicant_address: (!rec.applicant_address.is_empty()).then(|| rec.applicant_address.clone()),
            reason,
            legal_basis,
            explanation: result.explanation.clone(),
            signer,
            stamp,
            copy_number: copy,
            verification,
            audit_chain_head: Some(short(&head).to_owned()),
        })
    }
    .map_err(|e| Error::Document(e.to_string()))?;
    let year = rec.registered_at.year();
    file_and_record(
        state,
        actor,
        Action::PrintDocument,
        (rec.id, RESULT, copy),
        (year, &rec.number),
        qr_text,
        bytes,
        RESULT,
    )
}
