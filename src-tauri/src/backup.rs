//! When backups happen, and the administrator's backup actions.
//!
//! The program backs the registry up at start-up when the newest backup is
//! older than a day, once a day while it runs, and when it exits; all of it
//! off the window's thread. The copy itself reads through its own SQLite
//! connection, so the registry lock is held only to authorize and to audit,
//! never while pages are copied: a clerk registering meanwhile is not held up.
//!
//! Folder and file pickers are opened from Rust (tauri-plugin-dialog's Rust
//! API); the window has no dialog permission, so no path it names can reach
//! a scope. Debug builds accept `--dialog-answer <file>`: each dialog then
//! answers with the path written in that file (empty = cancelled), because
//! WebDriver cannot drive a native dialog. Release builds ignore it.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use kense_domain::access::{authorize, Action, Actor};
use kense_domain::{Error, Lang};
use kense_storage::backup::{self, CopyRecord};
use kense_storage::{BackupFile, BackupRecord, Initiator, Progress, RestoreRecord, Unusable};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

use kense_workstation::Workstation;
use kense_workstation::{clock, paths};

/// How often the running program looks whether a day has passed since the
/// newest backup.
const CHECK_EVERY: Duration = Duration::from_secs(10 * 60);

static DIALOG_ANSWER: OnceLock<PathBuf> = OnceLock::new();

/// Debug builds only: dialogs answer from `file` (see the module's doc).
pub fn answer_dialogs_from(file: PathBuf) {
    if !cfg!(debug_assertions) {
        log::warn!("--dialog-answer is ignored in release builds");
        return;
    }
    log::warn!("dialogs answer from {}", file.display());
    let _ = DIALOG_ANSWER.set(file);
}

/// `Some(answer)` when a debug build was told how dialogs answer.
fn scripted_answer() -> Option<Option<PathBuf>> {
    let file = DIALOG_ANSWER.get().filter(|_| cfg!(debug_assertions))?;
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let path = text.trim();
    Some((!path.is_empty()).then(|| PathBuf::from(path)))
}

fn pick_folder<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> Option<PathBuf> {
    if let Some(answer) = scripted_answer() {
        return answer;
    }
    let title = match lang {
        Lang::Kk => "Резервтік көшірмені қай қалтаға көшіру керек?",
        Lang::Ru => "В какую папку скопировать резервную копию?",
    };
    let mut dialog = app.dialog().file().set_title(title);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.blocking_pick_folder().and_then(|p| p.into_path().ok())
}

fn pick_file<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> Option<PathBuf> {
    if let Some(answer) = scripted_answer() {
        return answer;
    }
    let (title, kind) = match lang {
        Lang::Kk => ("Қалпына келтіру үшін резервтік көшірмені таңдаңыз", "Kense резервтік көшірмесі"),
        Lang::Ru => ("Выберите резервную копию для восстановления", "Резервная копия Kense"),
    };
    let mut dialog = app.dialog().file().set_title(title).add_filter(kind, &["sqlite", "sqlite3", "db"]);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.blocking_pick_file().and_then(|p| p.into_path().ok())
}

fn backups_dir(state: &Workstation) -> Result<PathBuf, Error> {
    Ok(paths::backups_dir(state.data_dir()?))
}

/// Makes a verified backup. The lock on the registry is taken twice, briefly:
/// to authorize (a refusal is audited) and to audit the result.
pub fn back_up(state: &Workstation, by: Initiator<'_>, wait: bool) -> Result<BackupRecord, Error> {
    let job = state.begin_job(wait)?;
    let now = clock::now();
    let dir = backups_dir(state)?;
    let source = state.with_registry(|r| {
        if let Initiator::Person(actor) = by {
            r.authorize_backups(actor, "back_up", now)?;
        }
        if r.is_read_only() {
            return Err(Error::ReadOnly);
        }
        Ok(r.path().to_path_buf())
    })?;
    let mut report = |p: Progress| job.report(p);
    let mut rec = backup::take(&source, &dir, now, &mut report)?;
    state.with_registry(|r| r.finish_backup(by, &mut rec, &dir, now, &mut report))?;
    log::info!("backup {} ({} bytes, {} audit events)", rec.name, rec.size, rec.audit_events);
    Ok(rec)
}

pub fn list(state: &Workstation, actor: &Actor) -> Result<Vec<BackupFile>, Error> {
    let dir = backups_dir(state)?;
    state.with_registry(|r| r.backups(actor, &dir, clock::now()))
}

/// Copies the newest backup to a folder the administrator picks; `None` if
/// the dialog was cancelled.
pub fn copy_latest<R: Runtime>(
    app: &AppHandle<R>,
    state: &Workstation,
    actor: &Actor,
) -> Result<Option<CopyRecord>, Error> {
    state.with_registry(|r| r.authorize_backups(actor, "copy_latest_backup", clock::now()))?;
    let Some(destination) = pick_folder(app, state.lang()) else { return Ok(None) };
    let job = state.begin_job(false)?;
    let rec = backup::copy_latest(&backups_dir(state)?, &destination, &mut |p| job.report(p))?;
    state.with_registry(|r| r.record_backup_copy(actor, &rec, clock::now()))?;
    Ok(Some(rec))
}

/// Restores the registry from a file the administrator picks; `None` if the
/// dialog was cancelled. Everyone is logged out afterwards: the accounts,
/// roles and open work of the restored registry are not the ones the
/// session was opened against.
pub fn restore<R: Runtime>(
    app: &AppHandle<R>,
    state: &Workstation,
    actor: &Actor,
) -> Result<Option<RestoreRecord>, Error> {
    state.with_registry(|r| r.authorize_backups(actor, "restore", clock::now()))?;
    let Some(file) = pick_file(app, state.lang()) else { return Ok(None) };
    let job = state.begin_job(false)?;
    let staging = paths::restore_staging(state.data_dir()?);
    let mut report = |p: Progress| job.report(p);
    let staged = backup::stage_restore(&file, &staging, &mut report)?;
    let record = state.swap_registry(|current| {
        let registry = match current {
            Ok(r) => r,
            Err(e) => {
                staged.discard();
                return (Err(e.clone()), Err(e));
            }
        };
        let out = registry.restore(staged, actor, clock::now(), &mut report);
        let reopened = out.registry.and_then(|mut r| {
            state.prepare(&mut r)?;
            Ok(r)
        });
        (reopened, out.result)
    })?;
    state.set_actor(None)?;
    Ok(Some(record))
}

/// Why the registry cannot be used, when a backup may stand in for it: it
/// is damaged or failed to migrate, or it is gone while backups exist. A
/// registry written by a newer Kense, a folder that cannot be read or one
/// held by another program is not recovered from a backup: the fix there
/// is the newer Kense, the right permissions, or closing the other program.
fn unusable(e: &Error) -> Option<Unusable> {
    match e {
        Error::RegistryMissing => Some(Unusable::Missing),
        Error::DatabaseCorrupt(_) | Error::Storage(_) => Some(Unusable::Unopenable(e.clone())),
        _ => None,
    }
}

/// Whether restoring without a log-in is open: the registry is unusable
/// (see [`unusable`]) or still empty (Kense just installed).
pub fn recovery_offered(state: &Workstation) -> bool {
    match state.registry().as_deref() {
        Ok(Ok(r)) => r.has_users().is_ok_and(|has| !has),
        Ok(Err(e)) => unusable(e).is_some(),
        Err(_) => false,
    }
}

/// The backups the recovery screen offers, newest first.
pub fn recovery_backups(state: &Workstation) -> Result<Vec<BackupFile>, Error> {
    if !recovery_offered(state) {
        return Err(Error::AlreadyInitialised);
    }
    backup::list(&backups_dir(state)?)
}

/// Restores a backup with nobody logged in (see `recovery_offered`): the
/// one named from the data folder's backups, or a file picked in a dialog
/// (`None` when it is cancelled). Who restores is checked against the
/// administrators of the backup itself.
pub fn recover<R: Runtime>(
    app: &AppHandle<R>,
    state: &Workstation,
    backup_name: Option<&str>,
    login: &str,
    password: &str,
) -> Result<Option<RestoreRecord>, Error> {
    if !recovery_offered(state) {
        return Err(Error::AlreadyInitialised);
    }
    state.recovery_allowed()?;
    let dir = backups_dir(state)?;
    let file = match backup_name {
        // Only a name the program itself listed: the window never names a path.
        Some(name) => match backup::list(&dir)?.into_iter().find(|f| f.name == name) {
            Some(f) => dir.join(f.name),
            None => return Err(Error::NotFound),
        },
        None => match pick_file(app, state.lang()) {
            Some(file) => file,
            None => return Ok(None),
        },
    };
    let job = state.begin_job(false)?;
    job.open_progress_to_all();
    let data_dir = state.data_dir()?.clone();
    let mut report = |p: Progress| job.report(p);
    let staged = backup::stage_restore(&file, &paths::restore_staging(&data_dir), &mut report)?;
    let live = paths::registry_file(&data_dir);
    let result = state.swap_registry(|current| {
        let current = match current {
            Ok(r) => Ok(r),
            Err(e) => match unusable(&e) {
                Some(u) => Err(u),
                None => {
                    staged.discard();
                    return (Err(e.clone()), Err(e));
                }
            },
        };
        let who = backup::Credentials { login, password, refused_before: state.recovery_refusals() };
        let (next, result) = backup::recover(&live, current, staged, &who, clock::now(), &mut report);
        let next = match next {
            Ok(mut r) => state.prepare(&mut r).map(|()| r),
            Err(Unusable::Missing) => Err(Error::RegistryMissing),
            Err(Unusable::Unopenable(e)) => Err(e),
        };
        (next, result)
    });
    match &result {
        Ok(_) => state.recovery_attempt(false)?,
        Err(Error::BadCredentials | Error::Forbidden) => state.recovery_attempt(true)?,
        Err(_) => {}
    }
    state.set_actor(None)?;
    result.map(Some)
}

/// Where a running backup or restore is. Polled by the window several
/// times a second, so a refusal here is not audited (it reveals nothing).
/// The recovery screen asks it with nobody logged in.
pub fn progress(state: &Workstation) -> Result<Option<Progress>, Error> {
    if !state.progress_open_to_all() {
        authorize(&state.actor()?, Action::ManageBackups, None)?;
    }
    Ok(state.progress())
}

/// Whether the registry holds anything to back up and can take a backup:
/// an office not set up yet has nothing, and a backup of it would only be
/// offered later as something to restore.
fn worth_backing_up(state: &Workstation) -> bool {
    state.with_registry(|r| Ok(!r.is_read_only() && r.has_users()?)).unwrap_or(false)
}

/// Stops the running backup, copy or restore at its next report (a
/// restore's swap, once begun, finishes). Open to the recovery screen while
/// a recovery runs, otherwise to administrators.
pub fn cancel(state: &Workstation) -> Result<bool, Error> {
    if !state.progress_open_to_all() {
        authorize(&state.actor()?, Action::ManageBackups, None)?;
    }
    Ok(state.request_cancel())
}

/// A day or more since the newest backup (or none yet), and a registry
/// worth backing up.
fn due(state: &Workstation) -> bool {
    let writable = worth_backing_up(state);
    let newest = backups_dir(state).and_then(|d| backup::list(&d)).map(|l| l.into_iter().next());
    match (writable, newest) {
        (true, Ok(None)) => true,
        (true, Ok(Some(f))) => clock::now().naive_local() - f.taken_at >= chrono::Duration::days(1),
        (true, Err(e)) => {
            log::error!("backups cannot be listed: {e}");
            false
        }
        (false, _) => false,
    }
}

fn scheduled(state: &Workstation, when: &'static str, wait: bool) {
    match back_up(state, Initiator::Schedule(when), wait) {
        Ok(_) => {}
        Err(Error::BackupRunning) => log::info!("{when} backup skipped: another is running"),
        Err(e) => log::error!("{when} backup failed: {e}"),
    }
}

/// The start-up and daily backups, on a thread of their own.
pub fn start_schedule<R: Runtime>(app: AppHandle<R>) {
    let spawned = std::thread::Builder::new().name("kense-backups".into()).spawn(move || {
        let mut when = "start-up";
        loop {
            if let Some(state) = app.try_state::<Workstation>() {
                if due(&state) {
                    scheduled(&state, when, false);
                }
            }
            when = "daily";
            std::thread::sleep(CHECK_EVERY);
        }
    });
    if let Err(e) = spawned {
        log::error!("backup schedule not started: {e}");
    }
}

/// The exit backup. The window is already closed when this runs, so waiting
/// for it (and for a scheduled backup still running) holds nobody up, and
/// the process does not end in the middle of a copy.
pub fn on_exit<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<Workstation>() else { return };
    if worth_backing_up(&state) {
        scheduled(&state, "exit", true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kense-station-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_missing_registry_with_backups_is_not_replaced_by_an_empty_one() {
        let dir = temp("missing");
        std::fs::create_dir_all(paths::backups_dir(&dir)).unwrap();
        std::fs::write(paths::backups_dir(&dir).join("registry-20261124-100000.sqlite"), b"x").unwrap();
        let station = Workstation::start(Ok(dir.clone()), false);
        assert_eq!(station.with_registry(|r| r.has_users()).unwrap_err(), Error::RegistryMissing);
        assert!(!paths::registry_file(&dir).exists(), "no empty registry was made");
        assert!(recovery_offered(&station));
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }
}
