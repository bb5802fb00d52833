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
use kense_storage::Due;

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
    /// The first audit event that failed verification at start-up, if any:
    /// shown to every user until someone acts on it.
    pub audit_broken_at: Option<i64>,
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
            audit_broken_at,
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
    registry.install_catalog(CATALOG_JSON, clock::now())?;
    let chain = registry.verify_audit_chain()?;
    match chain.first_bad {
        None => log::info!("audit chain verified: {} events", chain.events),
        Some(seq) => log::error!("audit chain broken at event {seq}"),
    }
    if let Some(rules) = demo {
        if !registry.has_users()? {
            demo::populate(&mut registry, &WorkingCalendar::new(&rules.calendar)?, clock::now())?;
        }
    }
    Ok((registry, chain.first_bad))
}
