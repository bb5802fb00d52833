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
use kense_exchange::registers::{self, FileFormat};
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
    let ctx = queue::QueueImportContext {
        rules: reg.queue_rules(),
        kindergartens: &kindergartens,
        now: clock::now().naive_local(),
    };
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
    let file = read_checked(actor, path)?;
    if file.sha256 != sha256 {
        return Err(Error::InvalidState);
    }
    station.with_registry(|reg| {
        let sheet = queue_sheet(reg, &file)?;
        let mut go_on = |done: usize, total: usize| {
            progress(done, total);
            !cancel.load(Ordering::Relaxed)
        };
        reg.import_queue(actor, &sheet, &import_file(&file), clock::now(), &mut go_on)
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
    let file = read_checked(actor, path)?;
    if file.sha256 != sha256 {
        return Err(Error::InvalidState);
    }
    station.with_registry(|reg| {
        let sheet = history_sheet(reg, &file)?;
        let mut go_on = |done: usize, total: usize| {
            progress(done, total);
            !cancel.load(Ordering::Relaxed)
        };
        reg.import_history(actor, &sheet, &import_file(&file), clock::now(), &mut go_on)
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
}
