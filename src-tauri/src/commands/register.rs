//! The clerk's counter: the services, registering, the known applicant,
//! corrections of person data.

use kense_domain::application::ApplicationDraft;
use kense_domain::catalog::Service;
use kense_domain::iin::Iin;
use kense_domain::workflow::Status;
use kense_domain::Field;
use kense_storage::KnownPerson;
use kense_workstation::register::{self, Corrections, Registration};
use kense_workstation::Workstation;
use serde::Deserialize;
use serde_json::Value;
use tauri::State;

use super::{decode, reply, Reply};

#[tauri::command(async)]
pub fn services(station: State<'_, Workstation>) -> Reply<Vec<Service>> {
    reply(&station, station.actor().and_then(|actor| register::services(&station, &actor)))
}

#[tauri::command(async)]
pub fn register_application(station: State<'_, Workstation>, payload: Value) -> Reply<Registration> {
    let r = (|| {
        let actor = station.actor()?;
        let draft: ApplicationDraft = decode(payload)?;
        register::register(&station, &actor, &draft)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonRequest {
    iin: String,
}

/// The clerk's form fills itself from the applicant's latest application.
#[tauri::command(async)]
pub fn person_by_iin(station: State<'_, Workstation>, payload: Value) -> Reply<Option<KnownPerson>> {
    let r = (|| {
        let actor = station.actor()?;
        let req: PersonRequest = decode(payload)?;
        let iin = Iin::parse(Field::ApplicantIin, &req.iin)?;
        register::person_by_iin(&station, &actor, &iin)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorrectionRequest {
    id: i64,
    expected_status: Status,
    reason: String,
    corrections: Corrections,
}

#[tauri::command(async)]
pub fn correct_application(station: State<'_, Workstation>, payload: Value) -> Reply<i64> {
    let r = (|| {
        let actor = station.actor()?;
        let req: CorrectionRequest = decode(payload)?;
        register::correct(&station, &actor, req.id, req.expected_status, &req.reason, req.corrections)
    })();
    reply(&station, r)
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![
        ("register_application", decoder::<ApplicationDraft>),
        ("person_by_iin", decoder::<PersonRequest>),
        ("correct_application", decoder::<CorrectionRequest>),
    ]
}
