//! The administrator's desk: accounts, the office and its stamp, the
//! calendar's years, catalog versions, the audit chain.

use kense_domain::access::Role;
use kense_domain::calendar::YearRules;
use kense_domain::office::{OfficeData, OfficeDraft};
use kense_domain::user::NewUser;
use kense_storage::{CatalogVersion, CatalogVersionDetail, Evidence, Office, UserSummary};
use kense_workstation::admin::{self, CalendarView};
use kense_workstation::evidence::{self, Alarm};
use kense_workstation::Workstation;
use serde::Deserialize;
use serde_json::Value;
use tauri::State;

use super::{decode, reply, Reply};

#[tauri::command(async)]
pub fn users(station: State<'_, Workstation>) -> Reply<Vec<UserSummary>> {
    reply(&station, station.actor().and_then(|actor| admin::users(&station, &actor)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUserRequest {
    login: String,
    full_name: String,
    roles: Vec<Role>,
    password: String,
    password_repeat: String,
}

#[tauri::command(async)]
pub fn create_user(station: State<'_, Workstation>, payload: Value) -> Reply<UserSummary> {
    let r = (|| {
        let actor = station.actor()?;
        let req: NewUserRequest = decode(payload)?;
        let user = NewUser::validate(&req.login, &req.full_name, req.roles)?;
        admin::create_user(&station, &actor, &user, &req.password, &req.password_repeat)
    })();
    reply(&station, r)
}

#[tauri::command(async)]
pub fn update_office(station: State<'_, Workstation>, payload: Value) -> Reply<Office> {
    let r = (|| {
        let actor = station.actor()?;
        let draft: OfficeDraft = decode(payload)?;
        admin::update_office(&station, &actor, &OfficeData::validate(&draft)?)
    })();
    reply(&station, r)
}

/// The installed versions of the service catalog, newest (in force) first.
#[tauri::command(async)]
pub fn catalog_versions(station: State<'_, Workstation>) -> Reply<Vec<CatalogVersion>> {
    reply(&station, station.actor().and_then(|actor| admin::catalog_versions(&station, &actor)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogVersionRequest {
    version: u32,
}

/// One catalog version's services and what it changed against the one before.
#[tauri::command(async)]
pub fn catalog_version(station: State<'_, Workstation>, payload: Value) -> Reply<CatalogVersionDetail> {
    let r = (|| {
        let actor = station.actor()?;
        let req: CatalogVersionRequest = decode(payload)?;
        admin::catalog_version(&station, &actor, req.version)
    })();
    reply(&station, r)
}

/// The calendar's years, shipped and entered, with their working-day counts.
#[tauri::command(async)]
pub fn calendar_years(station: State<'_, Workstation>) -> Reply<CalendarView> {
    reply(&station, station.actor().and_then(|actor| admin::calendar_years(&station, &actor)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarYearRequest {
    year: i32,
    rules: YearRules,
}

#[tauri::command(async)]
pub fn set_calendar_year(station: State<'_, Workstation>, payload: Value) -> Reply<usize> {
    let r = (|| {
        let actor = station.actor()?;
        let req: CalendarYearRequest = decode(payload)?;
        admin::set_calendar_year(&station, &actor, req.year, &req.rules)
    })();
    reply(&station, r)
}

/// The whole chain and every record against it (administrator).
#[tauri::command(async)]
pub fn verify_audit(station: State<'_, Workstation>) -> Reply<Evidence> {
    reply(&station, station.actor().and_then(|actor| admin::verify_audit(&station, &actor)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptRequest {
    /// What the records were compared with, and why they are taken.
    reason: String,
}

/// The administrator takes the records found changed outside Kense as they
/// stand; what is still wrong afterwards comes back.
#[tauri::command(async)]
pub fn accept_findings(station: State<'_, Workstation>, payload: Value) -> Reply<Option<Alarm>> {
    let r = (|| {
        let actor = station.actor()?;
        let req: AcceptRequest = decode(payload)?;
        evidence::accept(&station, &actor, &req.reason)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StampRequest {
    /// Base64 of the PNG; `null` removes the stamp.
    png: Option<String>,
}

/// Uploads or removes the office's stamp image (administrator).
#[tauri::command(async)]
pub fn set_stamp(station: State<'_, Workstation>, payload: Value) -> Reply<bool> {
    let r = (|| {
        let actor = station.actor()?;
        let req: StampRequest = decode(payload)?;
        admin::set_stamp(&station, &actor, req.png.as_deref())
    })();
    reply(&station, r)
}

/// The stamp image as base64, for the administrator's preview.
#[tauri::command(async)]
pub fn stamp(station: State<'_, Workstation>) -> Reply<Option<String>> {
    reply(&station, station.actor().and_then(|actor| admin::stamp(&station, &actor)))
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![
        ("create_user", decoder::<NewUserRequest>),
        ("update_office", decoder::<OfficeDraft>),
        ("catalog_version", decoder::<CatalogVersionRequest>),
        ("set_calendar_year", decoder::<CalendarYearRequest>),
        ("set_stamp", decoder::<StampRequest>),
        ("accept_findings", decoder::<AcceptRequest>),
    ]
}
