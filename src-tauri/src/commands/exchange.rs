//! Data in and out: the administrator's import of the office's existing
//! queue and register (a dry run on a file chosen in a dialog, then the
//! import as a job with progress and cancel, read through
//! `backup_progress` and `cancel_backup`), the import templates, the
//! exports of the journal, the queue lists and a period's report (saved
//! where the person chooses), the period's figures, and the quality
//! questionnaire recorded at the counter. Every file is chosen in a dialog
//! opened from Rust (`dialogs.rs`); the window never names a path.

use kense_domain::survey::SurveyDraft;
use kense_domain::Error;
use kense_storage::PeriodReport;
use kense_workstation::exchange::{self, DryRun, ExportWhat, FileFormat, ImportKind, SavedExport};
use kense_workstation::paper::journal::period;
use kense_workstation::Workstation;
use serde::Deserialize;
use serde_json::Value;
use tauri::{AppHandle, State};

use super::{decode, reply, Reply};
use crate::dialogs;

/// Which list a file brings, as the window names it.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Queue,
    History,
}

impl From<Kind> for ImportKind {
    fn from(k: Kind) -> ImportKind {
        match k {
            Kind::Queue => ImportKind::Queue,
            Kind::History => ImportKind::History,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DryRunRequest {
    kind: Kind,
}

/// Opens a file picker and shows what importing the chosen file would do:
/// each bad row's problem in kk and ru, the counts, the queue positions.
/// `null` when the picker was cancelled.
#[tauri::command(async)]
pub fn import_dry_run(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Option<DryRun>> {
    let r = (|| {
        let actor = station.actor()?;
        let req: DryRunRequest = decode(payload)?;
        let pick = || dialogs::pick_import_file(&app, station.lang());
        exchange::choose_and_dry_run(&station, &actor, req.kind.into(), pick)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportRequest {
    kind: Kind,
    /// The SHA-256 the dry run showed: a file changed since is not imported.
    sha256: String,
}

/// Imports the good rows of the file of the last dry run, in one
/// transaction; progress and cancel as a backup's.
#[tauri::command(async)]
pub fn confirm_import(station: State<'_, Workstation>, payload: Value) -> Reply<DryRun> {
    let r = (|| {
        let actor = station.actor()?;
        let req: ImportRequest = decode(payload)?;
        exchange::confirm_import(&station, &actor, req.kind.into(), &req.sha256)
    })();
    reply(&station, r)
}

/// Saves both import templates into a folder the administrator picks;
/// the files' names, `null` when cancelled.
#[tauri::command(async)]
pub fn save_import_templates(app: AppHandle, station: State<'_, Workstation>) -> Reply<Option<Vec<String>>> {
    let r = station
        .actor()
        .and_then(|actor| exchange::save_templates(&actor, || dialogs::pick_template_folder(&app, station.lang())));
    reply(&station, r)
}

/// A file kind of an export, as the window names it.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Format {
    Xlsx,
    Csv,
}

impl From<Format> for FileFormat {
    fn from(f: Format) -> FileFormat {
        match f {
            Format::Xlsx => FileFormat::Xlsx,
            Format::Csv => FileFormat::Csv,
        }
    }
}

/// What to export, as the window names it.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Register {
    Journal,
    Queue,
    Report,
    Referrals,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportRequest {
    what: Register,
    format: Format,
    /// ISO dates of the period (the journal and the report); empty means the
    /// office's today.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// The distribution whose referrals are exported.
    #[serde(default)]
    distribution_id: Option<i64>,
}

/// Exports the journal of a period, the queue lists, a period's report or
/// the referrals of a distribution
/// to XLSX or CSV, saved where the person chooses; `null` when cancelled.
#[tauri::command(async)]
pub fn export_register(app: AppHandle, station: State<'_, Workstation>, payload: Value) -> Reply<Option<SavedExport>> {
    let r = (|| {
        let actor = station.actor()?;
        let req: ExportRequest = decode(payload)?;
        let (from, to) = period(&req.from, &req.to)?;
        let what = match req.what {
            Register::Journal => ExportWhat::Journal { from, to },
            Register::Queue => ExportWhat::Queue,
            Register::Report => ExportWhat::Report { from, to },
            Register::Referrals => ExportWhat::Referrals {
                distribution_id: req.distribution_id.ok_or(Error::MalformedRequest("distribution_id".into()))?,
            },
        };
        let lang = station.lang();
        let save = |name: &str| dialogs::save_export(&app, lang, name);
        exchange::export_to(&station, &actor, what, req.format.into(), lang, save)
    })();
    reply(&station, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodRequest {
    from: String,
    to: String,
}

/// The figures of a period for the head's report screen.
#[tauri::command(async)]
pub fn period_report(station: State<'_, Workstation>, payload: Value) -> Reply<PeriodReport> {
    let r = (|| {
        let actor = station.actor()?;
        let req: PeriodRequest = decode(payload)?;
        let (from, to) = period(&req.from, &req.to)?;
        exchange::period_report(&station, &actor, from, to)
    })();
    reply(&station, r)
}

/// Records a quality questionnaire given at the counter; its number.
#[tauri::command(async)]
pub fn record_survey(station: State<'_, Workstation>, payload: Value) -> Reply<i64> {
    let r = (|| {
        let actor = station.actor()?;
        let draft: SurveyDraft = decode(payload)?;
        exchange::record_survey(&station, &actor, &draft)
    })();
    reply(&station, r)
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![
        ("import_dry_run", decoder::<DryRunRequest>),
        ("confirm_import", decoder::<ImportRequest>),
        ("export_register", decoder::<ExportRequest>),
        ("period_report", decoder::<PeriodRequest>),
        ("record_survey", decoder::<SurveyDraft>),
    ]
}
