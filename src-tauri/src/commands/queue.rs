//! The queue desk: kindergartens and places, the birth-year queues and
//! their history, priority confirmation, distribution and referrals. Every
//! call lets the office clock's sweep act first (`kense_workstation::queue`).
//! Its papers are printed through `paper.rs`.

use kense_domain::queue::{
    Assignment, Group, GroupDraft, Kindergarten, KindergartenDraft, Places, PlacesDraft, ReferralStatus, ReferralStep,
};
use kense_domain::{Error, Field};
use kense_storage::{KindergartenRecord, Proposal, QueueRow, QueueStatistics, ReferralRecord, YearCount};
use kense_workstation::queue::{self, EntryView, QueueSettings};
use kense_workstation::{clock, Workstation};
use serde::Deserialize;
use serde_json::Value;
use tauri::State;

use super::{decode, reply, Reply};

/// What the registration form and the queue desk need of the rules.
#[tauri::command(async)]
pub fn queue_settings(station: State<'_, Workstation>) -> Reply<QueueSettings> {
    reply(&station, station.actor().and_then(|actor| queue::settings(&station, &actor)))
}

#[tauri::command(async)]
pub fn kindergartens(station: State<'_, Workstation>) -> Reply<Vec<KindergartenRecord>> {
    reply(&station, station.actor().and_then(|actor| queue::kindergartens(&station, &actor)))
}

#[tauri::command(async)]
pub fn add_kindergarten(station: State<'_, Workstation>, payload: Value) -> Reply<i64> {
    let r = (|| {
        let kindergarten = Kindergarten::validate(&decode::<KindergartenDraft>(payload)?)?;
        queue::add_kindergarten(&station, &station.actor()?, &kindergarten)
    })();
    reply(&station, r)
}

#[tauri::command(async)]
pub fn add_group(station: State<'_, Workstation>, payload: Value) -> Reply<i64> {
    let r = (|| {
        let group = Group::validate(&decode::<GroupDraft>(payload)?, clock::now().date_naive())?;
        queue::add_group(&station, &station.actor()?, &group)
    })();
    reply(&station, r)
}

#[tauri::command(async)]
pub fn declare_places(station: State<'_, Workstation>, payload: Value) -> Reply<i64> {
    let r = (|| {
        let places = Places::validate(&decode::<PlacesDraft>(payload)?)?;
        queue::declare_places(&station, &station.actor()?, &places)
    })();
    reply(&station, r)
}

#[tauri::command(async)]
pub fn queue_years(station: State<'_, Workstation>) -> Reply<Vec<YearCount>> {
    reply(&station, station.actor().and_then(|actor| queue::years(&station, &actor)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueRequest {
    birth_year: i32,
    #[serde(default)]
    limit: Option<u32>,
}

#[tauri::command(async)]
pub fn queue_list(station: State<'_, Workstation>, payload: Value) -> Reply<Vec<QueueRow>> {
    let r = (|| {
        let req: QueueRequest = decode(payload)?;
        queue::list(&station, &station.actor()?, req.birth_year, req.limit)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryRequest {
    application_id: i64,
}

/// One application's queue entry and the history of its number.
#[tauri::command(async)]
pub fn queue_entry(station: State<'_, Workstation>, payload: Value) -> Reply<EntryView> {
    let r = (|| {
        let req: EntryRequest = decode(payload)?;
        queue::entry(&station, &station.actor()?, req.application_id)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmRequest {
    application_id: i64,
    document: String,
    /// ISO date of the evidence's issue.
    issued_on: String,
}

#[tauri::command(async)]
pub fn confirm_priority(station: State<'_, Workstation>, payload: Value) -> Reply<QueueRow> {
    let r = (|| {
        let req: ConfirmRequest = decode(payload)?;
        let issued = chrono::NaiveDate::parse_from_str(req.issued_on.trim(), "%Y-%m-%d")
            .map_err(|_| Error::DateFormat(Field::EvidenceDate))?;
        queue::confirm_priority(&station, &station.actor()?, req.application_id, &req.document, issued)
    })();
    reply(&station, r)
}

#[tauri::command(async)]
pub fn preview_distribution(station: State<'_, Workstation>) -> Reply<Vec<Proposal>> {
    reply(&station, station.actor().and_then(|actor| queue::preview_distribution(&station, &actor)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DistributeRequest {
    /// Exactly the assignments the head saw in the preview.
    assignments: Vec<Assignment>,
}

#[tauri::command(async)]
pub fn distribute(station: State<'_, Workstation>, payload: Value) -> Reply<Vec<ReferralRecord>> {
    let r = (|| {
        let req: DistributeRequest = decode(payload)?;
        queue::distribute(&station, &station.actor()?, &req.assignments)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferralsRequest {
    #[serde(default)]
    distribution_id: Option<i64>,
}

#[tauri::command(async)]
pub fn referrals(station: State<'_, Workstation>, payload: Value) -> Reply<Vec<ReferralRecord>> {
    let r = (|| {
        let req: ReferralsRequest = decode(payload)?;
        queue::referrals(&station, &station.actor()?, req.distribution_id)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindReferralRequest {
    number: String,
    iin: String,
}

/// The kindergarten's check of a presented referral.
#[tauri::command(async)]
pub fn find_referral(station: State<'_, Workstation>, payload: Value) -> Reply<ReferralRecord> {
    let r = (|| {
        let req: FindReferralRequest = decode(payload)?;
        queue::find_referral(&station, &station.actor()?, &req.number, &req.iin)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferralStepRequest {
    id: i64,
    /// The status the person saw; a moved referral is refused as stale.
    expected_status: ReferralStatus,
    step: ReferralStep,
    #[serde(default)]
    reason: String,
}

#[tauri::command(async)]
pub fn referral_step(station: State<'_, Workstation>, payload: Value) -> Reply<ReferralRecord> {
    let r = (|| {
        let req: ReferralStepRequest = decode(payload)?;
        queue::referral_step(&station, &station.actor()?, req.id, req.expected_status, req.step, &req.reason)
    })();
    reply(&station, r)
}

#[tauri::command(async)]
pub fn queue_statistics(station: State<'_, Workstation>) -> Reply<QueueStatistics> {
    reply(&station, station.actor().and_then(|actor| queue::statistics(&station, &actor)))
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![
        ("add_kindergarten", decoder::<KindergartenDraft>),
        ("add_group", decoder::<GroupDraft>),
        ("declare_places", decoder::<PlacesDraft>),
        ("queue_list", decoder::<QueueRequest>),
        ("queue_entry", decoder::<EntryRequest>),
        ("confirm_priority", decoder::<ConfirmRequest>),
        ("distribute", decoder::<DistributeRequest>),
        ("referrals", decoder::<ReferralsRequest>),
        ("find_referral", decoder::<FindReferralRequest>),
        ("referral_step", decoder::<ReferralStepRequest>),
    ]
}
