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
use kense_storage::{KnownPerson, Registered, Route};
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
        let (version, _) = reg.catalog()?;
        let catalog = reg.installed_catalog(version)?;
        let mut application = NewApplication::validate(draft, &catalog, now.date_naive())?;
        application.queue =
            QueueClaim::for_application(&application, draft.queue.as_ref(), &catalog.queue_rules()?, now.date_naive())?;
        let route = Route::of_new(catalog, &application);
        let due = station.due_on_entering(reg, &route, application.intake(), now)?;
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
            variant: String::new(),
        };
        // Checked against the catalog version it was registered under: its
        // checklist (kept unchanged) names that version's documents.
        let catalog = reg.installed_catalog(rec.catalog_version)?;
        // Its path stays too; one registered before paths were chosen went
        // (and its terms were counted) on the channel's first.
        let first = || {
            let service = catalog.service(&rec.service_code)?;
            service.office_paths(draft.channel?).find_map(|p| p.variant.clone())
        };
        let draft = ApplicationDraft { variant: rec.path_variant.clone().or_else(first).unwrap_or_default(), ..draft };
        let app = NewApplication::validate(&draft, &catalog, now.date_naive())?;
        reg.correct_application(actor, id, expected_status, &app, reason, now)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Service 15: the clerk says whose student the recipient is, and the
    /// terms follow that path (the executor's 1 or 4 working days); without
    /// a choice nothing is registered.
    #[test]
    fn service_fifteen_is_due_on_the_path_the_clerk_chose() {
        let dir = std::env::temp_dir().join(format!("kense-variant-{}", std::process::id()));
        let (station, staff, _) = crate::testing::assigned(&dir, "Басшы Ержан");
        let documents: Vec<String> = station
            .with_registry(|r| Ok(r.catalog()?.1))
            .unwrap()
            .service("health_insurance_update")
            .unwrap()
            .documents_for(Channel::Office)
            .map(|d| d.code.clone())
            .collect();
        let draft = |variant: &str| ApplicationDraft {
            service_code: "health_insurance_update".into(),
            channel: Some(Channel::Office),
            applicant_iin: "900101300007".into(),
            applicant_name: "Білім Алушы".into(),
            applicant_phone: "+7 701 000 11 22".into(),
            documents: documents.clone(),
            consent: true,
            variant: variant.into(),
            duplicate_reason: format!("жол {variant}"),
            ..Default::default()
        };
        assert_eq!(
            register_only(&station, &staff.clerk, &draft("")).unwrap_err(),
            Error::Required(kense_domain::Field::Variant)
        );
        let due = |variant: &str| {
            let id = register_only(&station, &staff.clerk, &draft(variant)).unwrap().id;
            let rec = station.with_registry(|r| r.application(&staff.clerk, id, clock::now())).unwrap();
            assert_eq!(rec.path_variant.as_deref(), Some(variant));
            assert!(rec.variant.is_some_and(|n| n.ru.contains("организации образования")));
            chrono::DateTime::parse_from_rfc3339(&rec.due_at.unwrap()).unwrap()
        };
        let own = due("own_student");
        let other = due("other_organisation");
        // Three working days more, so at least three calendar days.
        assert!(other - own >= chrono::Duration::days(3), "{own} → {other}");
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }
}
