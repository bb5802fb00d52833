//! The queue desk's commands: kindergartens and places, the birth-year
//! queues and their history, priority confirmation, distribution and
//! referrals. Thin like the others in `commands.rs`; every read first lets
//! the office clock act ([`Registry::sweep_queue`]), so an expired referral
//! is never shown as live.

use kense_domain::queue::{
    Assignment, Category, Group, GroupDraft, Kindergarten, KindergartenDraft, Places, PlacesDraft, ReferralStatus,
    ReferralStep,
};
use kense_domain::{Error, Field};
use kense_storage::{
    KindergartenRecord, PositionChangeRecord, Proposal, QueueRow, QueueStatistics, ReferralRecord, Registry, YearCount,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::State;

use crate::commands::{reply, Reply};
use crate::ipc::decode;
use crate::printer;
use kense_workstation::clock;
use kense_workstation::paper::{self, Printed};
use kense_workstation::Workstation;

/// Runs `f` for the logged-in user after the office clock's sweep.
fn swept<T>(
    state: &Workstation,
    f: impl FnOnce(&mut Registry, &kense_domain::access::Actor) -> Result<T, Error>,
) -> Reply<T> {
    let r = state.actor().and_then(|actor| {
        state.with_registry(|reg| {
            reg.sweep_queue(clock::now())?;
            f(reg, &actor)
        })
    });
    reply(state, r)
}

/// Decodes the request, then runs `f` like [`swept`].
fn swept_request<D: serde::de::DeserializeOwned, T>(
    state: &Workstation,
    payload: Value,
    f: impl FnOnce(&mut Registry, &kense_domain::access::Actor, D) -> Result<T, Error>,
) -> Reply<T> {
    match decode::<D>(payload) {
        Ok(req) => swept(state, |reg, actor| f(reg, actor, req)),
        Err(e) => reply(state, Err(e)),
    }
}

#[derive(Serialize)]
pub struct QueueSettings {
    categories: Vec<Category>,
    max_preferences: usize,
    referral_valid_working_days: u32,
    stop_list_days: u32,
}

/// What the registration form and the queue desk need of the rules.
#[tauri::command(async)]
pub fn queue_settings(state: State<'_, Workstation>) -> Reply<QueueSettings> {
    swept(&state, |reg, _| {
        let r = reg.queue_rules();
        Ok(QueueSettings {
            categories: r.categories.clone(),
            max_preferences: r.max_preferences,
            referral_valid_working_days: r.referral_valid_working_days,
            stop_list_days: r.stop_list_days,
        })
    })
}

#[tauri::command(async)]
pub fn kindergartens(state: State<'_, Workstation>) -> Reply<Vec<KindergartenRecord>> {
    swept(&state, |reg, actor| reg.kindergartens(actor, clock::now()))
}

#[tauri::command(async)]
pub fn add_kindergarten(state: State<'_, Workstation>, payload: Value) -> Reply<i64> {
    let r = decode::<KindergartenDraft>(payload).and_then(|d| Kindergarten::validate(&d));
    match r {
        Ok(k) => swept(&state, |reg, actor| reg.add_kindergarten(actor, &k, clock::now())),
        Err(e) => reply(&state, Err(e)),
    }
}

#[tauri::command(async)]
pub fn add_group(state: State<'_, Workstation>, payload: Value) -> Reply<i64> {
    let r = decode::<GroupDraft>(payload).and_then(|d| Group::validate(&d, clock::now().date_naive()));
    match r {
        Ok(g) => swept(&state, |reg, actor| reg.add_group(actor, &g, clock::now())),
        Err(e) => reply(&state, Err(e)),
    }
}

#[tauri::command(async)]
pub fn declare_places(state: State<'_, Workstation>, payload: Value) -> Reply<i64> {
    let r = decode::<PlacesDraft>(payload).and_then(|d| Places::validate(&d));
    match r {
        Ok(p) => swept(&state, |reg, actor| reg.declare_places(actor, &p, clock::now())),
        Err(e) => reply(&state, Err(e)),
    }
}

#[tauri::command(async)]
pub fn queue_years(state: State<'_, Workstation>) -> Reply<Vec<YearCount>> {
    swept(&state, |reg, actor| reg.queue_years(actor, clock::now()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueRequest {
    birth_year: i32,
    #[serde(default)]
    limit: Option<u32>,
}

/// At most this many rows reach the window at once; the desk pages.
const QUEUE_PAGE: u32 = 500;

#[tauri::command(async)]
pub fn queue_list(state: State<'_, Workstation>, payload: Value) -> Reply<Vec<QueueRow>> {
    swept_request(&state, payload, |reg, actor, q: QueueRequest| {
        reg.queue(actor, q.birth_year, q.limit.unwrap_or(QUEUE_PAGE).min(QUEUE_PAGE), clock::now())
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryRequest {
    application_id: i64,
}

#[derive(Serialize)]
pub struct EntryView {
    entry: Option<QueueRow>,
    history: Vec<PositionChangeRecord>,
}

/// One application's queue entry and the history of its number.
#[tauri::command(async)]
pub fn queue_entry(state: State<'_, Workstation>, payload: Value) -> Reply<EntryView> {
    swept_request(&state, payload, |reg, actor, q: EntryRequest| {
        let now = clock::now();
        let entry = reg.queue_entry(actor, q.application_id, now)?;
        let history = if entry.is_some() { reg.position_history(actor, q.application_id, now)? } else { Vec::new() };
        Ok(EntryView { entry, history })
    })
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
pub fn confirm_priority(state: State<'_, Workstation>, payload: Value) -> Reply<QueueRow> {
    let r = decode::<ConfirmRequest>(payload).and_then(|q| {
        let issued = chrono::NaiveDate::parse_from_str(q.issued_on.trim(), "%Y-%m-%d")
            .map_err(|_| Error::DateFormat(Field::EvidenceDate))?;
        Ok((q, issued))
    });
    match r {
        Ok((q, issued)) => {
            swept(&state, |reg, actor| reg.confirm_priority(actor, q.application_id, &q.document, issued, clock::now()))
        }
        Err(e) => reply(&state, Err(e)),
    }
}

#[tauri::command(async)]
pub fn preview_distribution(state: State<'_, Workstation>) -> Reply<Vec<Proposal>> {
    swept(&state, |reg, actor| reg.preview_distribution(actor, clock::now()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DistributeRequest {
    /// Exactly the assignments the head saw in the preview.
    assignments: Vec<Assignment>,
}

#[tauri::command(async)]
pub fn distribute(state: State<'_, Workstation>, payload: Value) -> Reply<Vec<ReferralRecord>> {
    swept_request(&state, payload, |reg, actor, q: DistributeRequest| {
        let cal = state.calendar(reg)?;
        reg.distribute(actor, &q.assignments, &cal, clock::now())
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferralsRequest {
    #[serde(default)]
    distribution_id: Option<i64>,
}

#[tauri::command(async)]
pub fn referrals(state: State<'_, Workstation>, payload: Value) -> Reply<Vec<ReferralRecord>> {
    swept_request(&state, payload, |reg, actor, q: ReferralsRequest| {
        reg.referrals(actor, q.distribution_id, 500, clock::now())
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindReferralRequest {
    number: String,
    iin: String,
}

/// The kindergarten's check of a presented referral.
#[tauri::command(async)]
pub fn find_referral(state: State<'_, Workstation>, payload: Value) -> Reply<ReferralRecord> {
    swept_request(&state, payload, |reg, actor, q: FindReferralRequest| {
        reg.find_referral(actor, &q.number, &q.iin, clock::now())
    })
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
pub fn referral_step(state: State<'_, Workstation>, payload: Value) -> Reply<ReferralRecord> {
    swept_request(&state, payload, |reg, actor, q: ReferralStepRequest| {
        reg.referral_step(actor, q.id, q.expected_status, q.step, &q.reason, clock::now())
    })
}

#[tauri::command(async)]
pub fn queue_statistics(state: State<'_, Workstation>) -> Reply<QueueStatistics> {
    swept(&state, |reg, actor| reg.queue_statistics(actor, clock::now()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrintRequest {
    #[serde(default)]
    application_id: Option<i64>,
    #[serde(default)]
    referral_id: Option<i64>,
    #[serde(default)]
    birth_year: Option<i32>,
    #[serde(default)]
    distribution_id: Option<i64>,
    /// Open the file in the system viewer; batch printing files quietly.
    #[serde(default = "yes")]
    open: bool,
    /// A CUPS printer to send the document to instead of the viewer.
    #[serde(default)]
    printer: String,
}

fn yes() -> bool {
    true
}

fn print_with(
    app: &tauri::AppHandle,
    state: &Workstation,
    payload: Value,
    make: impl FnOnce(&Workstation, &kense_domain::access::Actor, &PrintRequest) -> Result<Printed, Error>,
) -> Reply<Printed> {
    let r = (|| {
        let actor = state.actor()?;
        let req: PrintRequest = decode(payload)?;
        state.with_registry(|reg| reg.sweep_queue(clock::now()).map(|_| ()))?;
        let printed = make(state, &actor, &req)?;
        printer::deliver(app, state, &actor, printed, &req.printer, req.open)
    })();
    reply(state, r)
}

#[tauri::command(async)]
pub fn print_queue_notification(
    app: tauri::AppHandle,
    state: State<'_, Workstation>,
    payload: Value,
) -> Reply<Printed> {
    print_with(&app, &state, payload, |s, a, q| {
        paper::queue_notification::print(s, a, q.application_id.ok_or(Error::NotFound)?)
    })
}

#[tauri::command(async)]
pub fn print_referral(app: tauri::AppHandle, state: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    print_with(&app, &state, payload, |s, a, q| paper::referral::print(s, a, q.referral_id.ok_or(Error::NotFound)?))
}

#[tauri::command(async)]
pub fn print_queue_extract(app: tauri::AppHandle, state: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    print_with(&app, &state, payload, |s, a, q| paper::queue_extract::print(s, a, q.birth_year.ok_or(Error::NotFound)?))
}

#[tauri::command(async)]
pub fn print_referral_list(app: tauri::AppHandle, state: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    print_with(&app, &state, payload, |s, a, q| {
        paper::referral_list::print(s, a, q.distribution_id.ok_or(Error::NotFound)?)
    })
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
        ("print_queue_notification", decoder::<PrintRequest>),
        ("print_referral", decoder::<PrintRequest>),
        ("print_queue_extract", decoder::<PrintRequest>),
        ("print_referral_list", decoder::<PrintRequest>),
        ("print_queue_history", decoder::<PrintRequest>),
    ]
}

#[tauri::command(async)]
pub fn print_queue_history(app: tauri::AppHandle, state: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    print_with(&app, &state, payload, |s, a, q| {
        paper::queue_history::print(s, a, q.application_id.ok_or(Error::NotFound)?)
    })
}
