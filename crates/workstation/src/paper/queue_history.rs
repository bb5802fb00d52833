//! The history of a child's number in the queue, as a signed paper for the
//! parent who asks why it changed.

use chrono::Datelike;
use kense_domain::access::{Action, Actor, Role};
use kense_domain::audit::short;
use kense_domain::Error;

use super::{file_and_record, office_stamp, requisites, signer, text, Printed};
use crate::verification::{canonical_content, vouch, QUEUE_HISTORY};
use crate::{clock, Workstation};

/// The history of a child's number as a signed paper for the parent who asks
/// why it changed: every change with its date and cause, in the generic
/// layout of the office's results.
pub fn print(station: &Workstation, actor: &Actor, application_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (rec, entry, changes, office, head, stamp) = station.with_registry(|reg| {
        let rec = reg.application(actor, application_id, now)?;
        let entry = reg.queue_entry(actor, application_id, now)?.ok_or(Error::NotFound)?;
        let changes = reg.position_history(actor, application_id, now)?;
        Ok((rec, entry, changes, reg.office()?, reg.audit_head()?, office_stamp(reg)?))
    })?;
    let number = |n: Option<u32>| n.map_or_else(|| "—".to_owned(), |n| n.to_string());
    let mut fields: Vec<kense_documents::ResultField> = changes
        .iter()
        .map(|c| {
            let name = c.cause.name();
            let whose = match (&c.subject_number, c.own, c.distribution_id) {
                (_, true, _) => String::new(),
                (_, false, Some(d)) => format!(" (тарату / распределение № {d})"),
                (Some(n), false, None) => format!(" (өтініш / заявление № {n})"),
                (None, false, None) => String::new(),
            };
            kense_documents::ResultField {
                label: kense_documents::Bilingual {
                    kk: c.at.get(..10).unwrap_or(&c.at).to_owned(),
                    ru: c.at.get(..10).unwrap_or(&c.at).to_owned(),
                },
                value: format!("{} → {}: {} / {}{whose}", number(c.from), number(c.to), name.kk, name.ru),
            }
        })
        .collect();
    fields.insert(
        0,
        kense_documents::ResultField {
            label: kense_documents::Bilingual {
                kk: "Қазіргі нөмірі".into(), ru: "Текущий номер".into()
            },
            value: format!("{} ({} ж. / г.)", number(entry.position), entry.birth_year),
        },
    );
    let copy = station.with_registry(|reg| reg.next_copy_number(application_id, QUEUE_HISTORY))?;
    let verification =
        vouch(station, &rec.number, QUEUE_HISTORY, copy, &head, &canonical_content(&rec, QUEUE_HISTORY))?;
    let qr_text = verification.qr_text.clone();
    let doc = kense_documents::ServiceResult {
        number: rec.number.clone(),
        issued_at: now.naive_local(),
        office: requisites(&office),
        title: kense_documents::Bilingual {
            kk: "Кезек нөмірінің өзгеру тарихы".into(),
            ru: "История изменения номера в очереди".into(),
        },
        service_name: text(&rec.service_name),
        registration_number: rec.number.clone(),
        registered_on: rec.registered_at.date_naive(),
        applicant_name: rec.applicant_name.clone(),
        applicant_iin: rec.applicant_iin.clone(),
        subject_name: Some(entry.child_name.clone()),
        subject_iin: Some(entry.child_iin.clone()),
        fields,
        text: None,
        signer: signer(&actor.full_name, actor.has(Role::Head)),
        stamp,
        copy_number: copy,
        verification: Some(verification),
        audit_chain_head: Some(short(&head).to_owned()),
    };
    let bytes = station.typesetter()?.service_result(&doc).map_err(|e| Error::Document(e.to_string()))?;
    file_and_record(
        station,
        actor,
        Action::ViewQueue,
        (application_id, QUEUE_HISTORY, copy),
        (rec.registered_at.year(), &rec.number),
        qr_text,
        bytes,
        QUEUE_HISTORY,
    )
}
