//! Finding applications: the search and worklists, one application's
//! record, the dashboard's figures.

use kense_storage::{ApplicationQuery, ApplicationRecord, ApplicationSummary, Dashboard};
use kense_workstation::{search, Workstation};
use serde_json::Value;
use tauri::State;

use super::{decode, reply, ApplicationRequest, Reply};

/// Search and the journal: by number, IIN, name, status, service,
/// executor, dates, overdue; with `worklist`, what waits for this person.
#[tauri::command(async)]
pub fn search_applications(station: State<'_, Workstation>, payload: Value) -> Reply<Vec<ApplicationSummary>> {
    let r = (|| {
        let actor = station.actor()?;
        let query: ApplicationQuery = decode(payload)?;
        search::applications(&station, &actor, query)
    })();
    reply(&station, r)
}

#[tauri::command(async)]
pub fn application_detail(station: State<'_, Workstation>, payload: Value) -> Reply<ApplicationRecord> {
    let r = (|| {
        let actor = station.actor()?;
        let req: ApplicationRequest = decode(payload)?;
        search::application(&station, &actor, req.id)
    })();
    reply(&station, r)
}

/// The head's and executors' figures of the office.
#[tauri::command(async)]
pub fn dashboard(station: State<'_, Workstation>) -> Reply<Dashboard> {
    reply(&station, station.actor().and_then(|actor| search::dashboard(&station, &actor)))
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![("search_applications", decoder::<ApplicationQuery>), ("application_detail", decoder::<ApplicationRequest>)]
}
