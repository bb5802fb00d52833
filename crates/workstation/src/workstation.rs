//! What the program at this desk holds: the open registry, the person
//! logged in and the language they chose, the shipped rule data, the
//! typesetter, the office's verification key, and the one backup, copy or
//! restore that may run at a time. Authorization is decided from the user
//! held here, never from anything the window sends.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use kense_documents::Typesetter;
use kense_domain::access::Actor;
use kense_domain::{Error, Lang};
use kense_storage::{Registry, Route};

use chrono::{DateTime, FixedOffset, TimeZone};
use kense_domain::calendar::{CalendarData, WorkingCalendar};
use kense_domain::deadline;
use kense_domain::workflow::Status;
use kense_storage::{Due, KeyOrigin, Progress, Signal, Watch};

use crate::{clock, demo, paths, CALENDAR_JSON, CATALOG_JSON};

/// A workstation left alone this long logs its user out: the register holds
/// personal data and counters are public places.
pub const IDLE_LOGOUT: Duration = Duration::from_secs(15 * 60);

/// How often the schedule reads every record against the chain.
const FULL_CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Failed log-ins the recovery screen allows before it refuses for
/// [`RECOVERY_LOCK`]: its registry cannot be written, so nothing else counts them.
const RECOVERY_FREE_ATTEMPTS: u32 = 5;
const RECOVERY_LOCK: Duration = Duration::from_secs(60);

pub(crate) struct Session {
    pub actor: Option<Actor>,
    pub lang: Lang,
    last_seen: Instant,
}

pub struct Workstation {
    data_dir: Result<PathBuf, Error>,
    registry: Mutex<Result<Registry, Error>>,
    session: Mutex<Session>,
    typesetter: Result<Typesetter, Error>,
    rules: Result<Rules, Error>,
    /// What the last check of the evidence found wrong (at start-up, after
    /// a restore, on demand or on the schedule): shown at every desk until
    /// an administrator acts on it.
    alarm: Mutex<Option<crate::evidence::Alarm>>,
    /// When the schedule last ran the full check of the evidence.
    full_checked: Mutex<Option<Instant>>,
    /// Held by a backup, a copy or a restore: one at a time.
    maintenance: Mutex<()>,
    /// Where the running backup or restore is, for the window's progress line.
    progress: Mutex<Option<Progress>>,
    /// A recovery is running: its progress is shown to a window where
    /// nobody can be logged in.
    progress_open: AtomicBool,
    /// The person asked to stop the running backup, copy or restore.
    cancel: AtomicBool,
    /// The file the administrator's last import dry run read, by kind: the
    /// import reads it again (the window never names a path).
    pub(crate) chosen_import: Mutex<Option<(crate::exchange::ImportKind, PathBuf)>>,
    /// The office's secret for verification codes, read from the registry
    /// when it opens; a registry restored without one is given this one.
    verification_key: Mutex<Option<[u8; 32]>>,
    /// Failed log-ins at the recovery screen, where the registry that would
    /// count them cannot be written, and when the last one was.
    recovery_failures: Mutex<(u32, Option<Instant>)>,
    /// Who is told of other desks' writes and of the office server's loss
    /// and return (the window), and the watcher telling them: started again
    /// whenever the registry is opened anew.
    listener: Mutex<Option<Listener>>,
    watch: Mutex<Option<Watch>>,
}

/// What is told of the office server's news (see [`Workstation::listen`]).
pub type Listener = Arc<dyn Fn(Signal) + Send + Sync>;

/// A backup, copy or restore under way; clears the progress when it ends.
pub(crate) struct Job<'a> {
    station: &'a Workstation,
    _held: MutexGuard<'a, ()>,
}

impl Job<'_> {
    /// For a recovery: its progress is asked with nobody logged in.
    pub(crate) fn open_progress_to_all(&self) {
        self.station.progress_open.store(true, Ordering::SeqCst);
    }

    /// Shows each report to the window and answers whether to go on.
    pub(crate) fn report(&self, p: Progress) -> bool {
        self.station.set_progress(Some(p));
        !self.station.cancel.load(Ordering::SeqCst)
    }
}

impl Drop for Job<'_> {
    fn drop(&mut self) {
        self.station.set_progress(None);
        self.station.progress_open.store(false, Ordering::SeqCst);
    }
}

/// Shipped rule data beside the catalog: the calendar.
pub(crate) struct Rules {
    /// The shipped calendar; the administrator's years are laid over it.
    pub calendar: CalendarData,
}

pub(crate) fn poisoned<T>(_: std::sync::PoisonError<T>) -> Error {
    Error::Storage("a previous operation failed midway; restart Kense".into())
}

impl Workstation {
    /// Opens the registry. A failure is kept, not raised: the window still
    /// opens and tells the person what is wrong, in their language.
    pub fn start(data_dir: Result<PathBuf, Error>, demo: bool) -> Workstation {
        let rules = CalendarData::parse(CALENDAR_JSON).map(|calendar| Rules { calendar });
        let typesetter = Typesetter::new().map_err(|e| Error::Document(e.to_string()));
        let mut station = Workstation {
            data_dir,
            rules,
            alarm: Mutex::new(None),
            full_checked: Mutex::new(None),
            maintenance: Mutex::new(()),
            progress: Mutex::new(None),
            progress_open: AtomicBool::new(false),
            cancel: AtomicBool::new(false),
            chosen_import: Mutex::new(None),
            registry: Mutex::new(Err(Error::NotInitialised)),
            session: Mutex::new(Session { actor: None, lang: Lang::Kk, last_seen: Instant::now() }),
            typesetter,
            verification_key: Mutex::new(None),
            recovery_failures: Mutex::new((0, None)),
            listener: Mutex::new(None),
            watch: Mutex::new(None),
        };
        let opened = station.open_registry(demo);
        if let Err(e) = &opened {
            log::error!("registry not opened: {e}");
        }
        if let Ok(slot) = station.registry.get_mut() {
            *slot = opened;
        }
        station
    }

    /// Opens the registry: on the office server when this desk was joined
    /// to one (`server.json`), else the file on this PC — refusing to make
    /// an empty one over an office's history when the file is gone but its
    /// backups are there.
    pub(crate) fn open_registry(&self, demo: bool) -> Result<Registry, Error> {
        let dir = self.data_dir()?;
        let rules = self.rules()?;
        std::fs::create_dir_all(dir).map_err(|e| Error::Io(format!("{}: {e}", dir.display())))?;
        if let Some(settings) = crate::server::saved(dir)? {
            log::info!("opening the registry on the office server {settings:?}");
            let mut registry = Registry::open_server(&settings)?;
            self.prepare(&mut registry)?;
            return Ok(registry);
        }
        let file = paths::registry_file(dir);
        if !file.exists() && !kense_storage::backup::list(&paths::backups_dir(dir))?.is_empty() {
            return Err(Error::RegistryMissing);
        }
        let mut registry = Registry::open(&file)?;
        self.prepare(&mut registry)?;
        if demo && !registry.has_users()? {
            demo::populate(&mut registry, &WorkingCalendar::new(&rules.calendar)?, clock::now())?;
        }
        Ok(registry)
    }

    /// What every freshly opened registry gets, at start-up and after a
    /// restore: its evidence checked (the chain since this desk's last
    /// check, the records written outside Kense; see `evidence`), the
    /// shipped catalog, and the office's verification secret (carried over
    /// from the registry it replaced, imported from the file older versions
    /// kept, or new).
    pub(crate) fn prepare(&self, registry: &mut Registry) -> Result<(), Error> {
        crate::evidence::at_start(self, registry)?;
        registry.install_catalog(CATALOG_JSON, clock::now())?;
        let key = match registry.verification_key()? {
            Some(key) => key,
            None => {
                let carried = *self.verification_key.lock().map_err(poisoned)?;
                let (key, origin) = match carried {
                    Some(key) => (key, KeyOrigin::Carried),
                    None => match paths::legacy_verification_key(self.data_dir()?)? {
                        Some(key) => (key, KeyOrigin::Imported),
                        None => (new_key()?, KeyOrigin::New),
                    },
                };
                registry.install_verification_key(&key, origin, clock::now())?
            }
        };
        *self.verification_key.lock().map_err(poisoned)? = Some(key);
        Ok(())
    }

    /// The office's secret for documents' verification codes.
    pub(crate) fn verification_key(&self) -> Result<[u8; 32], Error> {
        self.verification_key.lock().map_err(poisoned)?.ok_or_else(|| Error::Storage("no verification key".into()))
    }

    /// Counts a failed log-in at the recovery screen; a success clears the count.
    pub(crate) fn recovery_attempt(&self, failed: bool) -> Result<(), Error> {
        let mut f = self.recovery_failures.lock().map_err(poisoned)?;
        if !failed {
            *f = (0, None);
            return Ok(());
        }
        *f = (f.0 + 1, Some(Instant::now()));
        Ok(())
    }

    /// How many recovery attempts were refused since the last success.
    pub(crate) fn recovery_refusals(&self) -> u32 {
        self.recovery_failures.lock().map(|f| f.0).unwrap_or(0)
    }

    /// Refuses a recovery attempt while the screen is locked.
    pub(crate) fn recovery_allowed(&self) -> Result<(), Error> {
        let f = self.recovery_failures.lock().map_err(poisoned)?;
        match f.1 {
            Some(last) if f.0 >= RECOVERY_FREE_ATTEMPTS && last.elapsed() < RECOVERY_LOCK => {
                Err(Error::AccountLocked { minutes: 1 })
            }
            _ => Ok(()),
        }
    }

    pub(crate) fn session(&self) -> Result<MutexGuard<'_, Session>, Error> {
        self.session.lock().map_err(poisoned)
    }

    pub fn lang(&self) -> Lang {
        self.session.lock().map(|s| s.lang).unwrap_or_default()
    }

    /// The logged-in user, if the session is alive; touching it keeps it so.
    pub fn actor(&self) -> Result<Actor, Error> {
        let mut s = self.session()?;
        if s.last_seen.elapsed() > IDLE_LOGOUT {
            if let Some(a) = s.actor.take() {
                log::info!("idle log-out of user {}", a.user_id);
            }
        }
        s.last_seen = Instant::now();
        s.actor.clone().ok_or(Error::NotLoggedIn)
    }

    pub(crate) fn set_actor(&self, actor: Option<Actor>) -> Result<(), Error> {
        let mut s = self.session()?;
        s.actor = actor;
        s.last_seen = Instant::now();
        Ok(())
    }

    pub(crate) fn registry(&self) -> Result<MutexGuard<'_, Result<Registry, Error>>, Error> {
        self.registry.lock().map_err(poisoned)
    }

    /// Runs `f` on the open registry, or reports why it is not open.
    pub(crate) fn with_registry<T>(&self, f: impl FnOnce(&mut Registry) -> Result<T, Error>) -> Result<T, Error> {
        let mut guard = self.registry()?;
        match guard.as_mut() {
            Ok(r) => f(r),
            Err(e) => Err(e.clone()),
        }
    }

    /// Hands what the program holds — the open registry, or why there is
    /// none — to `f`, which gives back what to hold next: a restore closes
    /// the file and opens another. The lock is held throughout, so no
    /// command sees the registry in between.
    pub(crate) fn swap_registry<T>(
        &self,
        f: impl FnOnce(Result<Registry, Error>) -> (Result<Registry, Error>, Result<T, Error>),
    ) -> Result<T, Error> {
        let mut guard = self.registry()?;
        let current = std::mem::replace(&mut *guard, Err(Error::DatabaseBusy));
        let was_open = current.is_ok();
        let (next, result) = f(current);
        match &next {
            Err(e) if was_open => log::error!("registry not open after replacing it: {e}"),
            _ => {}
        }
        self.watch_registry(next.as_ref().ok());
        *guard = next;
        result
    }

    /// Tells `listener` from now on of other desks' writes and of the
    /// office server's loss and return (nothing, for a file on this PC).
    pub fn listen(&self, listener: Listener) -> Result<(), Error> {
        *self.listener.lock().map_err(poisoned)? = Some(listener);
        let guard = self.registry()?;
        self.watch_registry(guard.as_ref().ok());
        Ok(())
    }

    /// (Re)starts the watcher on `registry`, the one about to be held.
    fn watch_registry(&self, registry: Option<&Registry>) {
        let listener = self.listener.lock().ok().and_then(|l| l.clone());
        let Ok(mut watch) = self.watch.lock() else { return };
        // The old watcher stops whatever happens next.
        *watch = None;
        let (Some(registry), Some(listener)) = (registry, listener) else { return };
        match registry.watch(move |signal| listener(signal)) {
            Ok(w) => *watch = w,
            Err(e) => log::error!("other desks' changes will not be heard: {e}"),
        }
    }

    pub(crate) fn alarm(&self) -> Option<crate::evidence::Alarm> {
        self.alarm.lock().map(|a| a.clone()).unwrap_or(None)
    }

    /// Whether a day has passed since the schedule's last full check (or
    /// none ran yet); answering yes counts as running it now.
    pub(crate) fn full_check_due(&self) -> bool {
        let Ok(mut last) = self.full_checked.lock() else { return false };
        let due = last.is_none_or(|t| t.elapsed() >= FULL_CHECK_EVERY);
        if due {
            *last = Some(Instant::now());
        }
        due
    }

    pub(crate) fn set_alarm(&self, alarm: Option<crate::evidence::Alarm>) {
        if let Ok(mut a) = self.alarm.lock() {
            *a = alarm;
        }
    }

    /// Starts a backup, copy or restore. `wait` is for the exit backup,
    /// which may wait for a scheduled one to end; the window's commands are
    /// told instead that one is running.
    pub(crate) fn begin_job(&self, wait: bool) -> Result<Job<'_>, Error> {
        let held = if wait {
            self.maintenance.lock().map_err(poisoned)?
        } else {
            match self.maintenance.try_lock() {
                Ok(g) => g,
                Err(std::sync::TryLockError::WouldBlock) => return Err(Error::BackupRunning),
                Err(std::sync::TryLockError::Poisoned(e)) => return Err(poisoned(e)),
            }
        };
        self.cancel.store(false, Ordering::SeqCst);
        Ok(Job { station: self, _held: held })
    }

    pub(crate) fn set_progress(&self, p: Option<Progress>) {
        if let Ok(mut slot) = self.progress.lock() {
            *slot = p;
        }
    }

    /// Asks the running backup, copy or restore to stop at its next report;
    /// `false` when none is running.
    pub(crate) fn request_cancel(&self) -> bool {
        let running = self.progress().is_some();
        if running {
            self.cancel.store(true, Ordering::SeqCst);
        }
        running
    }

    pub(crate) fn progress_open_to_all(&self) -> bool {
        self.progress_open.load(Ordering::SeqCst)
    }

    pub(crate) fn progress(&self) -> Option<Progress> {
        self.progress.lock().map(|p| *p).unwrap_or(None)
    }

    pub(crate) fn typesetter(&self) -> Result<&Typesetter, Error> {
        self.typesetter.as_ref().map_err(Clone::clone)
    }

    pub(crate) fn rules(&self) -> Result<&Rules, Error> {
        self.rules.as_ref().map_err(Clone::clone)
    }

    /// The working calendar in force: shipped data plus the years the
    /// administrator entered.
    pub(crate) fn calendar(&self, registry: &Registry) -> Result<WorkingCalendar, Error> {
        WorkingCalendar::new(&self.rules()?.calendar.with_years(registry.calendar_years()?))
    }

    /// Due moments for an application going `route` entering `status` now.
    pub(crate) fn due_on_entering(
        &self,
        registry: &Registry,
        route: &Route,
        status: Status,
        now: DateTime<FixedOffset>,
    ) -> Result<Due, Error> {
        Ok(due_on_entering(&self.calendar(registry)?, route, status, now))
    }

    pub(crate) fn data_dir(&self) -> Result<&PathBuf, Error> {
        self.data_dir.as_ref().map_err(Clone::clone)
    }
}

/// Due moments for an application going `route` entering `status` at
/// `now`; the whole application's only when it is registered.
pub(crate) fn due_on_entering(
    calendar: &WorkingCalendar,
    route: &Route,
    status: Status,
    now: DateTime<FixedOffset>,
) -> Due {
    let registered = (status == Status::Accepted).then_some(now);
    due(calendar, route, status, now, registered)
}

/// Due moments computed again for an open application (a year's moving
/// days entered): its step's from when it entered its status, the whole
/// application's from its registration, on the catalog version and path it
/// was registered under.
pub(crate) fn due_again(calendar: &WorkingCalendar, open: &kense_storage::OpenDue) -> Due {
    let route = Route {
        catalog: open.catalog.clone(),
        service_code: open.service_code.clone(),
        channel: open.channel,
        variant: open.variant.clone(),
    };
    due(calendar, &route, open.status, open.entered_at, Some(open.registered_at))
}

/// The step's due moment counted from `entered` (when the application
/// entered `status`), the whole application's from `registered` if given.
fn due(
    calendar: &WorkingCalendar,
    route: &Route,
    status: Status,
    entered: DateTime<FixedOffset>,
    registered: Option<DateTime<FixedOffset>>,
) -> Due {
    let Some(service) = route.catalog.service(&route.service_code) else {
        return Due::default();
    };
    let path = deadline::office_path(service, route.channel, route.variant.as_deref());
    let at = |t: DateTime<FixedOffset>, due: Option<chrono::NaiveDateTime>| {
        due.and_then(|d| t.offset().from_local_datetime(&d).single())
    };
    Due {
        step: at(entered, deadline::step_due(calendar, &path, status, entered.naive_local())),
        whole: registered.and_then(|r| at(r, deadline::whole_due(calendar, &path, r.naive_local()))),
    }
}

/// 32 bytes from the operating system's random source.
fn new_key() -> Result<[u8; 32], Error> {
    let mut key = [0u8; 32];
    getrandom::getrandom(&mut key).map_err(|e| Error::Io(format!("no OS randomness: {e}")))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kense_storage::Stage;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kense-station-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_legacy_key_file_is_imported_and_kept_by_the_registry() {
        let dir = temp("key");
        std::fs::write(dir.join("verification.key"), [3u8; 32]).unwrap();
        let station = Workstation::start(Ok(dir.clone()), false);
        assert_eq!(station.verification_key().unwrap(), [3u8; 32]);
        drop(station);
        // The file no longer decides: the registry holds the key.
        std::fs::remove_file(dir.join("verification.key")).unwrap();
        let station = Workstation::start(Ok(dir.clone()), false);
        assert_eq!(station.verification_key().unwrap(), [3u8; 32]);
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_cancel_stops_the_running_job_at_its_next_report_only() {
        let dir = temp("cancel");
        let station = Workstation::start(Ok(dir.clone()), false);
        assert!(!station.request_cancel(), "nothing runs, nothing to cancel");
        let job = station.begin_job(false).unwrap();
        assert!(job.report(Progress::at(Stage::Copy)));
        assert!(station.request_cancel());
        assert!(!job.report(Progress::at(Stage::Copy)));
        drop(job);
        assert_eq!(station.progress(), None);
        let job = station.begin_job(false).unwrap();
        assert!(job.report(Progress::at(Stage::Copy)), "the next job starts uncancelled");
        drop(job);
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn recovery_locks_for_a_minute_after_five_failures() {
        let dir = temp("lock");
        let station = Workstation::start(Ok(dir.clone()), false);
        for _ in 0..RECOVERY_FREE_ATTEMPTS {
            station.recovery_allowed().unwrap();
            station.recovery_attempt(true).unwrap();
        }
        assert_eq!(station.recovery_allowed().unwrap_err(), Error::AccountLocked { minutes: 1 });
        station.recovery_attempt(false).unwrap();
        station.recovery_allowed().unwrap();
        drop(station);
        let _ = std::fs::remove_dir_all(dir);
    }
}
