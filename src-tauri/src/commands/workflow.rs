//! The regulated steps: taking one, the refusal grounds a service offers,
//! the executors the head may name.

use kense_domain::reasons::Reason;
use kense_domain::workflow::{Command, Status};
use kense_storage::{StepTaken, UserSummary};
use kense_workstation::{workflow, Workstation};
use serde::Deserialize;
use serde_json::Value;
use tauri::State;

use super::{decode, reply, Reply};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepRequest {
    id: i64,
    /// The status the person saw; a moved application is refused as stale.
    expected_status: Status,
    command: Command,
}

#[tauri::command(async)]
pub fn take_step(station: State<'_, Workstation>, payload: Value) -> Reply<StepTaken> {
    let r = (|| {
        let actor = station.actor()?;
        let req: StepRequest = decode(payload)?;
        workflow::take_step(&station, &actor, req.id, req.expected_status, req.command)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceRequest {
    service_code: String,
}

#[tauri::command(async)]
pub fn refusal_reasons(station: State<'_, Workstation>, payload: Value) -> Reply<Vec<Reason>> {
    let r = (|| {
        let actor = station.actor()?;
        let req: ServiceRequest = decode(payload)?;
        workflow::refusal_reasons(&station, &actor, &req.service_code)
    })();
    reply(&station, r)
}

#[tauri::command(async)]
pub fn executors(station: State<'_, Workstation>) -> Reply<Vec<UserSummary>> {
    reply(&station, station.actor().and_then(|actor| workflow::executors(&station, &actor)))
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![("take_step", decoder::<StepRequest>), ("refusal_reasons", decoder::<ServiceRequest>)]
}
