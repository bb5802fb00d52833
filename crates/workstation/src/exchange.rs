//! Data in and out at this desk: the administrator's import of the office's
//! existing queue and register (a dry run first, then the import itself with
//! progress and cancel), the exports of the journal, the queue lists and a
//! period's report into a folder the person chose, the import templates,
//! and the quality questionnaire recorded at the counter.
//!
//! The file is chosen by the shell's picker (from Rust; the window has no
//! file-system permission) and reaches here as a path. The right is checked
//! before the file is read; the import goes ahead only on the very file the
//! dry run showed (its SHA-256), so a file changed in between is not imported
//! unseen.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;
use kense_domain::access::{authorize, Action, Actor};
use kense_domain::import::{history, queue};
use kense_domain::survey::{Survey, SurveyDraft};
use kense_domain::{Error, Lang};
use kense_exchange::registers;
/// The file kinds an export takes (the shell names them through here).
pub use kense_exchange::registers::FileFormat;
use kense_exchange::{read_file, SheetFile};
use kense_storage::{HistoryImportReport, ImportFile, PeriodReport, QueueImportReport, Registry};

use crate::{clock, Workstation};

/// Which of the office's lists a file brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Queue,
    History,
}

fn import_file(file: &SheetFile) -> ImportFile {
    ImportFile { name: file.name.clone(), sha256: file.sha256.clone() }
}

fn queue_sheet(reg: &Registry, file: &SheetFile) -> Result<queue::QueueSheet, Error> {
    let kindergartens = reg.import_kindergartens()?;
    let rules = reg.queue_rules()?;
    let ctx =
        queue::QueueImportContext { rules: &rules, kindergartens: &kindergartens, now: clock::now().naive_local() };
    Ok(queue::read_sheet(&file.rows, &ctx))
}

fn history_sheet(reg: &Registry, file: &SheetFile) -> Result<history::HistorySheet, Error> {
    let (_, catalog) = reg.catalog()?;
    Ok(history::read_sheet(&file.rows, &catalog, clock::now().naive_local()))
}

/// Reads the chosen file after the right is checked.
fn read_checked(actor: &Actor, path: &Path) -> Result<SheetFile, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    read_file(path)
}

/// The file of a dry run read again for its import: refused if it changed
/// since (`sha256` is what the dry run read).
fn read_unchanged(actor: &Actor, path: &Path, sha256: &str) -> Result<SheetFile, Error> {
    let file = read_checked(actor, path)?;
    if file.sha256 != sha256 {
        return Err(Error::InvalidState);
    }
    Ok(file)
}

/// An import's progress callback: tells `progress`, and goes on until
/// `cancel` is set.
fn going_on<'a>(
    progress: &'a mut dyn FnMut(usize, usize),
    cancel: &'a AtomicBool,
) -> impl FnMut(usize, usize) -> bool + 'a {
    move |done, total| {
        progress(done, total);
        !cancel.load(Ordering::Relaxed)
    }
}

/// What importing the queue file at `path` would do.
pub fn queue_dry_run(station: &Workstation, actor: &Actor, path: &Path) -> Result<QueueImportReport, Error> {
    let file = read_checked(actor, path)?;
    station.with_registry(|reg| {
        let sheet = queue_sheet(reg, &file)?;
        reg.dry_run_queue_import(actor, &sheet, &import_file(&file), clock::now())
    })
}

/// Imports the queue file at `path`, which must still be the file of the dry
/// run (`sha256`). `progress` hears the rows written; `cancel` set stops the
/// import and nothing is written.
pub fn queue_import(
    station: &Workstation,
    actor: &Actor,
    path: &Path,
    sha256: &str,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<QueueImportReport, Error> {
    let file = read_unchanged(actor, path, sha256)?;
    station.with_registry(|reg| {
        let sheet = queue_sheet(reg, &file)?;
        reg.import_queue(actor, &sheet, &import_file(&file), clock::now(), &mut going_on(progress, cancel))
    })
}

/// What importing the register file at `path` would do.
pub fn history_dry_run(station: &Workstation, actor: &Actor, path: &Path) -> Result<HistoryImportReport, Error> {
    let file = read_checked(actor, path)?;
    station.with_registry(|reg| {
        let sheet = history_sheet(reg, &file)?;
        reg.dry_run_history_import(actor, &sheet, &import_file(&file), clock::now())
    })
}

/// Imports the register file at `path` (the dry run's file, by `sha256`).
pub fn history_import(
    station: &Workstation,
    actor: &Actor,
    path: &Path,
    sha256: &str,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<HistoryImportReport, Error> {
    let file = read_unchanged(actor, path, sha256)?;
    station.with_registry(|reg| {
        let sheet = history_sheet(reg, &file)?;
        reg.import_history(actor, &sheet, &import_file(&file), clock::now(), &mut going_on(progress, cancel))
    })
}

/// Writes an import template into `folder`; its path comes back.
pub fn write_template(kind: ImportKind, folder: &Path) -> Result<PathBuf, Error> {
    let (table, name) = match kind {
        ImportKind::Queue => (registers::queue_template(), "kense-queue-template.xlsx"),
        ImportKind::History => (registers::history_template(), "kense-register-template.xlsx"),
    };
    let path = folder.join(name);
    std::fs::write(&path, table.to_xlsx()?).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    Ok(path)
}

/// Exports the journal of `from..=to` into `folder`.
pub fn export_journal(
    station: &Workstation,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
    format: FileFormat,
    lang: Lang,
    folder: &Path,
) -> Result<PathBuf, Error> {
    let made =
        station.with_registry(|reg| registers::export_journal(reg, actor, from, to, format, lang, clock::now()))?;
    made.write_into(folder)
}

/// Exports the queue lists as they stand into `folder`.
pub fn export_queue(
    station: &Workstation,
    actor: &Actor,
    format: FileFormat,
    lang: Lang,
    folder: &Path,
) -> Result<PathBuf, Error> {
    let made = station.with_registry(|reg| registers::export_queue(reg, actor, format, lang, clock::now()))?;
    made.write_into(folder)
}

/// A period's figures, for the report screen.
pub fn period_report(
    station: &Workstation,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<PeriodReport, Error> {
    station.with_registry(|reg| reg.period_report(actor, from, to, clock::now()))
}

/// Exports a period's figures into `folder`.
pub fn export_period_report(
    station: &Workstation,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
    format: FileFormat,
    lang: Lang,
    folder: &Path,
) -> Result<PathBuf, Error> {
    let made = station.with_registry(|reg| {
        kense_exchange::reports::export_period_report(reg, actor, from, to, format, lang, clock::now())
    })?;
    made.write_into(folder)
}

/// Records a quality questionnaire the clerk gave at the counter.
pub fn record_survey(station: &Workstation, actor: &Actor, draft: &SurveyDraft) -> Result<i64, Error> {
    station.with_registry(|reg| {
        let (_, catalog) = reg.catalog()?;
        let survey = Survey::validate(draft, &catalog)?;
        reg.record_survey(actor, &survey, clock::now())
    })
}

/// What a dry run chosen in the window found, by the file's kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DryRun {
    Queue(QueueImportReport),
    History(HistoryImportReport),
}

impl ImportKind {
    pub fn parse(code: &str) -> Option<ImportKind> {
        match code {
            "queue" => Some(ImportKind::Queue),
            "history" => Some(ImportKind::History),
            _ => None,
        }
    }
}

fn remember(station: &Workstation, chosen: Option<(ImportKind, PathBuf)>) -> Result<(), Error> {
    *station.chosen_import.lock().map_err(crate::workstation::poisoned)? = chosen;
    Ok(())
}

/// Asks the administrator for a file (`choose_file`, only once the right is
/// checked) and dry-runs its import; `None` when they cancelled. The file is
/// remembered for [`confirm_import`].
pub fn choose_and_dry_run(
    station: &Workstation,
    actor: &Actor,
    kind: ImportKind,
    choose_file: impl FnOnce() -> Option<PathBuf>,
) -> Result<Option<DryRun>, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    let Some(path) = choose_file() else { return Ok(None) };
    remember(station, None)?;
    let report = match kind {
        ImportKind::Queue => DryRun::Queue(queue_dry_run(station, actor, &path)?),
        ImportKind::History => DryRun::History(history_dry_run(station, actor, &path)?),
    };
    remember(station, Some((kind, path)))?;
    Ok(Some(report))
}

/// Imports the file of the last dry run of `kind`, which must still be the
/// file shown (`sha256`), as a job: its progress is read and it is
/// cancelled the way a backup's is.
pub fn confirm_import(station: &Workstation, actor: &Actor, kind: ImportKind, sha256: &str) -> Result<DryRun, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    let chosen = station.chosen_import.lock().map_err(crate::workstation::poisoned)?.clone();
    let path = match chosen {
        Some((k, path)) if k == kind => path,
        _ => return Err(Error::InvalidState),
    };
    let job = station.begin_job(false)?;
    let cancel = AtomicBool::new(false);
    let mut progress = |done: usize, total: usize| {
        let p = kense_storage::Progress { stage: kense_storage::Stage::Rows, done: done as u64, total: total as u64 };
        if !job.report(p) {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let done = match kind {
        ImportKind::Queue => DryRun::Queue(queue_import(station, actor, &path, sha256, &cancel, &mut progress)?),
        ImportKind::History => DryRun::History(history_import(station, actor, &path, sha256, &cancel, &mut progress)?),
    };
    remember(station, None)?;
    Ok(done)
}

/// Writes both import templates into the folder `choose_folder` asks for;
/// their names come back, `None` when cancelled.
pub fn save_templates(
    actor: &Actor,
    choose_folder: impl FnOnce() -> Option<PathBuf>,
) -> Result<Option<Vec<String>>, Error> {
    authorize(actor, Action::ManageOffice, None)?;
    let Some(folder) = choose_folder() else { return Ok(None) };
    let mut names = Vec::new();
    for kind in [ImportKind::Queue, ImportKind::History] {
        let path = write_template(kind, &folder)?;
        names.push(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    }
    Ok(Some(names))
}

/// Which register an export from the window makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportWhat {
    Journal { from: NaiveDate, to: NaiveDate },
    Queue,
    Report { from: NaiveDate, to: NaiveDate },
    Referrals { distribution_id: i64 },
}

impl ExportWhat {
    fn kind(self) -> kense_storage::ExportKind {
        match self {
            ExportWhat::Journal { .. } => kense_storage::ExportKind::Journal,
            ExportWhat::Queue => kense_storage::ExportKind::QueueList,
            ExportWhat::Report { .. } => kense_storage::ExportKind::PeriodReport,
            ExportWhat::Referrals { .. } => kense_storage::ExportKind::Referrals,
        }
    }

    /// The name the save dialog suggests (the export's own name, which
    /// `kense_exchange` gives it, without the period's order fixed).
    fn suggested_name(self, format: FileFormat) -> String {
        let ext = format.extension();
        match self {
            ExportWhat::Journal { from, to } => format!("journal_{}_{}.{ext}", from.min(to), from.max(to)),
            ExportWhat::Queue => format!("queue_{}.{ext}", clock::now().date_naive()),
            ExportWhat::Report { from, to } => format!("report_{}_{}.{ext}", from.min(to), from.max(to)),
            ExportWhat::Referrals { distribution_id } => format!("referrals_{distribution_id}.{ext}"),
        }
    }
}

/// An export written where the person chose.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SavedExport {
    pub file_name: String,
    pub rows: usize,
    pub sha256: String,
}

/// Makes an export and writes it to the file `choose_file` asks for (given
/// the name to suggest), once the right is known; `None` when cancelled,
/// and then nothing is made nor recorded.
pub fn export_to(
    station: &Workstation,
    actor: &Actor,
    what: ExportWhat,
    format: FileFormat,
    lang: Lang,
    choose_file: impl FnOnce(&str) -> Option<PathBuf>,
) -> Result<Option<SavedExport>, Error> {
    station.with_registry(|reg| reg.authorize_export(actor, what.kind(), clock::now()))?;
    let Some(path) = choose_file(&what.suggested_name(format)) else { return Ok(None) };
    let made = station.with_registry(|reg| match what {
        ExportWhat::Journal { from, to } => registers::export_journal(reg, actor, from, to, format, lang, clock::now()),
        ExportWhat::Queue => registers::export_queue(reg, actor, format, lang, clock::now()),
        ExportWhat::Report { from, to } => {
            kense_exchange::reports::export_period_report(reg, actor, from, to, format, lang, clock::now())
        }
        ExportWhat::Referrals { distribution_id } => {
            registers::export_referrals(reg, actor, distribution_id, format, lang, clock::now())
        }
    })?;
    std::fs::write(&path, &made.bytes).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(made.file_name);
    Ok(Some(SavedExport { file_name, rows: made.rows, sha256: made.sha256 }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_queue_file_with_one_bad_row_at_the_desk() {
        let dir = std::env::temp_dir().join(format!("kense-exchange-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let station = Workstation::start(Ok(dir.clone()), false);
        crate::session::create_administrator(&station, "admin", "Әкімші Бақыт", "құпия сөз 2026", "құпия сөз 2026")
            .unwrap();
        crate::session::log_in(&station, "admin", "құпия сөз 2026").unwrap();
        let actor = station.actor().unwrap();

        let template = write_template(ImportKind::Queue, &dir).unwrap();
        let empty = queue_dry_run(&station, &actor, &template).unwrap();
        assert!(empty.problems.is_empty() && empty.rows.is_empty(), "{empty:?}");

        let csv = dir.join("кезек.csv");
        std::fs::write(
            &csv,
            "\u{feff}Өтініш берілген күні мен уақыты;Баланың ЖСН;Баланың аты-жөні;Баланың туған күні;\
             Өтініш берушінің ЖСН;Өтініш берушінің аты-жөні\n\
             01.09.2023 09:30:00;220504500018;Бала Бір;04.05.2022;900101300007;Ата-ана Бір\n\
             02.09.2023 09:30:00;22О315500605;Бала Екі;15.03.2022;900101300007;Ата-ана Екі\n\
             03.09.2023 09:30:00;220315500605;Бала Үш;15.03.2022;900101300007;Ата-ана Үш\n",
        )
        .unwrap();
        let dry = queue_dry_run(&station, &actor, &csv).unwrap();
        assert_eq!(dry.problems.iter().map(|p| (p.row, p.code)).collect::<Vec<_>>(), vec![(3, "look_alike")]);
        assert_eq!(
            dry.rows.iter().map(|r| r.position).collect::<Vec<_>>(),
            vec![Some(1), Some(2)],
            "both born in 2022, by moment"
        );

        assert_eq!(
            queue_import(&station, &actor, &csv, "0000", &AtomicBool::new(false), &mut |_, _| {}),
            Err(Error::InvalidState),
            "not the file of the dry run"
        );
        let cancelled = queue_import(&station, &actor, &csv, &dry.file.sha256, &AtomicBool::new(true), &mut |_, _| {});
        assert_eq!(cancelled, Err(Error::Cancelled));
        let mut heard = Vec::new();
        let done = queue_import(&station, &actor, &csv, &dry.file.sha256, &AtomicBool::new(false), &mut |d, t| {
            heard.push((d, t))
        })
        .unwrap();
        assert_eq!(done.rows, dry.rows);
        assert_eq!(heard.last(), Some(&(2, 2)));
        let again = queue_dry_run(&station, &actor, &csv).unwrap();
        assert_eq!((again.rows.len(), again.already_imported), (0, 2));
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The window's way: a file chosen in a dialog (only once the right is
    /// known), its dry run remembered, the import as a job; an export saved
    /// where the dialog says, nothing made when it is cancelled.
    #[test]
    fn the_window_chooses_files_and_the_import_runs_as_a_job() {
        let dir = std::env::temp_dir().join(format!("kense-exchange-window-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let station = Workstation::start(Ok(dir.clone()), false);
        crate::session::create_administrator(&station, "admin", "Әкімші Бақыт", "құпия сөз 2026", "құпия сөз 2026")
            .unwrap();
        crate::session::log_in(&station, "admin", "құпия сөз 2026").unwrap();
        let admin = station.actor().unwrap();

        let templates = save_templates(&admin, || Some(dir.clone())).unwrap().unwrap();
        assert_eq!(templates.len(), 2);
        assert_eq!(save_templates(&admin, || None).unwrap(), None);

        assert_eq!(confirm_import(&station, &admin, ImportKind::Queue, "00"), Err(Error::InvalidState), "no dry run");
        let csv = dir.join("queue.csv");
        std::fs::write(
            &csv,
            "Өтініш берілген күні мен уақыты;Баланың ЖСН;Баланың аты-жөні;Баланың туған күні;\
             Өтініш берушінің ЖСН;Өтініш берушінің аты-жөні\n\
             01.09.2023 09:30:00;220504500018;Бала Бір;04.05.2022;900101300007;Ата-ана Бір\n",
        )
        .unwrap();
        assert_eq!(choose_and_dry_run(&station, &admin, ImportKind::Queue, || None).unwrap(), None);
        let Some(DryRun::Queue(dry)) =
            choose_and_dry_run(&station, &admin, ImportKind::Queue, || Some(csv.clone())).unwrap()
        else {
            panic!("a queue dry run")
        };
        assert_eq!(dry.rows.len(), 1);
        assert_eq!(
            confirm_import(&station, &admin, ImportKind::History, &dry.file.sha256),
            Err(Error::InvalidState),
            "the dry run was of the queue"
        );
        let Ok(DryRun::Queue(done)) = confirm_import(&station, &admin, ImportKind::Queue, &dry.file.sha256) else {
            panic!("imported")
        };
        assert_eq!(done.rows, dry.rows);
        assert_eq!(station.progress(), None, "the job ended");
        assert_eq!(confirm_import(&station, &admin, ImportKind::Queue, &dry.file.sha256), Err(Error::InvalidState));

        let saved = dir.join("chosen-name.xlsx");
        let today = clock::now().date_naive();
        let what = ExportWhat::Report { from: today, to: today };
        let asked = std::cell::Cell::new(false);
        let ask = |_: &str| {
            asked.set(true);
            None
        };
        assert_eq!(export_to(&station, &admin, what, FileFormat::Xlsx, Lang::Kk, ask), Err(Error::Forbidden));
        assert!(!asked.get(), "an administrator was shown a dialog for a report");
        let head = station
            .with_registry(|r| {
                let pw = "құпия сөз 2026";
                let user = kense_domain::user::NewUser::validate(
                    "head",
                    "Басшы Гүлнар",
                    vec![kense_domain::access::Role::Head],
                )?;
                r.create_user(&admin, &user, pw, pw, clock::now())?;
                r.log_in("head", pw, clock::now())
            })
            .unwrap();
        assert_eq!(export_to(&station, &head, what, FileFormat::Xlsx, Lang::Kk, |_| None), Ok(None));
        let mut suggested = String::new();
        let made = export_to(&station, &head, what, FileFormat::Xlsx, Lang::Kk, |name| {
            suggested = name.to_owned();
            Some(saved.clone())
        })
        .unwrap()
        .unwrap();
        assert_eq!(suggested, format!("report_{today}_{today}.xlsx"));
        assert_eq!(made.file_name, "chosen-name.xlsx");
        assert!(std::fs::read(&saved).unwrap().starts_with(b"PK"), "an XLSX (a ZIP)");
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }
}
