//! The notification of a child's place in the preschool queue, with the
//! number it has now (and its registration ticket): printed with the receipt
//! at registration, and as the queue's positive result.

use chrono::Datelike;
use kense_documents::QueueNotification;
use kense_domain::access::{Action, Actor, Role};
use kense_domain::audit::short;
use kense_domain::Error;

use super::{category_name, file_and_record, office_stamp, requisites, signer, text, Printed};
use crate::verification::{canonical_content, vouch, QUEUE_NOTIFICATION};
use crate::{clock, Workstation};

/// The notification of the child's place in the queue, with the number it
/// has now.
pub fn print(station: &Workstation, actor: &Actor, application_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (rec, entry, office, head, kindergartens, rules, copy, stamp) = station.with_registry(|reg| {
        let rec = reg.application(actor, application_id, now)?;
        let entry = reg.queue_entry(actor, application_id, now)?.ok_or(Error::NotFound)?;
        let copy = reg.next_copy_number(application_id, QUEUE_NOTIFICATION)?;
        let stamp = office_stamp(reg)?;
        Ok((
            rec,
            entry,
            reg.office()?,
            reg.audit_head()?,
            reg.kindergartens(actor, now)?,
            reg.queue_rules()?,
            copy,
            stamp,
        ))
    })?;
    // Only a waiting child has a number to state.
    let position = entry.position.ok_or(Error::InvalidState)?;
    let verification =
        vouch(station, &rec.number, QUEUE_NOTIFICATION, copy, &head, &canonical_content(&rec, QUEUE_NOTIFICATION))?;
    let qr_text = verification.qr_text.clone();
    let preferences = entry
        .preferences
        .iter()
        .filter_map(|id| kindergartens.iter().find(|k| k.id == *id))
        .map(|k| text(&k.name))
        .collect();
    let doc = QueueNotification {
        registration_number: rec.number.clone(),
        registered_at: rec.registered_at.naive_local(),
        office: requisites(&office),
        child_name: entry.child_name.clone(),
        child_iin: entry.child_iin.clone(),
        child_birth_date: rec.child_birth_date.ok_or(Error::InvalidState)?,
        birth_year: entry.birth_year,
        category: category_name(&rules, &entry.category),
        position,
        preferences,
        desired_start: None,
        applicant_name: rec.applicant_name.clone(),
        applicant_iin: rec.applicant_iin.clone(),
        applicant_phone: rec.applicant_phone.clone(),
        signer: signer(&actor.full_name, actor.has(Role::Head)),
        stamp,
        copy_number: copy,
        verification: Some(verification),
        audit_chain_head: Some(short(&head).to_owned()),
    };
    let bytes = station.typesetter()?.queue_notification(&doc).map_err(|e| Error::Document(e.to_string()))?;
    file_and_record(
        station,
        actor,
        Action::ViewQueue,
        (application_id, QUEUE_NOTIFICATION, copy),
        (rec.registered_at.year(), &rec.number),
        qr_text,
        bytes,
        QUEUE_NOTIFICATION,
    )
}
