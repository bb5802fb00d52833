//! Backups from the administrator's desk, and the recovery screen's restore
//! when nobody can log in. Folders and files are picked in dialogs opened
//! from Rust (`dialogs.rs`); the window never names a path.

use kense_storage::backup::CopyRecord;
use kense_storage::{BackupFile, BackupRecord, Initiator, Progress, RestoreRecord};
use kense_workstation::{backup, Workstation};
use serde::Deserialize;
use serde_json::Value;
use tauri::{AppHandle, State};

use super::{decode, reply, Reply};
use crate::dialogs;

/// The verified backups in the data folder, newest first.
#[tauri::command(async)]
pub fn backups(station: State<'_, Workstation>) -> Reply<Vec<BackupFile>> {
    reply(&station, station.actor().and_then(|actor| backup::list(&station, &actor)))
}

#[tauri::command(async)]
pub fn back_up_now(station: State<'_, Workstation>) -> Reply<BackupRecord> {
    reply(&station, station.actor().and_then(|actor| backup::back_up(&station, Initiator::Person(&actor), false)))
}

/// Copies the newest backup to a folder the administrator picks; `null`
/// when they cancel.
#[tauri::command(async)]
pub fn copy_latest_backup(app: AppHandle, station: State<'_, Workstation>) -> Reply<Option<CopyRecord>> {
    let r = station
        .actor()
        .and_then(|actor| backup::copy_latest(&station, &actor, || dialogs::pick_folder(&app, station.lang())));
    reply(&station, r)
}

/// Checks the backup the administrator picks and restores it; `null` when
/// cancelled. Everyone is logged out afterwards.
#[tauri::command(async)]
pub fn restore_backup(app: AppHandle, station: State<'_, Workstation>) -> Reply<Option<RestoreRecord>> {
    let r = station
        .actor()
        .and_then(|actor| backup::restore(&station, &actor, || dialogs::pick_file(&app, station.lang())));
    reply(&station, r)
}

/// Where the running backup, copy or restore is; `null` when none runs.
#[tauri::command(async)]
pub fn backup_progress(station: State<'_, Workstation>) -> Reply<Option<Progress>> {
    reply(&station, backup::progress(&station))
}

/// Stops the running backup, copy or restore at its next step; `false`
/// when nothing runs.
#[tauri::command(async)]
pub fn cancel_backup(station: State<'_, Workstation>) -> Reply<bool> {
    reply(&station, backup::cancel(&station))
}

/// The backups the recovery screen offers; refused once the registry is in use.
#[tauri::command(async)]
pub fn recovery_backups(station: State<'_, Workstation>) -> Reply<Vec<BackupFile>> {
    reply(&station, backup::recovery_backups(&station))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecoveryRequest {
    /// A file name from `recovery_backups`; `null` opens a file picker.
    backup: Option<String>,
    login: String,
    password: String,
}

/// Restores a backup when nobody can log in (the registry is damaged,
/// missing, or still empty); authorized by an administrator's account in
/// the backup itself. `null` when the file picker was cancelled.
#[tauri::command(async)]
pub fn recover_registry(
    app: AppHandle,
    station: State<'_, Workstation>,
    payload: Value,
) -> Reply<Option<RestoreRecord>> {
    let r = decode::<RecoveryRequest>(payload).and_then(|req| {
        let pick = || dialogs::pick_file(&app, station.lang());
        backup::recover(&station, req.backup.as_deref(), &req.login, &req.password, pick)
    });
    reply(&station, r)
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![("recover_registry", decoder::<RecoveryRequest>)]
}
