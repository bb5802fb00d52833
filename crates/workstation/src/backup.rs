//! When backups happen, and the administrator's backup actions.
//!
//! The program backs the registry up at start-up when the newest backup is
//! older than a day, once a day while it runs, and when it exits; the shell
//! runs [`back_up_if_due`] on a thread of its own every [`CHECK_EVERY`] and
//! [`on_exit`] after the window closed. The copy itself reads through its
//! own SQLite connection, so the registry lock is held only to authorize and
//! to audit, never while pages are copied: a clerk registering meanwhile is
//! not held up.
//!
//! Which folder or file a copy, restore or recovery uses is chosen by the
//! person in a dialog the shell opens; it is passed in here as a function
//! that asks, called only once the person is known to be allowed, so that
//! nobody is shown a dialog for something they may not do.

use std::path::PathBuf;
use std::time::Duration;

use kense_domain::access::{authorize, Action, Actor};
use kense_domain::Error;
use kense_storage::backup::{self, CopyRecord};
use kense_storage::{BackupFile, BackupRecord, Initiator, Progress, RestoreRecord, Unusable};

use crate::{clock, paths, Workstation};

/// How often the running program looks whether a day has passed since the
/// newest backup.
pub const CHECK_EVERY: Duration = Duration::from_secs(10 * 60);

fn backups_dir(station: &Workstation) -> Result<PathBuf, Error> {
    Ok(paths::backups_dir(station.data_dir()?))
}

/// Makes a verified backup. The lock on the registry is taken twice, briefly:
/// to authorize (a refusal is audited) and to audit the result.
pub fn back_up(station: &Workstation, by: Initiator<'_>, wait: bool) -> Result<BackupRecord, Error> {
    let job = station.begin_job(wait)?;
    let now = clock::now();
    let dir = backups_dir(station)?;
    let mut report = |p: Progress| job.report(p);
    let source = station.with_registry(|r| Ok(r.path().map(std::path::Path::to_path_buf)))?;
    let Some(source) = source else {
        // The office server is exported through one consistent read on the
        // registry's own connection, which this desk holds meanwhile.
        let rec = station.with_registry(|r| r.back_up(by, &dir, now, &mut report))?;
        log::info!("backup of the office server {} ({} bytes, {} audit events)", rec.name, rec.size, rec.audit_events);
        return Ok(rec);
    };
    station.with_registry(|r| {
        if let Initiator::Person(actor) = by {
            r.authorize_backups(actor, "back_up", now)?;
        }
        if r.is_read_only() {
            return Err(Error::ReadOnly);
        }
        Ok(())
    })?;
    let mut rec = backup::take(&source, &dir, now, &mut report)?;
    station.with_registry(|r| r.finish_backup(by, &mut rec, &dir, now, &mut report))?;
    log::info!("backup {} ({} bytes, {} audit events)", rec.name, rec.size, rec.audit_events);
    Ok(rec)
}

/// The verified backups in the data folder, newest first.
pub fn list(station: &Workstation, actor: &Actor) -> Result<Vec<BackupFile>, Error> {
    let dir = backups_dir(station)?;
    station.with_registry(|r| r.backups(actor, &dir, clock::now()))
}

/// Copies the newest backup to the folder `choose_folder` asks the
/// administrator for; `None` if they cancelled.
pub fn copy_latest(
    station: &Workstation,
    actor: &Actor,
    choose_folder: impl FnOnce() -> Option<PathBuf>,
) -> Result<Option<CopyRecord>, Error> {
    station.with_registry(|r| r.authorize_backups(actor, "copy_latest_backup", clock::now()))?;
    let Some(destination) = choose_folder() else { return Ok(None) };
    let job = station.begin_job(false)?;
    let rec = backup::copy_latest(&backups_dir(station)?, &destination, &mut |p| job.report(p))?;
    station.with_registry(|r| r.record_backup_copy(actor, &rec, clock::now()))?;
    Ok(Some(rec))
}

/// Restores the registry from the file `choose_file` asks the administrator
/// for; `None` if they cancelled. Everyone is logged out afterwards: the
/// accounts, roles and open work of the restored registry are not the ones
/// the session was opened against.
pub fn restore(
    station: &Workstation,
    actor: &Actor,
    choose_file: impl FnOnce() -> Option<PathBuf>,
) -> Result<Option<RestoreRecord>, Error> {
    station.with_registry(|r| {
        r.authorize_backups(actor, "restore", clock::now())?;
        // The office server's registry is never replaced from a desk: a
        // backup goes onto the server by its owner, into an empty database
        // (`kense server move`).
        match r.path() {
            Some(_) => Ok(()),
            None => Err(Error::ServerNotEmpty),
        }
    })?;
    let Some(file) = choose_file() else { return Ok(None) };
    let job = station.begin_job(false)?;
    let staging = paths::restore_staging(station.data_dir()?);
    let mut report = |p: Progress| job.report(p);
    let staged = backup::stage_restore(&file, &staging, &mut report)?;
    let record = station.swap_registry(|current| {
        let registry = match current {
            Ok(r) => r,
            Err(e) => {
                staged.discard();
                return (Err(e.clone()), Err(e));
            }
        };
        let out = registry.restore(staged, actor, clock::now(), &mut report);
        let reopened = out.registry.and_then(|mut r| {
            crate::evidence::forget_checkpoint(station);
            station.prepare(&mut r)?;
            Ok(r)
        });
        (reopened, out.result)
    })?;
    station.set_actor(None)?;
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
pub fn recovery_offered(station: &Workstation) -> bool {
    match station.registry().as_deref() {
        // A registry on the office server is restored there by its owner
        // (a move into an empty database), never from a desk.
        Ok(Ok(r)) => r.path().is_some() && r.has_users().is_ok_and(|has| !has),
        Ok(Err(e)) => unusable(e).is_some(),
        Err(_) => false,
    }
}

/// The backups the recovery screen offers, newest first.
pub fn recovery_backups(station: &Workstation) -> Result<Vec<BackupFile>, Error> {
    if !recovery_offered(station) {
        return Err(Error::AlreadyInitialised);
    }
    backup::list(&backups_dir(station)?)
}

/// Restores a backup with nobody logged in (see [`recovery_offered`]): the
/// one named from the data folder's backups, or the file `choose_file` asks
/// for (`None` when it is cancelled). Who restores is checked against the
/// administrators of the backup itself.
pub fn recover(
    station: &Workstation,
    backup_name: Option<&str>,
    login: &str,
    password: &str,
    choose_file: impl FnOnce() -> Option<PathBuf>,
) -> Result<Option<RestoreRecord>, Error> {
    if !recovery_offered(station) {
        return Err(Error::AlreadyInitialised);
    }
    station.recovery_allowed()?;
    let dir = backups_dir(station)?;
    let file = match backup_name {
        // Only a name the program itself listed: the window never names a path.
        Some(name) => match backup::list(&dir)?.into_iter().find(|f| f.name == name) {
            Some(f) => dir.join(f.name),
            None => return Err(Error::NotFound),
        },
        None => match choose_file() {
            Some(file) => file,
            None => return Ok(None),
        },
    };
    let job = station.begin_job(false)?;
    job.open_progress_to_all();
    let data_dir = station.data_dir()?.clone();
    let mut report = |p: Progress| job.report(p);
    let staged = backup::stage_restore(&file, &paths::restore_staging(&data_dir), &mut report)?;
    let live = paths::registry_file(&data_dir);
    let result = station.swap_registry(|current| {
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
        let who = backup::Credentials { login, password, refused_before: station.recovery_refusals() };
        let (next, result) = backup::recover(&live, current, staged, &who, clock::now(), &mut report);
        let next = match next {
            Ok(mut r) => {
                crate::evidence::forget_checkpoint(station);
                station.prepare(&mut r).map(|()| r)
            }
            Err(Unusable::Missing) => Err(Error::RegistryMissing),
            Err(Unusable::Unopenable(e)) => Err(e),
        };
        (next, result)
    });
    match &result {
        Ok(_) => station.recovery_attempt(false)?,
        Err(Error::BadCredentials | Error::Forbidden) => station.recovery_attempt(true)?,
        Err(_) => {}
    }
    station.set_actor(None)?;
    result.map(Some)
}

/// Where a running backup or restore is. Polled by the window several
/// times a second, so a refusal here is not audited (it reveals nothing).
/// The recovery screen asks it with nobody logged in.
pub fn progress(station: &Workstation) -> Result<Option<Progress>, Error> {
    if !station.progress_open_to_all() {
        authorize(&station.actor()?, Action::ManageBackups, None)?;
    }
    Ok(station.progress())
}

/// Stops the running backup, copy or restore at its next report (a
/// restore's swap, once begun, finishes). Open to the recovery screen while
/// a recovery runs, otherwise to administrators.
pub fn cancel(station: &Workstation) -> Result<bool, Error> {
    if !station.progress_open_to_all() {
        authorize(&station.actor()?, Action::ManageBackups, None)?;
    }
    Ok(station.request_cancel())
}

/// Whether the registry holds anything to back up and can take a backup:
/// an office not set up yet has nothing, and a backup of it would only be
/// offered later as something to restore.
fn worth_backing_up(station: &Workstation) -> bool {
    station.with_registry(|r| Ok(!r.is_read_only() && r.has_users()?)).unwrap_or(false)
}

/// A day or more since the newest backup (or none yet), and a registry
/// worth backing up.
fn due(station: &Workstation) -> bool {
    let writable = worth_backing_up(station);
    let newest = backups_dir(station).and_then(|d| backup::list(&d)).map(|l| l.into_iter().next());
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

fn scheduled(station: &Workstation, when: &'static str, wait: bool) {
    match back_up(station, Initiator::Schedule(when), wait) {
        Ok(_) => {}
        Err(Error::BackupRunning) => log::info!("{when} backup skipped: another is running"),
        Err(e) => log::error!("{when} backup failed: {e}"),
    }
}

/// One look of the schedule (`when` is "start-up" the first time, then
/// "daily"): a backup if one is due (one already running is not waited
/// for), and the full check of the evidence once a day.
pub fn back_up_if_due(station: &Workstation, when: &'static str) {
    if due(station) {
        scheduled(station, when, false);
    }
    if station.full_check_due() {
        crate::evidence::scheduled(station);
    }
}

/// The exit backup. The window is already closed when this runs, so waiting
/// for it (and for a scheduled backup still running) holds nobody up, and
/// the process does not end in the middle of a copy.
pub fn on_exit(station: &Workstation) {
    if worth_backing_up(station) {
        scheduled(station, "exit", true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kense_domain::access::Role;
    use kense_domain::user::NewUser;

    const PW: &str = "құпия сөз 2026";

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kense-backup-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// An office with its administrator and a clerk who may not touch backups.
    fn office(dir: &std::path::Path) -> (Workstation, Actor, Actor) {
        let station = Workstation::start(Ok(dir.to_path_buf()), false);
        let now = clock::now();
        let (admin, clerk) = station
            .with_registry(|r| {
                let first = NewUser::validate("admin", "Әкімші Бақыт", vec![Role::Administrator, Role::Clerk])?;
                let admin = r.create_first_administrator(&first, PW, PW, now)?;
                r.create_user(&admin, &NewUser::validate("clerk", "Тіркеуші Айгүл", vec![Role::Clerk])?, PW, PW, now)?;
                Ok((admin, r.log_in("clerk", PW, now)?))
            })
            .unwrap();
        (station, admin, clerk)
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

    /// The schedule backs up an office in use once a day, and an office
    /// nobody has set up yet never.
    #[test]
    fn the_schedule_backs_up_only_what_is_due() {
        let dir = temp("schedule");
        let station = Workstation::start(Ok(dir.clone()), false);
        back_up_if_due(&station, "start-up");
        assert!(backup::list(&paths::backups_dir(&dir)).unwrap().is_empty(), "nothing to back up yet");
        drop(station);
        let (station, _, _) = office(&dir);
        back_up_if_due(&station, "start-up");
        assert_eq!(backup::list(&paths::backups_dir(&dir)).unwrap().len(), 1);
        back_up_if_due(&station, "daily");
        assert_eq!(backup::list(&paths::backups_dir(&dir)).unwrap().len(), 1, "a day has not passed");
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Nobody is shown a dialog for what they may not do, and a cancelled
    /// dialog copies or restores nothing.
    #[test]
    fn dialogs_open_only_for_an_administrator_and_cancelling_changes_nothing() {
        let dir = temp("dialogs");
        let (station, admin, clerk) = office(&dir);
        let asked = std::cell::Cell::new(0);
        let ask = || {
            asked.set(asked.get() + 1);
            None
        };
        assert_eq!(copy_latest(&station, &clerk, ask).unwrap_err(), Error::Forbidden);
        assert_eq!(restore(&station, &clerk, ask).unwrap_err(), Error::Forbidden);
        assert_eq!(asked.get(), 0, "a clerk was shown a dialog");
        assert_eq!(copy_latest(&station, &admin, ask).unwrap(), None);
        assert_eq!(restore(&station, &admin, ask).unwrap(), None);
        assert_eq!(asked.get(), 2);
        assert!(station.with_registry(|r| r.has_users()).unwrap(), "the registry is still the one in use");

        back_up(&station, Initiator::Person(&admin), false).unwrap();
        let usb = dir.join("usb");
        std::fs::create_dir_all(&usb).unwrap();
        let copied = copy_latest(&station, &admin, || Some(usb.clone())).unwrap().unwrap();
        assert!(usb.join(&copied.name).exists());
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }
}
