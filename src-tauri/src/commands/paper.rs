//! Paper: every document printed from the window (receipts, results and
//! their drafts, the journal, the queue's papers) and the printers it may
//! go to. Each is made and filed by `kense_workstation::paper`, then handed
//! to the viewer or a printer (`printer.rs`).

use kense_domain::access::Actor;
use kense_domain::workflow::Outcome;
use kense_domain::Error;
use kense_workstation::paper::result::ResultPreview;
use kense_workstation::paper::{self, Printed};
use kense_workstation::{queue, Workstation};
use serde::Deserialize;
use serde_json::Value;
use tauri::{AppHandle, State};

use super::{decode, reply, ApplicationRequest, Reply};
use crate::printer;

/// The intake receipt (acceptance, or refusal to accept documents).
#[tauri::command(async)]
pub fn open_receipt(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    let r = (|| {
        let actor = station.actor()?;
        let req: ApplicationRequest = decode(payload)?;
        let printed = paper::receipt::issue(&station, &actor, req.id)?;
        printer::deliver(&app, &station, &actor, printed, &req.printer, true)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FiledRequest {
    application_id: i64,
    kind: String,
    copy: u32,
    /// A CUPS printer to send it to; the viewer when empty.
    #[serde(default)]
    printer: String,
}

/// A paper the registration filed before answering, to the viewer or a
/// printer: the filed file itself, never made again.
#[tauri::command(async)]
pub fn show_paper(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    let r = (|| {
        let actor = station.actor()?;
        let req: FiledRequest = decode(payload)?;
        let printed = paper::owed::filed(&station, &actor, req.application_id, &req.kind, req.copy)?;
        printer::deliver(&app, &station, &actor, printed, &req.printer, true)
    })();
    reply(&station, r)
}

/// The signed result (certificate, decision, reasoned refusal) on paper.
#[tauri::command(async)]
pub fn print_result(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    let r = (|| {
        let actor = station.actor()?;
        let req: ApplicationRequest = decode(payload)?;
        let printed = paper::result::print(&station, &actor, req.id)?;
        printer::deliver(&app, &station, &actor, printed, &req.printer, true)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviewRequest {
    id: i64,
    /// What the executor is about to send; absent for the stored result
    /// that waits for the head's signature.
    #[serde(default)]
    outcome: Option<Outcome>,
}

/// The result's pages before signing, marked as a draft: beside the
/// application on the head's signing desk, and in the executor's form
/// before sending it to the head.
#[tauri::command(async)]
pub fn preview_result(station: State<'_, Workstation>, payload: Value) -> Reply<ResultPreview> {
    let r = (|| {
        let actor = station.actor()?;
        let req: PreviewRequest = decode(payload)?;
        paper::result::preview(&station, &actor, req.id, req.outcome)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JournalRequest {
    /// ISO dates; the same day twice gives the daily register. Empty means
    /// the office's today (the office clock, not the workstation's).
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    printer: String,
}

/// The registration journal of a period, or the daily register.
#[tauri::command(async)]
pub fn print_journal(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    let r = (|| {
        let actor = station.actor()?;
        let req: JournalRequest = decode(payload)?;
        let (from, to) = paper::journal::period(&req.from, &req.to)?;
        let printed = paper::journal::print(&station, &actor, from, to)?;
        printer::deliver(&app, &station, &actor, printed, &req.printer, true)
    })();
    reply(&station, r)
}

/// The printers this workstation can send to directly (CUPS); empty where
/// there are none, and the viewer prints.
#[tauri::command(async)]
pub fn printers(station: State<'_, Workstation>) -> Reply<Vec<String>> {
    reply(&station, station.actor().map(|_| printer::printers()))
}

/// A queue paper: which one the command says, whose by the ids here.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueuePrintRequest {
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

/// Prints a queue paper after the office clock's sweep, so that it never
/// states a number or referral time has already changed.
fn print_queue_paper(
    app: &AppHandle,
    station: &Workstation,
    payload: Value,
    make: impl FnOnce(&Workstation, &Actor, &QueuePrintRequest) -> Result<Printed, Error>,
) -> Reply<Printed> {
    let r = (|| {
        let actor = station.actor()?;
        let req: QueuePrintRequest = decode(payload)?;
        queue::sweep(station)?;
        let printed = make(station, &actor, &req)?;
        printer::deliver(app, station, &actor, printed, &req.printer, req.open)
    })();
    reply(station, r)
}

#[tauri::command(async)]
pub fn print_queue_notification(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    print_queue_paper(&app, &station, payload, |s, a, q| {
        paper::queue_notification::print(s, a, q.application_id.ok_or(Error::NotFound)?)
    })
}

#[tauri::command(async)]
pub fn print_referral(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    print_queue_paper(&app, &station, payload, |s, a, q| {
        paper::referral::print(s, a, q.referral_id.ok_or(Error::NotFound)?)
    })
}

#[tauri::command(async)]
pub fn print_queue_extract(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    print_queue_paper(&app, &station, payload, |s, a, q| {
        paper::queue_extract::print(s, a, q.birth_year.ok_or(Error::NotFound)?)
    })
}

#[tauri::command(async)]
pub fn print_referral_list(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    print_queue_paper(&app, &station, payload, |s, a, q| {
        paper::referral_list::print(s, a, q.distribution_id.ok_or(Error::NotFound)?)
    })
}

#[tauri::command(async)]
pub fn print_queue_history(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    print_queue_paper(&app, &station, payload, |s, a, q| {
        paper::queue_history::print(s, a, q.application_id.ok_or(Error::NotFound)?)
    })
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![
        ("open_receipt", decoder::<ApplicationRequest>),
        ("show_paper", decoder::<FiledRequest>),
        ("print_result", decoder::<ApplicationRequest>),
        ("preview_result", decoder::<PreviewRequest>),
        ("print_journal", decoder::<JournalRequest>),
        ("print_queue_notification", decoder::<QueuePrintRequest>),
        ("print_referral", decoder::<QueuePrintRequest>),
        ("print_queue_extract", decoder::<QueuePrintRequest>),
        ("print_referral_list", decoder::<QueuePrintRequest>),
        ("print_queue_history", decoder::<QueuePrintRequest>),
    ]
}
