//! What the running app holds: the open registry, the logged-in user and
//! the chosen language. Authorization is decided from the user held here,
//! never from anything the window sends.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use kense_documents::Typesetter;
use kense_domain::access::Actor;
use kense_domain::{Error, Lang};
use kense_storage::Registry;

use chrono::{DateTime, FixedOffset, TimeZone};
use kense_domain::calendar::{CalendarData, WorkingCalendar};
use kense_domain::catalog::{Catalog, Channel};
use kense_domain::deadline;
use kense_domain::reasons::RefusalReasons;
use kense_domain::workflow::Status;
use kense_storage::{Due, Progress};

use crate::{clock, demo, paths, CALENDAR_JSON, CATALOG_JSON, REFUSAL_REASONS_JSON};

/// A workstation left alone this long logs its user out: the register holds
/// personal data and counters are public places.
pub const IDLE_LOGOUT: Duration = Duration::from_secs(15 * 60);

pub struct Session {
    pub actor: Option<Actor>,
    pub lang: Lang,
    last_seen: Instant,
}

pub struct AppState {
    pub data_dir: Result<PathBuf, Error>,
    registry: Mutex<Result<Registry, Error>>,
    session: Mutex<Session>,
    typesetter: Result<Typesetter, Error>,
    rules: Result<Rules, Error>,
    /// The first audit event that failed verification at start-up (or
    /// after a restore), if any: shown to every user until someone acts on it.
    audit_broken_at: Mutex<Option<i64>>,
    /// Held by a backup, a copy or a restore: one at a time.
    maintenance: Mutex<()>,
    /// Where the running backup or restore is, for the window's progress line.
    progress: Mutex<Option<Progress>>,
}

/// A backup, copy or restore under way; clears the progress when it ends.
pub struct Job<'a> {
    state: &'a AppState,
    _held: MutexGuard<'a, ()>,
}

impl Drop for Job<'_> {
    fn drop(&mut self) {
        self.state.set_progress(None);
    }
}

/// Shipped rule data beside the catalog: refusal grounds and the calendar.
pub struct Rules {
    pub reasons: RefusalReasons,
    /// The shipped calendar; the administrator's years are laid over it.
    pub calendar: CalendarData,
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> Error {
    Error::Storage("a previous operation failed midway; restart Kense".into())
}

impl AppState {
    /// Opens the registry. A failure is kept, not raised: the window still
    /// opens and tells the person what is wrong, in their language.
    pub fn start(data_dir: Result<PathBuf, Error>, demo: bool) -> AppState {
        let rules = RefusalReasons::parse(REFUSAL_REASONS_JSON)
            .and_then(|reasons| Ok(Rules { reasons, calendar: CalendarData::parse(CALENDAR_JSON)? }));
        let opened = match (&data_dir, &rules) {
            (Ok(dir), Ok(rules)) => open_registry(dir, demo.then_some(rules)),
            (Err(e), _) | (_, Err(e)) => Err(e.clone()),
        };
        let (registry, audit_broken_at) = match opened {
            Ok((r, broken)) => (Ok(r), broken),
            Err(e) => (Err(e), None),
        };
        if let Err(e) = &registry {
            log::error!("registry not opened: {e}");
        }
        let typesetter = Typesetter::new().map_err(|e| Error::Document(e.to_string()));
        AppState {
            data_dir,
            rules,
            audit_broken_at: Mutex::new(audit_broken_at),
            maintenance: Mutex::new(()),
            progress: Mutex::new(None),
            registry: Mutex::new(registry),
            session: Mutex::new(Session { actor: None, lang: Lang::Kk, last_seen: Instant::now() }),
            typesetter,
        }
    }

    pub fn session(&self) -> Result<MutexGuard<'_, Session>, Error> {
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

    pub fn set_actor(&self, actor: Option<Actor>) -> Result<(), Error> {
        let mut s = self.session()?;
        s.actor = actor;
        s.last_seen = Instant::now();
        Ok(())
    }

    pub fn registry(&self) -> Result<MutexGuard<'_, Result<Registry, Error>>, Error> {
        self.registry.lock().map_err(poisoned)
    }

    /// Runs `f` on the open registry, or reports why it is not open.
    pub fn with_registry<T>(&self, f: impl FnOnce(&mut Registry) -> Result<T, Error>) -> Result<T, Error> {
        let mut guard = self.registry()?;
        match guard.as_mut() {
            Ok(r) => f(r),
            Err(e) => Err(e.clone()),
        }
    }

    /// Hands the open registry to `f`, which must give one back (the same,
    /// a replacement, or the error that there is none): a restore closes the
    /// file and opens another. The lock is held throughout, so no command
    /// sees the registry in between.
    pub fn replace_registry<T>(
        &self,
        f: impl FnOnce(Registry) -> (Result<Registry, Error>, Result<T, Error>),
    ) -> Result<T, Error> {
        let mut guard = self.registry()?;
        let current = std::mem::replace(&mut *guard, Err(Error::DatabaseBusy));
        let registry = current?;
        let (next, result) = f(registry);
        if let Err(e) = &next {
            log::error!("registry not open after replacing it: {e}");
        }
        *guard = next;
        result
    }

    pub fn audit_broken_at(&self) -> Option<i64> {
        self.audit_broken_at.lock().map(|b| *b).unwrap_or(None)
    }

    pub fn set_audit_broken_at(&self, at: Option<i64>) {
        if let Ok(mut b) = self.audit_broken_at.lock() {
            *b = at;
        }
    }

    /// Starts a backup, copy or restore. `wait` is for the exit backup,
    /// which may wait for a scheduled one to end; the window's commands are
    /// told instead that one is running.
    pub fn begin_job(&self, wait: bool) -> Result<Job<'_>, Error> {
        let held = if wait {
            self.maintenance.lock().map_err(poisoned)?
        } else {
            match self.maintenance.try_lock() {
                Ok(g) => g,
                Err(std::sync::TryLockError::WouldBlock) => return Err(Error::BackupRunning),
                Err(std::sync::TryLockError::Poisoned(e)) => return Err(poisoned(e)),
            }
        };
        Ok(Job { state: self, _held: held })
    }

    pub fn set_progress(&self, p: Option<Progress>) {
        if let Ok(mut slot) = self.progress.lock() {
            *slot = p;
        }
    }

    pub fn progress(&self) -> Option<Progress> {
        self.progress.lock().map(|p| *p).unwrap_or(None)
    }

    pub fn typesetter(&self) -> Result<&Typesetter, Error> {
        self.typesetter.as_ref().map_err(Clone::clone)
    }

    pub fn rules(&self) -> Result<&Rules, Error> {
        self.rules.as_ref().map_err(Clone::clone)
    }

    /// The working calendar in force: shipped data plus the years the
    /// administrator entered.
    pub fn calendar(&self, registry: &Registry) -> Result<WorkingCalendar, Error> {
        WorkingCalendar::new(&self.rules()?.calendar.with_years(registry.calendar_years()?))
    }

    /// Due moments for an application of `service` entering `status` now.
    pub fn due_on_entering(
        &self,
        registry: &Registry,
        catalog: &Catalog,
        service: &str,
        channel: Channel,
        status: Status,
        now: DateTime<FixedOffset>,
    ) -> Result<Due, Error> {
        Ok(due_on_entering(&self.calendar(registry)?, catalog, service, channel, status, now))
    }

    pub fn data_dir(&self) -> Result<&PathBuf, Error> {
        self.data_dir.as_ref().map_err(Clone::clone)
    }
}

/// Due moments for an application of `service` entering `status` at `now`;
/// the whole application's only when it is registered.
pub fn due_on_entering(
    calendar: &WorkingCalendar,
    catalog: &Catalog,
    service: &str,
    channel: Channel,
    status: Status,
    now: DateTime<FixedOffset>,
) -> Due {
    let Some(path) = catalog.service(service).map(|s| deadline::office_path(s, channel)) else {
        return Due::default();
    };
    let local = |t: chrono::NaiveDateTime| now.offset().from_local_datetime(&t).single();
    Due {
        step: deadline::step_due(calendar, &path, status, now.naive_local()).and_then(local),
        whole: if status == Status::Accepted {
            deadline::whole_due(calendar, &path, now.naive_local()).and_then(local)
        } else {
            None
        },
    }
}

/// Opens the registry, installs the shipped catalog and verifies the audit
/// chain; returns the first bad event, if the chain is broken.
fn open_registry(dir: &std::path::Path, demo: Option<&Rules>) -> Result<(Registry, Option<i64>), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Io(format!("{}: {e}", dir.display())))?;
    let mut registry = Registry::open(&paths::registry_file(dir))?;
    let broken = prepare(&mut registry)?;
    if let Some(rules) = demo {
        if !registry.has_users()? {
            demo::populate(&mut registry, &WorkingCalendar::new(&rules.calendar)?, clock::now())?;
        }
    }
    Ok((registry, broken))
}

/// What every freshly opened registry gets, at start-up and after a
/// restore: the shipped catalog, and the audit chain verified.
pub fn prepare(registry: &mut Registry) -> Result<Option<i64>, Error> {
    registry.install_catalog(CATALOG_JSON, clock::now())?;
    let chain = registry.verify_audit_chain()?;
    match chain.first_bad {
        None => log::info!("audit chain verified: {} events", chain.events),
        Some(seq) => log::error!("audit chain broken at event {seq}"),
    }
    Ok(chain.first_bad)
}
