//! The person at this desk: the first administrator's account, log-in and
//! log-out, the language chosen, and what the window needs to choose its
//! first screen. The session itself (and its idle log-out) is held by
//! [`Workstation`].

use kense_domain::access::{Actor, Role};
use kense_domain::user::NewUser;
use kense_domain::{Error, Lang};
use kense_storage::Office;
use serde::Serialize;

use crate::{backup, clock, Workstation};

/// The logged-in person as the window shows them.
#[derive(Debug, Serialize)]
pub struct UserView {
    login: String,
    full_name: String,
    roles: Vec<Role>,
}

impl From<&Actor> for UserView {
    fn from(a: &Actor) -> Self {
        UserView { login: a.login.clone(), full_name: a.full_name.clone(), roles: a.roles.clone() }
    }
}

/// What the window needs to choose its first screen.
#[derive(Serialize)]
pub struct Status {
    pub lang: Lang,
    /// Why the registry could not be opened, if it could not; the shell
    /// tells it to the window in the person's language.
    #[serde(skip)]
    pub startup_error: Option<Error>,
    pub initialised: bool,
    pub user: Option<UserView>,
    pub office: Option<Office>,
    pub data_dir: Option<String>,
    /// What the last check of the evidence found wrong: every desk shows
    /// it until an administrator acts.
    pub alarm: Option<crate::evidence::Alarm>,
    /// A backup can be restored without logging in (see `backup::recovery_offered`).
    pub recovery: bool,
}

pub fn status(station: &Workstation) -> Status {
    let (startup_error, initialised, office) = match station.with_registry(|r| Ok((r.has_users()?, r.office()?))) {
        Ok((init, office)) => (None, init, Some(office)),
        Err(e) => (Some(e), false, None),
    };
    Status {
        lang: station.lang(),
        startup_error,
        initialised,
        user: station.actor().ok().as_ref().map(UserView::from),
        office,
        data_dir: station.data_dir().ok().map(|d| d.display().to_string()),
        alarm: station.alarm(),
        recovery: backup::recovery_offered(station),
    }
}

/// Sets the language of everything the person reads from now on.
pub fn set_language(station: &Workstation, code: &str) -> Result<Lang, Error> {
    let lang = Lang::parse(code).ok_or_else(|| Error::MalformedRequest(format!("language {code:?}")))?;
    station.session()?.lang = lang;
    Ok(lang)
}

/// First run only. The first account is the office's administrator and also
/// a clerk, so that a one-person start can register at once; the head and
/// executors get their own accounts later.
pub fn create_administrator(
    station: &Workstation,
    login: &str,
    full_name: &str,
    password: &str,
    password_repeat: &str,
) -> Result<UserView, Error> {
    let user = NewUser::validate(login, full_name, vec![Role::Administrator, Role::Clerk])?;
    let actor =
        station.with_registry(|reg| reg.create_first_administrator(&user, password, password_repeat, clock::now()))?;
    Ok(UserView::from(&actor))
}

/// Who logged in, and the papers still owed that were filed on the way in.
#[derive(Debug, Serialize)]
pub struct LoggedIn {
    #[serde(flatten)]
    pub user: UserView,
    /// Papers a registration owed and could not file before (a full disk, a
    /// crash), filed now by the first person who may print them.
    pub owed_filed: crate::paper::owed::Filed,
}

pub fn log_in(station: &Workstation, login: &str, password: &str) -> Result<LoggedIn, Error> {
    let actor = station.with_registry(|reg| reg.log_in(login, password, clock::now()))?;
    let user = UserView::from(&actor);
    station.set_actor(Some(actor.clone()))?;
    let owed_filed = crate::paper::owed::file_all(station, &actor).unwrap_or_else(|e| {
        log::error!("owed papers not looked at: {e}");
        Default::default()
    });
    Ok(LoggedIn { user, owed_filed })
}

pub fn log_out(station: &Workstation) -> Result<(), Error> {
    if let Ok(actor) = station.actor() {
        station.with_registry(|reg| reg.log_out(&actor, clock::now()))?;
    }
    station.set_actor(None)
}
