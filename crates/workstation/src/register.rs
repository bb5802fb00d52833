//! The clerk's counter: the services offered, registering an application
//! (with its queue claim and due moments), filling the form from a known
//! applicant, and correcting person data as a new version with a reason.

use kense_domain::access::Actor;
use kense_domain::application::{ApplicationDraft, Channel, NewApplication};
use kense_domain::catalog::Service;
use kense_domain::iin::Iin;
use kense_domain::queue::QueueClaim;
use kense_domain::workflow::Status;
use kense_domain::Error;
use kense_storage::{KnownPerson, Registered};
use serde::{Deserialize, Serialize};

use crate::paper::owed::{self, Filed};
use crate::{clock, Workstation};

/// The services of the catalog in force, for a logged-in person.
pub fn services(station: &Workstation, _logged_in: &Actor) -> Result<Vec<Service>, Error> {
    station.with_registry(|reg| Ok(reg.catalog()?.1.services))
}

/// A registration and the papers it owes, as filed before the answer.
#[derive(Debug, Serialize)]
pub struct Registration {
    #[serde(flatten)]
    pub registered: Registered,
    #[serde(flatten)]
    pub filed: Filed,
}

/// Registers an application — validated against the catalog in force, its
/// queue claim against the queue's rules, its due moments on the calendar —
/// and files the papers it owes the applicant before answering (see
/// `paper::owed`).
pub fn register(station: &Workstation, actor: &Actor, draft: &ApplicationDraft) -> Result<Registration, Error> {
    let registered = register_only(station, actor, draft)?;
    let filed = owed::file(station, actor, registered.id, &registered.owed);
    Ok(Registration { registered, filed })
}

fn register_only(station: &Workstation, actor: &Actor, draft: &ApplicationDraft) -> Result<Registered, Error> {
    let now = clock::now();
    station.with_registry(|reg| {
        let (_, catalog) = reg.catalog()?;
        let mut application = NewApplication::validate(draft, &catalog, now.date_naive())?;
        application.queue =
            QueueClaim::for_application(&application, draft.queue.as_ref(), reg.queue_rules(), now.date_naive())?;
        let due = station.due_on_entering(
            reg,
            &catalog,
            &application.service_code,
            application.channel,
            application.intake(),
            now,
        )?;
        reg.register_application(actor, &application, due, now)
    })
}

/// The clerk's form fills itself from the applicant's latest application.
pub fn person_by_iin(station: &Workstation, actor: &Actor, iin: &Iin) -> Result<Option<KnownPerson>, Error> {
    station.with_registry(|reg| reg.person_by_iin(actor, iin, clock::now()))
}

/// Person data a clerk may correct; the rest of the application stays as
/// registered.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Corrections {
    applicant_iin: String,
    applicant_name: String,
    applicant_phone: String,
    #[serde(default)]
    applicant_address: String,
    #[serde(default)]
    child_iin: String,
    #[serde(default)]
    child_name: String,
    #[serde(default)]
    child_birth_date: String,
    #[serde(default)]
    representative_iin: String,
    #[serde(default)]
    representative_name: String,
    #[serde(default)]
    poa_number: String,
    #[serde(default)]
    poa_date: String,
    #[serde(default)]
    notes: String,
}

/// Corrects an application's person data, validated like a registration
/// with the documents and service as registered; the earlier wording is
/// kept as a version with `reason`.
pub fn correct(
    station: &Workstation,
    actor: &Actor,
    id: i64,
    expected_status: Status,
    reason: &str,
    c: Corrections,
) -> Result<i64, Error> {
    let now = clock::now();
    station.with_registry(|reg| {
        let rec = reg.application(actor, id, now)?;
        let draft = ApplicationDraft {
            service_code: rec.service_code.clone(),
            channel: Channel::parse(&rec.channel),
            applicant_iin: c.applicant_iin,
            applicant_name: c.applicant_name,
            applicant_phone: c.applicant_phone,
            applicant_address: c.applicant_address,
            child_iin: c.child_iin,
            child_name: c.child_name,
            child_birth_date: c.child_birth_date,
            representative_iin: c.representative_iin,
            representative_name: c.representative_name,
            poa_number: c.poa_number,
            poa_date: c.poa_date,
            documents: rec
                .documents
                .iter()
                .filter(|d| d.presented && !d.code.starts_with("extra-"))
                .map(|d| d.code.clone())
                .collect(),
            found_in_is: rec.documents.iter().filter(|d| d.found_in_is).map(|d| d.code.clone()).collect(),
            conditions_apply: rec.documents.iter().filter(|d| d.condition_applies).map(|d| d.code.clone()).collect(),
            expired: rec.documents.iter().filter(|d| d.expired).map(|d| d.code.clone()).collect(),
            extra_documents: rec
                .documents
                .iter()
                .filter(|d| d.code.starts_with("extra-"))
                .map(|d| d.name.kk.clone())
                .collect(),
            consent: true,
            notes: c.notes,
            duplicate_reason: String::new(),
            queue: None,
            request_id: String::new(),
        };
        // Checked against the catalog version it was registered under: its
        // checklist (kept unchanged) names that version's documents.
        let catalog = reg.installed_catalog(rec.catalog_version)?;
        let app = NewApplication::validate(&draft, &catalog, now.date_naive())?;
        reg.correct_application(actor, id, expected_status, &app, reason, now)
    })
}
