//! The office server at this desk: joining it from the first-run screen
//! (the certificate picked in a dialog opened from Rust), and whether it
//! answers, for the banner every desk shows while it does not.

use kense_workstation::server::{self, CertificateFile, JoinForm, Joined, Status};
use kense_workstation::Workstation;
use serde_json::Value;
use tauri::{AppHandle, State};

use super::{decode, reply, Reply};
use crate::dialogs;

/// Whether the office server answers; a registry that could not be opened
/// while it was away is opened now. Polled by the window every few seconds
/// while the banner shows, with or without anyone logged in.
#[tauri::command(async)]
pub fn server_status(station: State<'_, Workstation>) -> Reply<Status> {
    reply(&station, server::status(&station))
}

/// First run (or a desk whose server settings no longer work): joins the
/// office server. Refused once this desk works on a registry with accounts.
#[tauri::command(async)]
pub fn join_server(station: State<'_, Workstation>, payload: Value) -> Reply<Joined> {
    let r = decode::<JoinForm>(payload).and_then(|form| server::join(&station, &form));
    reply(&station, r)
}

/// The server's certificate, picked in a file dialog: its name and PEM
/// text (public); `null` when cancelled.
#[tauri::command(async)]
pub fn choose_server_certificate(app: AppHandle, station: State<'_, Workstation>) -> Reply<Option<CertificateFile>> {
    let r = server::read_certificate(|| dialogs::pick_certificate(&app, station.lang()));
    reply(&station, r)
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![("join_server", decoder::<JoinForm>)]
}
