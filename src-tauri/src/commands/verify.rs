//! The verify screen: is a paper presented at the counter one the office
//! issued, and does the record still say what it says.

use kense_workstation::verification::{self, Checked, Looked};
use kense_workstation::Workstation;
use serde::Deserialize;
use serde_json::Value;
use tauri::State;

use super::{decode, reply, Reply};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRequest {
    text: String,
}

/// A scanned QR text against the registry.
#[tauri::command(async)]
pub fn verify_document(station: State<'_, Workstation>, payload: Value) -> Reply<Checked> {
    let r = (|| {
        let actor = station.actor()?;
        let req: VerifyRequest = decode(payload)?;
        verification::check(&station, &actor, &req.text)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LookUpRequest {
    number: String,
    iin: String,
}

/// Without a QR code: a paper's number and an IIN on it.
#[tauri::command(async)]
pub fn look_up_document(station: State<'_, Workstation>, payload: Value) -> Reply<Looked> {
    let r = (|| {
        let actor = station.actor()?;
        let req: LookUpRequest = decode(payload)?;
        verification::look_up(&station, &actor, &req.number, &req.iin)
    })();
    reply(&station, r)
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![("verify_document", decoder::<VerifyRequest>), ("look_up_document", decoder::<LookUpRequest>)]
}
