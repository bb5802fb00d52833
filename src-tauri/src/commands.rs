//! The commands the window may call. Each one is thin: resolve the session
//! user, decode and validate the payload into a domain value, call one
//! function, and map any error to `{code, message}`. Every command is listed
//! in build.rs and granted in src-tauri/capabilities/main-window.json.
//!
//! All commands are `async` so that they run off the window's main thread:
//! Argon2 and PDF generation must not freeze the window.

use kense_domain::access::{authorize, Action, Actor, Role};
use kense_domain::application::{ApplicationDraft, Channel, NewApplication};
use kense_domain::calendar::{Transfer, WorkingCalendar, YearRules};
use kense_domain::catalog::Service;
use kense_domain::iin::Iin;
use kense_domain::office::{OfficeData, OfficeDraft};
use kense_domain::queue::QueueClaim;
use kense_domain::reasons::Reason;
use kense_domain::user::NewUser;
use kense_domain::workflow::{Command, Outcome, Status};
use kense_domain::{Error, Lang};
use kense_storage::backup::CopyRecord;
use kense_storage::{
    ApplicationQuery, ApplicationRecord, ApplicationSummary, BackupFile, BackupRecord, CatalogVersion,
    CatalogVersionDetail, ChainStatus, Dashboard, Initiator, KnownPerson, Office, Progress, Registered, RestoreRecord,
    StepTaken, UserSummary,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::State;

use crate::ipc::{decode, IpcError};
use crate::{dialogs, printer};
use base64::Engine as _;
use kense_workstation::backup;
use kense_workstation::clock;
use kense_workstation::paper::{self, Printed};
use kense_workstation::Workstation;
use kense_workstation::{verification, workflow};

pub(crate) type Reply<T> = Result<T, IpcError>;

pub(crate) fn reply<T>(state: &Workstation, r: Result<T, Error>) -> Reply<T> {
    r.map_err(|e| IpcError::new(&e, state.lang()))
}

#[derive(Serialize)]
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

#[derive(Serialize)]
pub struct AppStatus {
    lang: Lang,
    /// Why the registry could not be opened, if it could not.
    startup_error: Option<IpcError>,
    initialised: bool,
    user: Option<UserView>,
    office: Option<Office>,
    data_dir: Option<String>,
    /// The first bad audit event found at start-up.
    audit_broken_at: Option<i64>,
    /// A backup can be restored without logging in (see `backup::recovery_offered`).
    recovery: bool,
}

#[tauri::command(async)]
pub fn app_status(state: State<'_, Workstation>) -> Reply<AppStatus> {
    // The page asks this once its scripts run, to choose the first screen:
    // the moment it is answered is the start-up time (docs/benchmarks.md).
    static FIRST: std::sync::Once = std::sync::Once::new();
    FIRST.call_once(|| log::info!("first screen asked for"));
    let lang = state.lang();
    let (startup_error, initialised, office) = match state.with_registry(|r| Ok((r.has_users()?, r.office()?))) {
        Ok((init, office)) => (None, init, Some(office)),
        Err(e) => (Some(IpcError::new(&e, lang)), false, None),
    };
    let user = state.actor().ok().as_ref().map(UserView::from);
    let data_dir = state.data_dir().ok().map(|d| d.display().to_string());
    let recovery = backup::recovery_offered(&state);
    Ok(AppStatus {
        lang,
        startup_error,
        initialised,
        user,
        office,
        data_dir,
        audit_broken_at: state.audit_broken_at(),
        recovery,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguageRequest {
    lang: String,
}

#[tauri::command(async)]
pub fn set_language(state: State<'_, Workstation>, payload: Value) -> Reply<Lang> {
    let r = decode::<LanguageRequest>(payload).and_then(|req| {
        let lang = Lang::parse(&req.lang).ok_or_else(|| Error::MalformedRequest(format!("language {:?}", req.lang)))?;
        state.session()?.lang = lang;
        Ok(lang)
    });
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdministratorRequest {
    login: String,
    full_name: String,
    password: String,
    password_repeat: String,
}

/// First run only. The first account is the office's administrator and also
/// a clerk, so that a one-person start can register at once; the head and
/// executors get their own accounts later.
#[tauri::command(async)]
pub fn create_administrator(state: State<'_, Workstation>, payload: Value) -> Reply<UserView> {
    let r = decode::<AdministratorRequest>(payload).and_then(|req| {
        let user = NewUser::validate(&req.login, &req.full_name, vec![Role::Administrator, Role::Clerk])?;
        let actor = state.with_registry(|reg| {
            reg.create_first_administrator(&user, &req.password, &req.password_repeat, clock::now())
        })?;
        Ok(UserView::from(&actor))
    });
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    login: String,
    password: String,
}

#[tauri::command(async)]
pub fn login(state: State<'_, Workstation>, payload: Value) -> Reply<UserView> {
    let r = decode::<LoginRequest>(payload).and_then(|req| {
        let actor = state.with_registry(|reg| reg.log_in(&req.login, &req.password, clock::now()))?;
        let view = UserView::from(&actor);
        state.set_actor(Some(actor))?;
        Ok(view)
    });
    reply(&state, r)
}

#[tauri::command(async)]
pub fn logout(state: State<'_, Workstation>) -> Reply<()> {
    let r = (|| {
        if let Ok(actor) = state.actor() {
            state.with_registry(|reg| reg.log_out(&actor, clock::now()))?;
        }
        state.set_actor(None)
    })();
    reply(&state, r)
}

#[tauri::command(async)]
pub fn services(state: State<'_, Workstation>) -> Reply<Vec<Service>> {
    let r = state.actor().and_then(|_| state.with_registry(|reg| Ok(reg.catalog()?.1.services)));
    reply(&state, r)
}

#[tauri::command(async)]
pub fn register_application(state: State<'_, Workstation>, payload: Value) -> Reply<Registered> {
    let r = (|| {
        let actor = state.actor()?;
        let draft: ApplicationDraft = decode(payload)?;
        let now = clock::now();
        state.with_registry(|reg| {
            let (_, catalog) = reg.catalog()?;
            let mut application = NewApplication::validate(&draft, &catalog, now.date_naive())?;
            application.queue =
                QueueClaim::for_application(&application, draft.queue.as_ref(), reg.queue_rules(), now.date_naive())?;
            let due = state.due_on_entering(
                reg,
                &catalog,
                &application.service_code,
                application.channel,
                application.intake(),
                now,
            )?;
            reg.register_application(&actor, &application, due, now)
        })
    })();
    reply(&state, r)
}

/// Search and the journal: by number, IIN, name, status, service,
/// executor, dates, overdue; with `worklist`, what waits for this person.
#[tauri::command(async)]
pub fn search_applications(state: State<'_, Workstation>, payload: Value) -> Reply<Vec<ApplicationSummary>> {
    let r = (|| {
        let actor = state.actor()?;
        let mut query: ApplicationQuery = decode(payload)?;
        if query.limit == 0 {
            query.limit = 100;
        }
        state.with_registry(|reg| reg.search(&actor, &query, clock::now()))
    })();
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonRequest {
    iin: String,
}

/// The clerk's form fills itself from the applicant's latest application.
#[tauri::command(async)]
pub fn person_by_iin(state: State<'_, Workstation>, payload: Value) -> Reply<Option<KnownPerson>> {
    let r = (|| {
        let actor = state.actor()?;
        let req: PersonRequest = decode(payload)?;
        let iin = Iin::parse(kense_domain::Field::ApplicantIin, &req.iin)?;
        state.with_registry(|reg| reg.person_by_iin(&actor, &iin, clock::now()))
    })();
    reply(&state, r)
}

/// The head's and executors' figures of the office.
#[tauri::command(async)]
pub fn dashboard(state: State<'_, Workstation>) -> Reply<Dashboard> {
    let r = state.actor().and_then(|actor| state.with_registry(|reg| reg.dashboard(&actor, clock::now())));
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepRequest {
    id: i64,
    /// The status the person saw; a moved application is refused as stale.
    expected_status: Status,
    command: Command,
}

#[tauri::command(async)]
pub fn take_step(state: State<'_, Workstation>, payload: Value) -> Reply<StepTaken> {
    let r = (|| {
        let actor = state.actor()?;
        let req: StepRequest = decode(payload)?;
        workflow::take_step(&state, &actor, req.id, req.expected_status, req.command)
    })();
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceRequest {
    service_code: String,
}

#[tauri::command(async)]
pub fn refusal_reasons(state: State<'_, Workstation>, payload: Value) -> Reply<Vec<Reason>> {
    let r = (|| {
        state.actor()?;
        let req: ServiceRequest = decode(payload)?;
        Ok(state.rules()?.reasons.for_service(&req.service_code).into_iter().cloned().collect())
    })();
    reply(&state, r)
}

#[tauri::command(async)]
pub fn executors(state: State<'_, Workstation>) -> Reply<Vec<UserSummary>> {
    let r = state.actor().and_then(|actor| state.with_registry(|reg| reg.executors(&actor, clock::now())));
    reply(&state, r)
}

#[tauri::command(async)]
pub fn users(state: State<'_, Workstation>) -> Reply<Vec<UserSummary>> {
    let r = state.actor().and_then(|actor| state.with_registry(|reg| reg.users(&actor, clock::now())));
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUserRequest {
    login: String,
    full_name: String,
    roles: Vec<Role>,
    password: String,
    password_repeat: String,
}

#[tauri::command(async)]
pub fn create_user(state: State<'_, Workstation>, payload: Value) -> Reply<UserSummary> {
    let r = (|| {
        let actor = state.actor()?;
        let req: NewUserRequest = decode(payload)?;
        let user = NewUser::validate(&req.login, &req.full_name, req.roles)?;
        state.with_registry(|reg| reg.create_user(&actor, &user, &req.password, &req.password_repeat, clock::now()))
    })();
    reply(&state, r)
}

/// Person data a clerk may correct; the rest of the application stays as
/// registered.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Corrections {
    applicant_iin: String,
    applicant_name: String,
    applicant_phone: String,
    #[serde(default)]
    applicant_address: String,
    #[serde(default)]
    child_iin: String,
    #[serde(default)]
    child_name: String,
    #[serde(default)]
    child_birth_date: String,
    #[serde(default)]
    representative_iin: String,
    #[serde(default)]
    representative_name: String,
    #[serde(default)]
    poa_number: String,
    #[serde(default)]
    poa_date: String,
    #[serde(default)]
    notes: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorrectionRequest {
    id: i64,
    expected_status: Status,
    reason: String,
    corrections: Corrections,
}

#[tauri::command(async)]
pub fn correct_application(state: State<'_, Workstation>, payload: Value) -> Reply<i64> {
    let r = (|| {
        let actor = state.actor()?;
        let req: CorrectionRequest = decode(payload)?;
        let now = clock::now();
        state.with_registry(|reg| {
            let rec = reg.application(&actor, req.id, now)?;
            let c = req.corrections;
            let draft = ApplicationDraft {
                service_code: rec.service_code.clone(),
                channel: Channel::parse(&rec.channel),
                applicant_iin: c.applicant_iin,
                applicant_name: c.applicant_name,
                applicant_phone: c.applicant_phone,
                applicant_address: c.applicant_address,
                child_iin: c.child_iin,
                child_name: c.child_name,
                child_birth_date: c.child_birth_date,
                representative_iin: c.representative_iin,
                representative_name: c.representative_name,
                poa_number: c.poa_number,
                poa_date: c.poa_date,
                documents: rec
                    .documents
                    .iter()
                    .filter(|d| d.presented && !d.code.starts_with("extra-"))
                    .map(|d| d.code.clone())
                    .collect(),
                extra_documents: rec
                    .documents
                    .iter()
                    .filter(|d| d.code.starts_with("extra-"))
                    .map(|d| d.name.kk.clone())
                    .collect(),
                consent: true,
                notes: c.notes,
                duplicate_reason: String::new(),
                queue: None,
            };
            let (_, catalog) = reg.catalog()?;
            let app = NewApplication::validate(&draft, &catalog, now.date_naive())?;
            reg.correct_application(&actor, req.id, req.expected_status, &app, &req.reason, now)
        })
    })();
    reply(&state, r)
}

#[tauri::command(async)]
pub fn update_office(state: State<'_, Workstation>, payload: Value) -> Reply<Office> {
    let r = (|| {
        let actor = state.actor()?;
        let draft: OfficeDraft = decode(payload)?;
        let data = OfficeData::validate(&draft)?;
        state.with_registry(|reg| reg.update_office(&actor, &data, clock::now()))
    })();
    reply(&state, r)
}

#[derive(Serialize)]
pub struct CalendarYearView {
    year: i32,
    kurban_ait: chrono::NaiveDate,
    transfers: Vec<Transfer>,
    /// Entered by an administrator (else shipped with the program).
    local: bool,
    working_days: usize,
}

/// The installed versions of the service catalog, newest (in force) first.
#[tauri::command(async)]
pub fn catalog_versions(state: State<'_, Workstation>) -> Reply<Vec<CatalogVersion>> {
    let r = state.actor().and_then(|actor| state.with_registry(|reg| reg.catalog_versions(&actor, clock::now())));
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogVersionRequest {
    version: u32,
}

/// One catalog version's services and what it changed against the one before.
#[tauri::command(async)]
pub fn catalog_version(state: State<'_, Workstation>, payload: Value) -> Reply<CatalogVersionDetail> {
    let r = (|| {
        let actor = state.actor()?;
        let req: CatalogVersionRequest = decode(payload)?;
        state.with_registry(|reg| reg.catalog_version(&actor, req.version, clock::now()))
    })();
    reply(&state, r)
}

/// The calendar's years: shipped and entered, with their working-day counts
/// so the administrator can compare them with the published calendar.
#[tauri::command(async)]
pub fn calendar_years(state: State<'_, Workstation>) -> Reply<Vec<CalendarYearView>> {
    let r = (|| {
        let actor = state.actor()?;
        authorize(&actor, Action::ManageOffice, None)?;
        state.with_registry(|reg| {
            let local = reg.calendar_years()?;
            let data = state.rules()?.calendar.with_years(local.clone());
            let calendar = WorkingCalendar::new(&data)?;
            Ok(data
                .years
                .iter()
                .map(|(year, rules)| CalendarYearView {
                    year: *year,
                    kurban_ait: rules.kurban_ait,
                    transfers: rules.transfers.clone(),
                    local: local.iter().any(|(y, _)| y == year),
                    working_days: calendar.working_days_in(*year),
                })
                .collect())
        })
    })();
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarYearRequest {
    year: i32,
    rules: YearRules,
}

#[tauri::command(async)]
pub fn set_calendar_year(state: State<'_, Workstation>, payload: Value) -> Reply<()> {
    let r = (|| {
        let actor = state.actor()?;
        let req: CalendarYearRequest = decode(payload)?;
        state.with_registry(|reg| reg.set_calendar_year(&actor, req.year, &req.rules, clock::now()))
    })();
    reply(&state, r)
}

#[tauri::command(async)]
pub fn verify_audit(state: State<'_, Workstation>) -> Reply<ChainStatus> {
    let r = state.actor().and_then(|actor| state.with_registry(|reg| reg.verify_audit_chain_as(&actor, clock::now())));
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationRequest {
    id: i64,
    /// A CUPS printer to send a document to; the viewer when empty.
    #[serde(default)]
    printer: String,
}

#[tauri::command(async)]
pub fn application_detail(state: State<'_, Workstation>, payload: Value) -> Reply<ApplicationRecord> {
    let r = (|| {
        let actor = state.actor()?;
        let req: ApplicationRequest = decode(payload)?;
        state.with_registry(|reg| reg.application(&actor, req.id, clock::now()))
    })();
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRequest {
    text: String,
}

/// The "verify a document" screen: a scanned QR text against the registry.
#[tauri::command(async)]
pub fn verify_document(state: State<'_, Workstation>, payload: Value) -> Reply<verification::Checked> {
    let r = (|| {
        let actor = state.actor()?;
        let req: VerifyRequest = decode(payload)?;
        verification::check(&state, &actor, &req.text)
    })();
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LookUpRequest {
    number: String,
    iin: String,
}

/// The verify screen without a QR code: a paper's number and an IIN on it.
#[tauri::command(async)]
pub fn look_up_document(state: State<'_, Workstation>, payload: Value) -> Reply<verification::Looked> {
    let r = (|| {
        let actor = state.actor()?;
        let req: LookUpRequest = decode(payload)?;
        verification::look_up(&state, &actor, &req.number, &req.iin)
    })();
    reply(&state, r)
}

#[tauri::command(async)]
pub fn open_receipt(app: tauri::AppHandle, state: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    let r = (|| {
        let actor = state.actor()?;
        let req: ApplicationRequest = decode(payload)?;
        let printed = paper::receipt::issue(&state, &actor, req.id)?;
        printer::deliver(&app, &state, &actor, printed, &req.printer, true)
    })();
    reply(&state, r)
}

/// The signed result (certificate, decision, reasoned refusal) on paper.
#[tauri::command(async)]
pub fn print_result(app: tauri::AppHandle, state: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    let r = (|| {
        let actor = state.actor()?;
        let req: ApplicationRequest = decode(payload)?;
        let printed = paper::result::print(&state, &actor, req.id)?;
        printer::deliver(&app, &state, &actor, printed, &req.printer, true)
    })();
    reply(&state, r)
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

/// The result's pages before signing, marked as a draft (see
/// `paper::result::preview`): beside the application on the head's signing desk,
/// and in the executor's form before sending it to the head.
#[tauri::command(async)]
pub fn preview_result(state: State<'_, Workstation>, payload: Value) -> Reply<paper::result::ResultPreview> {
    let r = (|| {
        let actor = state.actor()?;
        let req: PreviewRequest = decode(payload)?;
        paper::result::preview(&state, &actor, req.id, req.outcome)
    })();
    reply(&state, r)
}

/// The printers this workstation can send to directly (CUPS); empty where
/// there are none, and the viewer prints.
#[tauri::command(async)]
pub fn printers(state: State<'_, Workstation>) -> Reply<Vec<String>> {
    let r = state.actor().map(|_| printer::printers());
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StampRequest {
    /// Base64 of the PNG; `null` removes the stamp.
    png: Option<String>,
}

/// The most a stamp upload may carry (the documents refuse larger PNGs).
const MAX_STAMP_BASE64: usize = 2 * 1024 * 1024 * 4 / 3 + 4;

/// Uploads or removes the office's stamp image (administrator).
#[tauri::command(async)]
pub fn set_stamp(state: State<'_, Workstation>, payload: Value) -> Reply<bool> {
    let r = (|| {
        let actor = state.actor()?;
        let req: StampRequest = decode(payload)?;
        let png = match req.png {
            Some(text) if text.len() > MAX_STAMP_BASE64 => return Err(Error::Document("stamp too large".into())),
            Some(text) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(text.trim())
                    .map_err(|e| Error::MalformedRequest(format!("stamp base64: {e}")))?,
            ),
            None => None,
        };
        if let Some(bytes) = &png {
            kense_documents::check_stamp(bytes).map_err(|e| Error::Document(e.to_string()))?;
        }
        let sha = png.as_ref().map(|p| kense_domain::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(p)));
        state.with_registry(|reg| {
            reg.set_stamp(&actor, png.as_deref().zip(sha.as_deref()), clock::now())?;
            Ok(png.is_some())
        })
    })();
    reply(&state, r)
}

/// The stamp image as base64, for the administrator's preview.
#[tauri::command(async)]
pub fn stamp(state: State<'_, Workstation>) -> Reply<Option<String>> {
    let r = state.actor().and_then(|actor| {
        authorize(&actor, Action::ManageOffice, None)?;
        state.with_registry(|reg| Ok(reg.stamp()?.map(|p| base64::engine::general_purpose::STANDARD.encode(p))))
    });
    reply(&state, r)
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
pub fn print_journal(app: tauri::AppHandle, state: State<'_, Workstation>, payload: Value) -> Reply<Printed> {
    let r = (|| {
        let actor = state.actor()?;
        let req: JournalRequest = decode(payload)?;
        let (from, to) = paper::journal::period(&req.from, &req.to)?;
        let printed = paper::journal::print(&state, &actor, from, to)?;
        printer::deliver(&app, &state, &actor, printed, &req.printer, true)
    })();
    reply(&state, r)
}

/// The verified backups in the data folder, newest first.
#[tauri::command(async)]
pub fn backups(state: State<'_, Workstation>) -> Reply<Vec<BackupFile>> {
    let r = state.actor().and_then(|actor| backup::list(&state, &actor));
    reply(&state, r)
}

#[tauri::command(async)]
pub fn back_up_now(state: State<'_, Workstation>) -> Reply<BackupRecord> {
    let r = state.actor().and_then(|actor| backup::back_up(&state, Initiator::Person(&actor), false));
    reply(&state, r)
}

/// Opens a folder picker (from Rust) and copies the newest backup there;
/// `null` when the administrator cancels.
#[tauri::command(async)]
pub fn copy_latest_backup(app: tauri::AppHandle, state: State<'_, Workstation>) -> Reply<Option<CopyRecord>> {
    let r = state
        .actor()
        .and_then(|actor| backup::copy_latest(&state, &actor, || dialogs::pick_folder(&app, state.lang())));
    reply(&state, r)
}

/// Opens a file picker (from Rust), checks the chosen backup and restores
/// it; `null` when cancelled. Everyone is logged out afterwards.
#[tauri::command(async)]
pub fn restore_backup(app: tauri::AppHandle, state: State<'_, Workstation>) -> Reply<Option<RestoreRecord>> {
    let r = state.actor().and_then(|actor| backup::restore(&state, &actor, || dialogs::pick_file(&app, state.lang())));
    reply(&state, r)
}

/// Where the running backup, copy or restore is; `null` when none runs.
#[tauri::command(async)]
pub fn backup_progress(state: State<'_, Workstation>) -> Reply<Option<Progress>> {
    let r = backup::progress(&state);
    reply(&state, r)
}

/// Stops the running backup, copy or restore at its next step; `false`
/// when nothing runs.
#[tauri::command(async)]
pub fn cancel_backup(state: State<'_, Workstation>) -> Reply<bool> {
    let r = backup::cancel(&state);
    reply(&state, r)
}

/// The backups the recovery screen offers; refused once the registry is in use.
#[tauri::command(async)]
pub fn recovery_backups(state: State<'_, Workstation>) -> Reply<Vec<BackupFile>> {
    let r = backup::recovery_backups(&state);
    reply(&state, r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecoveryRequest {
    /// A file name from `recovery_backups`; `null` opens a file picker.
    backup: Option<String>,
    login: String,
    password: String,
}

/// Restores a backup when nobody can log in (the registry is damaged,
/// missing, or still empty); authorized by an administrator's account in
/// the backup itself. `null` when the file picker was cancelled.
#[tauri::command(async)]
pub fn recover_registry(
    app: tauri::AppHandle,
    state: State<'_, Workstation>,
    payload: Value,
) -> Reply<Option<RestoreRecord>> {
    let r = decode::<RecoveryRequest>(payload).and_then(|req| {
        let pick = || dialogs::pick_file(&app, state.lang());
        backup::recover(&state, req.backup.as_deref(), &req.login, &req.password, pick)
    });
    reply(&state, r)
}

/// The payloads this module decodes, by command (the IPC fuzz test).
#[cfg(test)]
pub(crate) fn requests() -> Vec<(&'static str, crate::ipc_fuzz::Decoder)> {
    use crate::ipc_fuzz::decoder;
    vec![
        ("set_language", decoder::<LanguageRequest>),
        ("recover_registry", decoder::<RecoveryRequest>),
        ("preview_result", decoder::<PreviewRequest>),
        ("catalog_version", decoder::<CatalogVersionRequest>),
        ("create_administrator", decoder::<AdministratorRequest>),
        ("login", decoder::<LoginRequest>),
        ("register_application", decoder::<ApplicationDraft>),
        ("search_applications", decoder::<ApplicationQuery>),
        ("take_step", decoder::<StepRequest>),
        ("refusal_reasons", decoder::<ServiceRequest>),
        ("create_user", decoder::<NewUserRequest>),
        ("correct_application", decoder::<CorrectionRequest>),
        ("update_office", decoder::<OfficeDraft>),
        ("set_calendar_year", decoder::<CalendarYearRequest>),
        ("application_detail", decoder::<ApplicationRequest>),
        ("open_receipt", decoder::<ApplicationRequest>),
        ("verify_document", decoder::<VerifyRequest>),
        ("print_journal", decoder::<JournalRequest>),
        ("print_result", decoder::<ApplicationRequest>),
        ("set_stamp", decoder::<StampRequest>),
        ("look_up_document", decoder::<LookUpRequest>),
        ("person_by_iin", decoder::<PersonRequest>),
    ]
}
