//! The administrator's desk: accounts and roles, the office's requisites
//! and stamp, the working calendar's years, the installed catalog versions
//! and the audit chain's verification.

use base64::Engine as _;
use kense_domain::access::{authorize, Action, Actor};
use kense_domain::calendar::{Transfer, WorkingCalendar, YearRules};
use kense_domain::office::OfficeData;
use kense_domain::user::NewUser;
use kense_domain::Error;
use kense_storage::{CatalogVersion, CatalogVersionDetail, Evidence, Office, UserSummary};
use serde::Serialize;

use crate::{clock, Workstation};

pub fn users(station: &Workstation, actor: &Actor) -> Result<Vec<UserSummary>, Error> {
    station.with_registry(|reg| reg.users(actor, clock::now()))
}

/// Enters or clears the IIN on an account (a certificate must name it to
/// sign as that person).
pub fn set_user_iin(
    station: &Workstation,
    actor: &Actor,
    user_id: i64,
    iin: Option<&kense_domain::iin::Iin>,
) -> Result<(), Error> {
    station.with_registry(|reg| reg.set_user_iin(actor, user_id, iin, clock::now()))
}

pub fn create_user(
    station: &Workstation,
    actor: &Actor,
    user: &NewUser,
    password: &str,
    password_repeat: &str,
) -> Result<UserSummary, Error> {
    station.with_registry(|reg| reg.create_user(actor, user, password, password_repeat, clock::now()))
}

pub fn update_office(station: &Workstation, actor: &Actor, data: &OfficeData) -> Result<Office, Error> {
    station.with_registry(|reg| reg.update_office(actor, data, clock::now()))
}

/// The installed versions of the service catalog, newest (in force) first.
pub fn catalog_versions(station: &Workstation, actor: &Actor) -> Result<Vec<CatalogVersion>, Error> {
    station.with_registry(|reg| reg.catalog_versions(actor, clock::now()))
}

/// One catalog version's services and what it changed against the one before.
pub fn catalog_version(station: &Workstation, actor: &Actor, version: u32) -> Result<CatalogVersionDetail, Error> {
    station.with_registry(|reg| reg.catalog_version(actor, version, clock::now()))
}

#[derive(Serialize)]
pub struct CalendarYearView {
    year: i32,
    kurban_ait: chrono::NaiveDate,
    transfers: Vec<Transfer>,
    /// Entered by an administrator (else shipped with the program).
    local: bool,
    working_days: usize,
}

#[derive(Serialize)]
pub struct CalendarView {
    years: Vec<CalendarYearView>,
    /// The year whose Kurban Ait and transfers should be entered now (the
    /// current one when missing, from 1 December the next): until then its
    /// due moments are provisional.
    year_to_enter: Option<i32>,
}

/// The calendar's years: shipped and entered, with their working-day counts
/// so the administrator can compare them with the published calendar, and
/// the year to enter, if any.
pub fn calendar_years(station: &Workstation, actor: &Actor) -> Result<CalendarView, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    station.with_registry(|reg| {
        let local = reg.calendar_years()?;
        let data = station.rules()?.calendar.with_years(local.clone());
        let calendar = WorkingCalendar::new(&data)?;
        let years = data
            .years
            .iter()
            .map(|(year, rules)| CalendarYearView {
                year: *year,
                kurban_ait: rules.kurban_ait,
                transfers: rules.transfers.clone(),
                local: local.iter().any(|(y, _)| y == year),
                working_days: calendar.working_days_in(*year),
            })
            .collect();
        Ok(CalendarView { years, year_to_enter: calendar.year_to_enter(clock::now().date_naive()) })
    })
}

/// Enters a year's moving days; the due moments that fall in it or after
/// are computed again on the calendar with that year (they were
/// provisional). How many applications got new ones comes back.
pub fn set_calendar_year(station: &Workstation, actor: &Actor, year: i32, rules: &YearRules) -> Result<usize, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    station.with_registry(|reg| {
        let mut years: Vec<(i32, YearRules)> = reg.calendar_years()?.into_iter().filter(|(y, _)| *y != year).collect();
        years.push((year, rules.clone()));
        let calendar = WorkingCalendar::new(&station.rules()?.calendar.with_years(years))?;
        reg.set_calendar_year(actor, year, rules, clock::now(), &|open| crate::workstation::due_again(&calendar, open))
    })
}

/// Verifies the whole chain and every record against it, on demand
/// (audited as the person's act); see `evidence::verify`.
pub fn verify_audit(station: &Workstation, actor: &Actor) -> Result<Evidence, Error> {
    crate::evidence::verify(station, actor)
}

/// The most a stamp upload may carry (the documents refuse larger PNGs).
const MAX_STAMP_BASE64: usize = 2 * 1024 * 1024 * 4 / 3 + 4;

/// Uploads (base64 of a PNG) or, with `None`, removes the office's stamp
/// image; whether one is set afterwards comes back.
pub fn set_stamp(station: &Workstation, actor: &Actor, png_base64: Option<&str>) -> Result<bool, Error> {
    let png = match png_base64 {
        Some(text) if text.len() > MAX_STAMP_BASE64 => return Err(Error::Document("stamp too large".into())),
        Some(text) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|e| Error::MalformedRequest(format!("stamp base64: {e}")))?,
        ),
        None => None,
    };
    if let Some(bytes) = &png {
        kense_documents::check_stamp(bytes).map_err(|e| Error::Document(e.to_string()))?;
    }
    let sha = png.as_ref().map(|p| kense_domain::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(p)));
    station.with_registry(|reg| {
        reg.set_stamp(actor, png.as_deref().zip(sha.as_deref()), clock::now())?;
        Ok(png.is_some())
    })
}

/// The stamp image as base64, for the administrator's preview.
pub fn stamp(station: &Workstation, actor: &Actor) -> Result<Option<String>, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    station.with_registry(|reg| Ok(reg.stamp()?.map(|p| base64::engine::general_purpose::STANDARD.encode(p))))
}
