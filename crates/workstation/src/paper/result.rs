//! The signed result of a service as paper: the certificate, decision or
//! notification the catalog names for the service (one generic layout,
//! [`ServiceResult`]), or the reasoned refusal with the controlled reason and
//! the executor's explanation. The preschool queue's positive result is its
//! queue notification (`queue_notification.rs`).
//!
//! Printed only once the head has signed: the paper states the signer, and a
//! draft would be indistinguishable from the real thing once it left the
//! office. Before that, [`preview`] shows the same pages on screen, marked
//! as a draft and without stamp, signer's name or verification code.

use base64::Engine as _;
use chrono::{Datelike, NaiveDateTime};
use kense_documents::{IssuedTogether, ReasonedRefusal, ResultField, ServiceResult, Signer, StampImage, Verification};
use kense_domain::access::{Action, Actor};
use kense_domain::audit::short;
use kense_domain::catalog::{ResultKind, Service};
use kense_domain::queue::QUEUE_SERVICE;
use kense_domain::result_fields::display;
use kense_domain::workflow::{Outcome, Step};
use kense_domain::{Bilingual, Error};
use kense_storage::{ApplicationRecord, Office, ResultRecord};
use serde::Serialize;

use super::{file_and_record, office_stamp, queue_notification, requisites, signer, text, Printed};
use crate::verification::{result_content, vouch, RESULT};
use crate::{clock, workflow, Workstation};

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

/// What differs between a signed result's paper and its draft.
struct Issue {
    issued_at: NaiveDateTime,
    signer: Signer,
    stamp: Option<StampImage>,
    copy: u32,
    verification: Option<Verification>,
    chain_head: Option<String>,
}

/// A result as paper, before it is typeset.
enum Paper {
    Positive(ServiceResult),
    Refusal(ReasonedRefusal),
}

/// The paper of `result` for the application `rec`.
fn paper(
    station: &Workstation,
    rec: &ApplicationRecord,
    result: &ResultRecord,
    office: &Office,
    service: &Service,
    issue: Issue,
) -> Result<Paper, Error> {
    if result.outcome == "positive" {
        // The form the executor chose, as the application's catalog version has it.
        let spec = *service.workflow_results().get(result.form).ok_or(Error::UnknownResultForm)?;
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
        // The facts the form states, in the order the catalog declares them;
        // those of a document issued together with it on that one's page.
        let stated = |keys: &dyn Fn(&str) -> bool| -> Vec<ResultField> {
            spec.fields
                .iter()
                .filter(|f| keys(&f.key))
                .filter_map(|f| result.fields.get(&f.key).map(|v| field(&f.label.kk, &f.label.ru, display(f.kind, v))))
                .collect()
        };
        let in_a_part = |key: &str| spec.together.iter().any(|p| p.fields.iter().any(|k| k == key));
        fields.extend(stated(&|key| !in_a_part(key)));
        let together = spec
            .together
            .iter()
            .map(|part| IssuedTogether {
                title: text(&title(part.kind)),
                text: Some(text(&part.name)),
                fields: stated(&|key| part.fields.iter().any(|k| k == key)),
            })
            .collect();
        // The akimat's act that adopted it (service 2), once recorded.
        if let Some(act) = &result.akimat_act {
            fields.push(field(
                "Әкімдіктің қаулысы",
                "Постановление акимата",
                format!("№ {}, {}", act.number, display(kense_domain::result_fields::ValueKind::Date, &act.date)),
            ));
        }
        fields.push(field("Нәтижені дайындаған", "Результат подготовил", result.prepared_by.clone()));
        return Ok(Paper::Positive(ServiceResult {
            number: rec.number.clone(),
            issued_at: issue.issued_at,
            office: requisites(office),
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
            signer: issue.signer,
            stamp: issue.stamp,
            copy_number: issue.copy,
            verification: issue.verification,
            audit_chain_head: issue.chain_head,
            together,
        }));
    }
    // The ground as worded when the decision was made; a refusal prepared
    // before the wording was kept is worded from today's list.
    let reason = match &result.reason {
        Some(wording) => text(wording),
        None => {
            let code = result.reason_code.clone().unwrap_or_default();
            station
                .with_registry(|reg| reg.refusal_grounds(&rec.service_code))?
                .into_iter()
                .find(|r| r.code == code)
                .map(|r| text(&r.name))
                .ok_or_else(|| Error::UnknownReason(code.clone()))?
        }
    };
    let legal_basis = service.results.iter().find(|r| r.kind == ResultKind::ReasonedRefusal).map(|r| text(&r.name));
    Ok(Paper::Refusal(ReasonedRefusal {
        number: rec.number.clone(),
        issued_at: issue.issued_at,
        office: requisites(office),
        service_name: text(&rec.service_name),
        registration_number: rec.number.clone(),
        registered_on: rec.registered_at.date_naive(),
        applicant_name: rec.applicant_name.clone(),
        applicant_iin: rec.applicant_iin.clone(),
        applicant_address: (!rec.applicant_address.is_empty()).then(|| rec.applicant_address.clone()),
        reason,
        legal_basis,
        explanation: result.explanation.clone(),
        signer: issue.signer,
        stamp: issue.stamp,
        copy_number: issue.copy,
        verification: issue.verification,
        audit_chain_head: issue.chain_head,
    }))
}

/// Prints the signed result of an application and records the print.
pub fn print(station: &Workstation, actor: &Actor, application_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let rec = station.with_registry(|reg| reg.application(actor, application_id, now))?;
    let result = rec.result.clone().ok_or(Error::InvalidState)?;
    if result.signed_by.is_none() {
        return Err(Error::InvalidState);
    }
    if result.outcome == "positive" && rec.service_code == QUEUE_SERVICE {
        return queue_notification::print(station, actor, application_id);
    }
    let paper = typeset(station, application_id, rec)?;
    file_and_record(
        station,
        actor,
        Action::PrintDocument,
        (application_id, RESULT, paper.copy),
        (paper.year, &paper.number),
        paper.qr_text,
        paper.bytes,
        RESULT,
    )
}

/// A signed result's paper, typeset as the next copy, not yet filed.
pub(crate) struct SignedPaper {
    pub bytes: Vec<u8>,
    pub qr_text: String,
    pub copy: u32,
    pub year: i32,
    pub number: String,
}

/// The paper of `rec`, whose latest result carries its signer and moment.
fn typeset(station: &Workstation, application_id: i64, rec: ApplicationRecord) -> Result<SignedPaper, Error> {
    let result = rec.result.clone().ok_or(Error::InvalidState)?;
    let (Some(signed_by), Some(signed_at)) = (result.signed_by.clone(), result.signed_at.clone()) else {
        return Err(Error::InvalidState);
    };
    let (office, head, stamp, service, copy) = station.with_registry(|reg| {
        Ok((
            reg.office()?,
            reg.audit_head()?,
            office_stamp(reg)?,
            reg.service_spec(application_id)?,
            reg.next_copy_number(application_id, RESULT)?,
        ))
    })?;
    let issued_at = chrono::DateTime::parse_from_rfc3339(&signed_at)
        .map_err(|e| Error::Storage(format!("signed_at: {e}")))?
        .naive_local();
    let verification = vouch(station, &rec.number, RESULT, copy, &head, &result_content(&rec))?;
    let qr_text = verification.qr_text.clone();
    let issue = Issue {
        issued_at,
        signer: signer(&signed_by, true),
        stamp,
        copy,
        verification: Some(verification),
        chain_head: Some(short(&head).to_owned()),
    };
    let typesetter = station.typesetter()?;
    let bytes = match paper(station, &rec, &result, &office, &service, issue)? {
        Paper::Positive(r) => typesetter.service_result(&r),
        Paper::Refusal(r) => typesetter.reasoned_refusal(&r),
    }
    .map_err(|e| Error::Document(e.to_string()))?;
    Ok(SignedPaper { bytes, qr_text, copy, year: rec.registered_at.year(), number: rec.number.clone() })
}

/// The paper the head's certificate is about to sign: the prepared result
/// as it will read once `actor` has signed it at `signed_at` (the moment
/// the registry will record with the step), as its next copy. The queue's
/// positive result is its notification, printed at registration: that one
/// is signed with the Sign button.
pub(crate) fn as_signed(
    station: &Workstation,
    actor: &Actor,
    application_id: i64,
    signed_at: &str,
) -> Result<SignedPaper, Error> {
    let mut rec = station.with_registry(|reg| reg.application(actor, application_id, clock::now()))?;
    let result = rec.result.as_mut().ok_or(Error::InvalidState)?;
    if result.signed_by.is_some() {
        return Err(Error::InvalidState);
    }
    if result.outcome == "positive" && rec.service_code == QUEUE_SERVICE {
        return Err(Error::Signature {
            kk: "Кезекке қоюдың оң нәтижесі — тіркеу кезінде басылған хабарлама. Оған «Қол қою» батырмасымен қол қойыңыз.".into(),
            ru: "Положительный результат постановки в очередь — уведомление, напечатанное при регистрации. Подпишите его кнопкой «Подписать».".into(),
        });
    }
    result.signed_by = Some(actor.full_name.clone());
    result.signed_at = Some(signed_at.to_owned());
    typeset(station, application_id, rec)
}

/// A result before it is signed, as it will print.
#[derive(Debug, Serialize)]
pub struct ResultPreview {
    /// One SVG per page as a `data:` URL (the window's CSP allows images
    /// from `data:` and nothing remote), marked as a draft across every page.
    pub pages: Vec<String>,
    /// The positive result of the preschool queue is its queue
    /// notification, printed at registration: there is nothing else to show.
    pub queue_notification: bool,
}

/// The pages of a result that is not signed yet, for the screen: the
/// stored result waiting for the head's signature, or — for the executor
/// still preparing it — the `proposed` outcome, never stored. The pages are
/// the printed layout with "draft" across them and no stamp, signer's name
/// or verification code, so a screenshot or print of one cannot pass for
/// the result. Nothing is filed or recorded as issued. A proposed outcome
/// is checked first against the application's service, like the step that
/// would send it.
pub fn preview(
    station: &Workstation,
    actor: &Actor,
    application_id: i64,
    proposed: Option<Outcome>,
) -> Result<ResultPreview, Error> {
    let proposed = proposed.map(|outcome| workflow::validated_outcome(station, application_id, outcome)).transpose()?;
    let now = clock::now();
    let (rec, office, service) = station.with_registry(|reg| {
        let rec = reg.application(actor, application_id, now)?;
        if proposed.is_some() {
            reg.may_take_step(actor, application_id, Step::PrepareResult)?;
        }
        Ok((rec, reg.office()?, reg.service_spec(application_id)?))
    })?;
    let result = match proposed {
        Some(outcome) => {
            let (kind, form, reason_code, explanation, fields) = match outcome {
                Outcome::Positive { form, fields } => ("positive", form, None, String::new(), fields),
                Outcome::Refusal { reason_code, explanation } => {
                    ("refusal", 0, Some(reason_code), explanation, Default::default())
                }
            };
            ResultRecord {
                version: 0,
                outcome: kind.to_owned(),
                form,
                reason_code,
                reason: None,
                explanation,
                prepared_by: actor.full_name.clone(),
                prepared_at: now.to_rfc3339(),
                signed_by: None,
                signed_at: None,
                certificate: None,
                fields,
                akimat_act: None,
            }
        }
        None => match rec.result.clone() {
            Some(r) if r.signed_by.is_none() => r,
            _ => return Err(Error::InvalidState),
        },
    };
    if result.outcome == "positive" && rec.service_code == QUEUE_SERVICE {
        return Ok(ResultPreview { pages: Vec::new(), queue_notification: true });
    }
    let issue = Issue {
        issued_at: now.naive_local(),
        signer: signer("", true),
        stamp: None,
        copy: 1,
        verification: None,
        chain_head: None,
    };
    let typesetter = station.typesetter()?;
    let pages = match paper(station, &rec, &result, &office, &service, issue)? {
        Paper::Positive(r) => typesetter.service_result_draft(&r),
        Paper::Refusal(r) => typesetter.reasoned_refusal_draft(&r),
    }
    .map_err(|e| Error::Document(e.to_string()))?;
    let pages = pages
        .iter()
        .map(|svg| format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(svg)))
        .collect();
    Ok(ResultPreview { pages, queue_notification: false })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kense_domain::workflow::{Command, Status};
    use kense_storage::Due;

    /// The signed certificate states the form the executor chose, and its
    /// draft showed the same before signing.
    #[test]
    fn the_chosen_result_form_is_what_prints() {
        let dir = std::env::temp_dir().join(format!("kense-results-{}", std::process::id()));
        let (station, staff, id) = crate::testing::assigned(&dir, "Басшы Ержан");
        let (clerk, head, executor) = (staff.clerk, staff.head, staff.executor);
        let now = clock::now();
        // Without the property it is about, the certificate is refused.
        let bare = preview(&station, &executor, id, Some(Outcome::positive(2))).unwrap_err();
        assert!(matches!(bare, Error::ResultFieldMissing { .. }), "{bare:?}");
        let third = Outcome::Positive {
            form: 2,
            fields: [("property".to_owned(), "Пәтер, Шиелі к., Әйтеке би к-сі, 5".to_owned())].into(),
        };
        let draft = preview(&station, &executor, id, Some(third.clone())).unwrap();
        assert_eq!(draft.pages.len(), 1);
        station
            .with_registry(|r| {
                let prepare = Command::PrepareResult { outcome: third };
                r.take_step(&executor, id, Status::WithExecutor, &prepare, Due::default(), now)?;
                r.take_step(&head, id, Status::ResultPrepared, &Command::Sign, Due::default(), now)
            })
            .unwrap();
        let printed = print(&station, &clerk, id).unwrap();
        let checked = crate::verification::check(&station, &clerk, &printed.verification).unwrap();
        assert_eq!(checked.standing, kense_domain::verification::Standing::Valid, "the signed result verifies");
        let text = std::process::Command::new("pdftotext")
            .args(["-layout", &printed.path, "-"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap();
        assert!(text.contains("Меншік құқығы бар"), "the third certificate's title is not printed: {text}");
        assert!(!text.contains("мұрагерлік құқығы бойынша"), "the first certificate's title is printed");
        assert!(text.contains("Мүлік") && text.contains("Әйтеке би к-сі, 5"), "the property is not stated: {text}");
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }
}
