//! The office keeps its catalog: a service's checklist, the refusal
//! grounds, a result form's facts or the norms edited, a catalog file read and saved, the program's catalog adopted, a version exported.
//! Every change is previewed first and saved as the next version.

use kense_domain::catalog::Service;
use kense_domain::catalog_edit::MAX_CATALOG_FILE;
use kense_domain::Error;
use kense_storage::CatalogPreview;
use kense_workstation::catalog::{self, CatalogEdit, CatalogFile, GroundLists};
use kense_workstation::Workstation;
use serde::Deserialize;
use serde_json::Value;
use tauri::{AppHandle, State};

use super::{decode, reply, Reply};
use crate::dialogs;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceRequest {
    version: u32,
    code: String,
}

/// One service of an installed version in full, for the checklist editor.
#[tauri::command(async)]
pub fn catalog_service(station: State<'_, Workstation>, payload: Value) -> Reply<Service> {
    let r = (|| {
        let actor = station.actor()?;
        let req: ServiceRequest = decode(payload)?;
        catalog::service(&station, &actor, req.version, &req.code)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditRequest {
    /// The version in force when the administrator opened the editor.
    based_on: u32,
    edit: CatalogEdit,
}

/// What saving an edit made in the window (a checklist, the refusal
/// grounds, a result form's facts, the norms) would change; nothing is
/// written.
#[tauri::command(async)]
pub fn preview_catalog_edit(station: State<'_, Workstation>, payload: Value) -> Reply<CatalogPreview> {
    let r = (|| {
        let actor = station.actor()?;
        let req: EditRequest = decode(payload)?;
        catalog::preview_edit(&station, &actor, req.based_on, req.edit)
    })();
    reply(&station, r)
}

/// Saves an edit made in the window as the next catalog version.
#[tauri::command(async)]
pub fn save_catalog_edit(station: State<'_, Workstation>, payload: Value) -> Reply<u32> {
    let r = (|| {
        let actor = station.actor()?;
        let req: EditRequest = decode(payload)?;
        catalog::save_edit(&station, &actor, req.based_on, req.edit)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionRequest {
    version: u32,
}

/// The refusal grounds of an installed version, for the grounds editor.
#[tauri::command(async)]
pub fn catalog_grounds(station: State<'_, Workstation>, payload: Value) -> Reply<GroundLists> {
    let r = (|| {
        let actor = station.actor()?;
        let req: VersionRequest = decode(payload)?;
        catalog::grounds(&station, &actor, req.version)
    })();
    reply(&station, r)
}

/// Reads a catalog file the administrator picks and previews it; `null`
/// when cancelled.
#[tauri::command(async)]
pub fn read_catalog_file(app: AppHandle, station: State<'_, Workstation>) -> Reply<Option<CatalogFile>> {
    let r = (|| {
        let actor = station.actor()?;
        let Some(path) = dialogs::pick_catalog_file(&app, station.lang()) else { return Ok(None) };
        let len = std::fs::metadata(&path).map_err(|e| Error::Io(e.to_string()))?.len();
        if len > MAX_CATALOG_FILE as u64 {
            return Err(Error::CatalogRejected("the file is larger than a catalog".into()));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::CatalogRejected(e.to_string()))?;
        catalog::read_catalog(&station, &actor, Some(text)).map(Some)
    })();
    reply(&station, r)
}

/// The program's catalog, which waits behind the office's own versions,
/// previewed for adoption.
#[tauri::command(async)]
pub fn read_shipped_catalog(station: State<'_, Workstation>) -> Reply<CatalogFile> {
    reply(&station, station.actor().and_then(|actor| catalog::read_catalog(&station, &actor, None)))
}

/// The program's catalog version when it waits for the administrator.
#[tauri::command(async)]
pub fn shipped_catalog_waiting(station: State<'_, Workstation>) -> Reply<Option<u32>> {
    reply(&station, station.actor().and_then(|actor| catalog::shipped_waiting(&station, &actor)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFileRequest {
    based_on: u32,
    content: String,
}

/// Saves a catalog read before (a file or the program's) as the next version.
#[tauri::command(async)]
pub fn save_catalog_file(station: State<'_, Workstation>, payload: Value) -> Reply<u32> {
    let r = (|| {
        let actor = station.actor()?;
        // Its size and content are checked as a file's (`Catalog::imported`).
        let req: CatalogFileRequest = decode(payload)?;
        catalog::save_catalog(&station, &actor, req.based_on, &req.content)
    })();
    reply(&station, r)
}

/// Writes an installed version to a file the administrator names; the
/// path, or `null` when cancelled.
#[tauri::command(async)]
pub fn export_catalog(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Option<String>> {
    let r = (|| {
        let actor = station.actor()?;
        let req: VersionRequest = decode(payload)?;
        let name = format!("kense-catalog-{}.json", req.version);
        let Some(path) = dialogs::save_export(&app, station.lang(), &name) else { return Ok(None) };
        catalog::export(&station, &actor, req.version, &path)?;
        Ok(Some(path.display().to_string()))
    })();
    reply(&station, r)
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![
        ("catalog_service", decoder::<ServiceRequest>),
        ("preview_catalog_edit", decoder::<EditRequest>),
        ("save_catalog_edit", decoder::<EditRequest>),
        ("catalog_grounds", decoder::<VersionRequest>),
        ("save_catalog_file", decoder::<CatalogFileRequest>),
        ("export_catalog", decoder::<VersionRequest>),
    ]
}
