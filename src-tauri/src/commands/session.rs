//! Before and around the work: the first screen's facts, the language,
//! the first administrator, log-in and log-out.

use kense_domain::Lang;
use kense_workstation::session::{self, LoggedIn, UserView};
use kense_workstation::Workstation;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::State;

use super::{decode, reply, IpcError, Reply};

#[derive(Serialize)]
pub struct AppStatus {
    /// Why the registry could not be opened, in the person's language.
    startup_error: Option<IpcError>,
    #[serde(flatten)]
    status: session::Status,
}

#[tauri::command(async)]
pub fn app_status(station: State<'_, Workstation>) -> Reply<AppStatus> {
    // The page asks this once its scripts run, to choose the first screen:
    // the moment it is answered is the start-up time (docs/benchmarks.md).
    static FIRST: std::sync::Once = std::sync::Once::new();
    FIRST.call_once(|| log::info!("first screen asked for"));
    let status = session::status(&station);
    let startup_error = status.startup_error.as_ref().map(|e| IpcError::new(e, status.lang));
    Ok(AppStatus { startup_error, status })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguageRequest {
    lang: String,
}

#[tauri::command(async)]
pub fn set_language(station: State<'_, Workstation>, payload: Value) -> Reply<Lang> {
    let r = decode::<LanguageRequest>(payload).and_then(|req| session::set_language(&station, &req.lang));
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdministratorRequest {
    login: String,
    full_name: String,
    password: String,
    password_repeat: String,
}

/// First run only: the office's administrator, also a clerk.
#[tauri::command(async)]
pub fn create_administrator(station: State<'_, Workstation>, payload: Value) -> Reply<UserView> {
    let r = decode::<AdministratorRequest>(payload).and_then(|req| {
        session::create_administrator(&station, &req.login, &req.full_name, &req.password, &req.password_repeat)
    });
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    login: String,
    password: String,
}

#[tauri::command(async)]
pub fn login(station: State<'_, Workstation>, payload: Value) -> Reply<LoggedIn> {
    let r = decode::<LoginRequest>(payload).and_then(|req| session::log_in(&station, &req.login, &req.password));
    reply(&station, r)
}

#[tauri::command(async)]
pub fn logout(station: State<'_, Workstation>) -> Reply<()> {
    reply(&station, session::log_out(&station))
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![
        ("set_language", decoder::<LanguageRequest>),
        ("create_administrator", decoder::<AdministratorRequest>),
        ("login", decoder::<LoginRequest>),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first screen's facts keep the shape the window reads, with the
    /// start-up error as `{code, message, field}`.
    #[test]
    fn app_status_keeps_its_shape() {
        let dir = std::env::temp_dir().join(format!("kense-app-status-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // A registry gone while its backups are there is not replaced: a start-up error.
        let backups = kense_workstation::paths::backups_dir(&dir);
        std::fs::create_dir_all(&backups).unwrap();
        std::fs::write(backups.join("registry-20261124-100000.sqlite"), b"x").unwrap();
        let station = Workstation::start(Ok(dir.clone()), false);
        let status = session::status(&station);
        let startup_error = status.startup_error.as_ref().map(|e| IpcError::new(e, status.lang));
        let json = serde_json::to_value(AppStatus { startup_error, status }).unwrap();
        let keys: std::collections::BTreeSet<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let expected = ["lang", "startup_error", "initialised", "user", "office", "data_dir", "alarm", "recovery"];
        assert_eq!(keys, expected.into_iter().collect());
        assert_eq!(json["startup_error"]["code"], "registry_missing");
        assert_eq!(json["recovery"], true);
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }
}
