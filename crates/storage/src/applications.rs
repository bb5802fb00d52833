//! Registering applications and reading them back.

use chrono::{DateTime, Datelike, FixedOffset};
use kense_domain::access::{Action, Actor, Role};
use kense_domain::application::{search_key, NewApplication, PresentedDocument, Status};
use kense_domain::catalog::{Channel, DocumentKind};
use kense_domain::iin::Iin;
use kense_domain::{Bilingual, Error};
use serde::Serialize;

use crate::audit::Event;
use crate::sql::{args, Db, Engine, FromRow, Row, SqlError, ToValue, Value};
use crate::{moment, numbers, office, timestamp, Registry};

/// Due moments computed by the caller from the catalog's norms on the
/// working calendar: of the step the application is entering, and of the
/// whole application. `None` where no norm applies (a final state).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Due {
    pub step: Option<DateTime<FixedOffset>>,
    pub whole: Option<DateTime<FixedOffset>>,
}

/// One line of the registration journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalLine {
    pub number: String,
    pub registered_at: DateTime<FixedOffset>,
    pub applicant_name: String,
    pub applicant_iin: String,
    pub service_name: Bilingual,
    pub channel: Channel,
    pub status: Status,
    pub executor: Option<String>,
    pub due_at: Option<DateTime<FixedOffset>>,
    /// When it was issued, withdrawn or refused at intake.
    pub closed_at: Option<DateTime<FixedOffset>>,
    /// `positive` or `refusal`: the latest result's outcome, once signed.
    pub outcome: Option<String>,
}

/// A printed document as the registry keeps it. `kind` is unique per
/// document of an application (e.g. `referral:Ж-2026-00001`), so that copy
/// numbers count reprints of that one document.
#[derive(Debug, Clone, Copy)]
pub struct Printed<'a> {
    pub application_id: i64,
    pub kind: &'a str,
    pub copy: u32,
    pub sha256: &'a str,
    pub verification: &'a str,
    pub file_name: &'a str,
}

/// The papers a registration owes the applicant, by the kind their prints
/// are recorded under: owed in the registering transaction, struck off by
/// the print that files them ([`Registry::record_printed`]).
pub mod papers {
    /// The acceptance receipt of a complete package.
    pub const RECEIPT: &str = "receipt";
    /// The receipt of refusal to accept documents (an incomplete package).
    pub const REFUSAL_RECEIPT: &str = "refusal-receipt";
    /// The notification of a queued child's number.
    pub const QUEUE_NOTIFICATION: &str = "queue-notification";
}

/// A printed copy as it was filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedFile {
    pub file_name: String,
    pub sha256: String,
    pub verification: String,
    /// The application's registration year: the folder it is filed in.
    pub year: i32,
}

/// What the clerk learns right after saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registered {
    pub id: i64,
    pub number: String,
    pub status: Status,
    pub registered_at: String,
    /// The child's number in its birth year's queue (preschool queue only).
    pub queue_position: Option<u32>,
    /// The papers the applicant is owed, by kind (see [`papers`]).
    pub owed: Vec<String>,
    /// The same request was registered before (its answer was lost): this
    /// is that registration, not a new one.
    pub repeated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationSummary {
    pub id: i64,
    pub number: String,
    pub registered_at: String,
    pub service_name: Bilingual,
    pub status: Status,
    pub applicant_name: String,
    pub child_name: Option<String>,
    pub executor: Option<String>,
    pub step_due_at: Option<String>,
    pub due_at: Option<String>,
    /// A due moment falls in a year whose moving holidays are not entered
    /// yet: told as provisional (set by the workstation, which holds the
    /// calendar; see `WorkingCalendar::is_provisional`).
    pub provisional: bool,
    pub urgency: Urgency,
    /// Papers owed and not yet filed (see [`papers`]): the row offers to
    /// print them now.
    pub owed: Vec<String>,
}

/// How pressing an open application is, at the moment of asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Final, or no norm applies.
    None,
    OnTime,
    DueToday,
    Overdue,
}

impl Urgency {
    pub fn of(status: Status, due: Option<DateTime<FixedOffset>>, now: DateTime<FixedOffset>) -> Urgency {
        match due {
            _ if status.is_final() => Urgency::None,
            None => Urgency::None,
            Some(d) if d < now => Urgency::Overdue,
            Some(d) if d.date_naive() == now.date_naive() => Urgency::DueToday,
            Some(_) => Urgency::OnTime,
        }
    }
}

/// What a search asks for; every part is optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicationQuery {
    pub text: Option<String>,
    pub status: Option<Status>,
    pub service_code: Option<String>,
    pub executor_id: Option<i64>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub overdue: bool,
    /// Only what waits for the asking person, ordered by deadline.
    pub worklist: bool,
    /// Only what was registered on the office's today (the registry's
    /// clock, not the workstation's).
    pub today: bool,
    pub limit: u32,
}

/// What the registry already knows of an applicant, from their latest
/// application: the clerk's form is filled with it, and the clerk checks it
/// against the identity document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KnownPerson {
    pub iin: String,
    pub name: String,
    pub phone: String,
    pub address: String,
    /// The application it comes from, and when that was registered.
    pub number: String,
    pub registered_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationRecord {
    pub id: i64,
    pub number: String,
    pub registered_at: DateTime<FixedOffset>,
    pub registered_by: String,
    pub catalog_version: u32,
    pub service_code: String,
    pub service_name: Bilingual,
    pub channel: String,
    /// The path's variant it takes, where its channel has one (the code).
    pub path_variant: Option<String>,
    /// Its name, where the clerk chose it among several.
    pub variant: Option<Bilingual>,
    pub status: Status,
    pub applicant_iin: String,
    pub applicant_name: String,
    pub applicant_phone: String,
    pub applicant_address: String,
    pub child_iin: Option<String>,
    pub child_name: Option<String>,
    pub child_birth_date: Option<chrono::NaiveDate>,
    pub documents: Vec<PresentedDocument>,
    pub notes: String,
    pub executor_id: Option<i64>,
    pub executor: Option<String>,
    pub step_due_at: Option<String>,
    pub due_at: Option<String>,
    /// As [`ApplicationSummary::provisional`].
    pub provisional: bool,
    /// The newest result version (a returned one is kept in the history).
    pub result: Option<ResultRecord>,
    /// The positive results its service issues, by form index, as its
    /// catalog version names them.
    pub result_forms: Vec<Bilingual>,
    /// The fields each of those forms states, for the executor's form.
    pub result_fields: Vec<Vec<kense_domain::result_fields::FieldSpec>>,
    /// Its signed positive result is an akimat's act not yet recorded: it
    /// goes to the akimat (or waits there) before anything is handed over.
    pub awaits_akimat: bool,
    pub history: Vec<HistoryEntry>,
    pub representative: Option<RepresentativeRecord>,
    /// How many corrections the person data has had (0 = as registered).
    pub corrections: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepresentativeRecord {
    pub iin: String,
    pub name: String,
    pub poa_number: String,
    pub poa_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultRecord {
    pub version: i64,
    pub outcome: String,
    /// For a positive result, its index among the service's workflow results.
    pub form: usize,
    pub reason_code: Option<String>,
    /// The ground's wording as it stood when the refusal was prepared;
    /// `None` for a positive result, or a refusal prepared before the
    /// wording was kept (then worded from the list).
    pub reason: Option<Bilingual>,
    pub explanation: String,
    pub prepared_by: String,
    pub prepared_at: String,
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
    /// The head's certificate signature, when he signed with one.
    pub certificate: Option<crate::CertificateFacts>,
    /// The facts the result form states, by key (stored forms).
    pub fields: kense_domain::result_fields::FieldValues,
    /// The akimat's act that adopted it (service 2), once recorded: its
    /// number and date (ISO).
    pub akimat_act: Option<AkimatAct>,
}

/// The akimat's act as the clerk recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AkimatAct {
    pub number: String,
    pub date: String,
}

/// A recorded correction of an application's person data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrectionRecord {
    pub version: i64,
    pub at: String,
    /// The full name of who made it.
    pub by: String,
    pub reason: String,
}

impl FromRow for CorrectionRecord {
    fn from_row(r: &Row) -> Result<CorrectionRecord, Error> {
        Ok(CorrectionRecord {
            version: r.get("version")?,
            at: r.get("corrected_at")?,
            by: r.get("full_name")?,
            reason: r.get("reason")?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub at: String,
    pub step: String,
    pub from_status: Status,
    pub to_status: Status,
    pub actor: String,
    pub role: String,
    pub comment: String,
}

pub(crate) fn status_of(code: &str) -> Result<Status, Error> {
    Status::parse(code).ok_or_else(|| Error::Storage(format!("unknown status {code:?} in the registry")))
}

/// A stored moment that may be missing; a malformed one reads as missing,
/// as the desks always have.
fn moment_opt(at: Option<&str>) -> Option<DateTime<FixedOffset>> {
    at.and_then(|d| DateTime::parse_from_rfc3339(d).ok())
}

impl ApplicationSummary {
    /// The earlier of the step's and the whole application's due moments.
    fn earliest_due(&self) -> Option<DateTime<FixedOffset>> {
        moment_opt(self.step_due_at.as_deref()).into_iter().chain(moment_opt(self.due_at.as_deref())).min()
    }

    /// A search's row, with its urgency at `now`.
    fn from_row(r: &Row, now: DateTime<FixedOffset>) -> Result<ApplicationSummary, Error> {
        let status = status_of(&r.get::<String>("status")?)?;
        let mut summary = ApplicationSummary {
            id: r.get("id")?,
            number: r.get("number")?,
            registered_at: r.get("registered_at")?,
            service_name: Bilingual::new(r.get::<String>("service_name_kk")?, r.get::<String>("service_name_ru")?),
            status,
            applicant_name: r.get("applicant_name")?,
            child_name: r.get("child_name")?,
            executor: r.get("executor")?,
            urgency: Urgency::None,
            step_due_at: r.get("step_due_at")?,
            due_at: r.get("due_at")?,
            provisional: false,
            owed: Vec::new(),
        };
        summary.urgency = Urgency::of(status, summary.earliest_due(), now);
        Ok(summary)
    }
}

impl FromRow for ResultRecord {
    fn from_row(r: &Row) -> Result<ResultRecord, Error> {
        Ok(ResultRecord {
            version: r.get("version")?,
            outcome: r.get("outcome")?,
            form: r.get::<i64>("form")?.try_into().unwrap_or(0),
            reason_code: r.get("reason_code")?,
            reason: match (r.get::<Option<String>>("reason_kk")?, r.get::<Option<String>>("reason_ru")?) {
                (Some(kk), Some(ru)) => Some(Bilingual::new(kk, ru)),
                _ => None,
            },
            explanation: r.get("explanation")?,
            prepared_by: r.get("prepared_by")?,
            prepared_at: r.get("prepared_at")?,
            signed_by: r.get("signed_by")?,
            signed_at: r.get("signed_at")?,
            certificate: None,
            fields: match r.get::<Option<String>>("fields")? {
                Some(json) => serde_json::from_str(&json).map_err(|e| Error::Storage(format!("result fields: {e}")))?,
                None => Default::default(),
            },
            akimat_act: match (
                r.get::<Option<String>>("akimat_act_number")?,
                r.get::<Option<String>>("akimat_act_date")?,
            ) {
                (Some(number), Some(date)) => Some(AkimatAct { number, date }),
                _ => None,
            },
        })
    }
}

impl FromRow for HistoryEntry {
    fn from_row(r: &Row) -> Result<HistoryEntry, Error> {
        Ok(HistoryEntry {
            at: r.get("at")?,
            step: r.get("step")?,
            from_status: status_of(&r.get::<String>("from_status")?)?,
            to_status: status_of(&r.get::<String>("to_status")?)?,
            actor: r.get("actor")?,
            role: r.get("actor_role")?,
            comment: r.get("comment")?,
        })
    }
}

impl FromRow for PresentedDocument {
    /// A checklist line with its marks; a line registered before kinds
    /// existed (no marks row) reads as `required` or `optional`, unmarked.
    fn from_row(r: &Row) -> Result<PresentedDocument, Error> {
        let required: bool = r.get("required")?;
        let kind = match r.get::<Option<String>>("kind")? {
            None if required => DocumentKind::Required,
            None => DocumentKind::Optional,
            Some(code) => {
                let condition =
                    match (r.get::<Option<String>>("condition_kk")?, r.get::<Option<String>>("condition_ru")?) {
                        (Some(kk), Some(ru)) => Some(Bilingual::new(kk, ru)),
                        _ => None,
                    };
                DocumentKind::from_code(&code, condition)
                    .ok_or_else(|| Error::Storage(format!("checklist line of kind {code:?} without its condition")))?
            }
        };
        let mark = |name: &str| -> Result<bool, Error> { Ok(r.get::<Option<bool>>(name)?.unwrap_or(false)) };
        Ok(PresentedDocument {
            code: r.get("code")?,
            name: Bilingual::new(r.get::<String>("name_kk")?, r.get::<String>("name_ru")?),
            kind,
            required,
            presented: r.get("presented")?,
            found_in_is: mark("found_in_is")?,
            condition_applies: mark("condition_applies")?,
            expired: mark("expired")?,
        })
    }
}

impl FromRow for JournalLine {
    fn from_row(r: &Row) -> Result<JournalLine, Error> {
        Ok(JournalLine {
            number: r.get("number")?,
            registered_at: moment(&r.get::<String>("registered_at")?)?,
            applicant_name: r.get("applicant_name")?,
            applicant_iin: r.get("applicant_iin")?,
            service_name: Bilingual::new(r.get::<String>("service_name_kk")?, r.get::<String>("service_name_ru")?),
            channel: {
                let code: String = r.get("channel")?;
                Channel::parse(&code).ok_or_else(|| Error::Storage(format!("unknown channel {code:?}")))?
            },
            status: status_of(&r.get::<String>("status")?)?,
            executor: r.get("executor")?,
            due_at: moment_opt(r.get::<Option<String>>("due_at")?.as_deref()),
            closed_at: moment_opt(r.get::<Option<String>>("closed_at")?.as_deref()),
            outcome: r.get("outcome")?,
        })
    }
}

/// The registration a request id already made, as its first answer said it
/// (with what is still owed of its papers).
fn registered_by_request(db: &Db, request: Option<&str>) -> Result<Option<Registered>, Error> {
    let Some(request) = request else { return Ok(None) };
    let Some(r) = db.query_opt(
        "SELECT a.id, a.number, a.status, a.registered_at, e.position FROM applications a
         LEFT JOIN queue_entries e ON e.application_id = a.id WHERE a.request_id = ?1",
        args![request],
    )?
    else {
        return Ok(None);
    };
    let id: i64 = r.get("id")?;
    let owed = db
        .query("SELECT kind FROM papers_owed WHERE application_id = ?1 ORDER BY kind", args![id])?
        .iter()
        .map(|o| o.get("kind"))
        .collect::<Result<_, _>>()?;
    Ok(Some(Registered {
        id,
        number: r.get("number")?,
        status: status_of(&r.get::<String>("status")?)?,
        registered_at: r.get("registered_at")?,
        queue_position: r.get("position")?,
        owed,
        repeated: true,
    }))
}

/// The person data of an application as a correction keeps it.
fn person_data(a: &ApplicationRecord) -> serde_json::Value {
    serde_json::json!({
        "applicant_iin": a.applicant_iin, "applicant_name": a.applicant_name,
        "applicant_phone": a.applicant_phone, "applicant_address": a.applicant_address,
        "child_iin": a.child_iin, "child_name": a.child_name, "child_birth_date": a.child_birth_date,
        "representative": a.representative, "notes": a.notes,
    })
}

/// How many of a name's trigrams the index is asked for: each narrows the
/// candidates, and the LIKE decides anyway.
const TRIGRAMS: usize = 16;

/// The FTS5 query (trigram tokenizer) for the applications whose folded
/// names hold every trigram of `key`: all of those that hold `key` itself,
/// and perhaps a few that hold its trigrams apart. `None` when `key` has no
/// trigram (fewer than three letters).
fn trigram_query(key: &str) -> Option<String> {
    let chars: Vec<char> = key.chars().collect();
    let mut grams: Vec<String> = Vec::new();
    for w in chars.windows(3) {
        // FTS5 reads its query as C text, which a NUL would end.
        if w.contains(&'\0') {
            continue;
        }
        let gram: String = w.iter().collect();
        if !grams.contains(&gram) {
            grams.push(gram);
        }
    }
    grams.truncate(TRIGRAMS);
    let quoted: Vec<String> = grams.iter().map(|g| format!("\"{}\"", g.replace('"', "\"\""))).collect();
    (!quoted.is_empty()).then(|| quoted.join(" AND "))
}

/// The folded names search looks in.
fn search_text(app: &NewApplication) -> String {
    search_key(&format!("{} {}", app.applicant.name, app.child.as_ref().map_or("", |c| c.name.as_str())))
}

impl Registry {
    /// Registers an application under the next number of the office's
    /// series for the year. The number, the rows and the audit event commit
    /// together, so a number is never lost or given twice.
    pub fn register_application(
        &mut self,
        actor: &Actor,
        app: &NewApplication,
        due: Due,
        now: DateTime<FixedOffset>,
    ) -> Result<Registered, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::RegisterApplication, "register_application", &at)?;
        let (catalog_version, catalog) = self.catalog()?;
        let service =
            catalog.service(&app.service_code).ok_or_else(|| Error::UnknownService(app.service_code.clone()))?;
        let status = app.intake();
        let rules = &self.rules_in_force()?;
        if let Some(found) = self.registered_by_request(app.request_id.as_deref())? {
            return Ok(found);
        }
        let registered = self.db.audited(&at, |tx| {
            if let (Some(child), Some(_)) = (&app.child, &app.queue) {
                crate::queue::check_not_queued(tx, child.iin.as_str())?;
            }
            // One open application per child and service; a service about
            // no child (an adopter's registration, a meeting permission, a
            // foster family) is one per applicant and service.
            if status == Status::Accepted {
                let (column, iin) = match &app.child {
                    Some(child) => ("child_iin", child.iin.as_str()),
                    None => ("applicant_iin", app.applicant.iin.as_str()),
                };
                let open: Option<String> = tx.value_opt(
                    &format!(
                        "SELECT number FROM applications WHERE {column} = ?1 AND service_code = ?2
                           AND status NOT IN ('refused_at_intake', 'issued', 'withdrawn') ORDER BY id LIMIT 1"
                    ),
                    args![iin, app.service_code],
                )?;
                if let (Some(number), None) = (open, &app.duplicate_reason) {
                    return Err(Error::Duplicate { number });
                }
            }
            let office = office::load(tx)?;
            let year = now.year();
            let seq = numbers::next(tx, &office.series, year, office.start_number)?;
            let number = format!("{}-{}-{:05}", office.series, year, seq);
            let child = app.child.as_ref();
            let rep = app.representative.as_ref();
            let id: i64 = tx.value(
                "INSERT INTO applications (number, series, year, seq, registered_at, registered_by, catalog_version,
                     service_code, service_name_kk, service_name_ru, channel, status,
                     applicant_iin, applicant_name, applicant_phone, applicant_address,
                     child_iin, child_name, child_birth_date, consent, notes, search_text, step_due_at, due_at,
                     representative_iin, representative_name, poa_number, poa_date, request_id, path_variant)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, 1,
                         ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)
                 RETURNING id",
                args![
                    number,
                    office.series,
                    year,
                    seq,
                    at,
                    actor.user_id,
                    catalog_version,
                    service.code,
                    service.name.kk,
                    service.name.ru,
                    app.channel.code(),
                    status.code(),
                    app.applicant.iin.as_str(),
                    app.applicant.name,
                    app.applicant.phone,
                    app.applicant.address,
                    child.map(|c| c.iin.as_str()),
                    child.map(|c| c.name.as_str()),
                    child.map(|c| c.birth_date),
                    app.notes,
                    search_text(app),
                    due.step.map(timestamp),
                    due.whole.map(timestamp),
                    rep.map(|r| r.iin.as_str()),
                    rep.map(|r| r.name.as_str()),
                    rep.map(|r| r.poa_number.as_str()),
                    rep.map(|r| r.poa_date),
                    app.request_id,
                    app.variant,
                ],
            )?;
            for (i, d) in app.documents.iter().enumerate() {
                tx.execute(
                    "INSERT INTO application_documents (application_id, position, code, name_kk, name_ru, required,
                                                        presented)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    args![id, i, d.code, d.name.kk, d.name.ru, d.required, d.presented],
                )?;
                let condition = d.kind.condition();
                tx.execute(
                    "INSERT INTO application_document_marks (application_id, position, kind, condition_kk,
                                                             condition_ru, found_in_is, condition_applies, expired)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    args![
                        id,
                        i,
                        d.kind.code(),
                        condition.map(|c| c.kk.as_str()),
                        condition.map(|c| c.ru.as_str()),
                        d.found_in_is,
                        d.condition_applies,
                        d.expired
                    ],
                )?;
            }
            let queue_position = match (&app.queue, child) {
                (Some(claim), Some(child)) => crate::queue::enqueue(tx, rules, id, child, claim, now)?,
                _ => None,
            };
            let receipt = if status == Status::RefusedAtIntake { papers::REFUSAL_RECEIPT } else { papers::RECEIPT };
            let mut owed = vec![receipt.to_owned()];
            if queue_position.is_some() {
                owed.push(papers::QUEUE_NOTIFICATION.to_owned());
            }
            for kind in &owed {
                tx.execute(
                    "INSERT INTO papers_owed (application_id, kind, owed_at) VALUES (?1, ?2, ?3)",
                    args![id, kind, at],
                )?;
            }
            let after = serde_json::json!({
                "number": number,
                "queue_position": queue_position,
                "papers_owed": owed,
                "catalog_version": catalog_version,
                "status": status.code(),
                "application": app,
            });
            let event = Event::new("register_application", "application")
                .by(actor.user_id, Some(role))
                .id(id)
                .after(after.to_string())
                .reason_opt(app.duplicate_reason.clone());
            let registered =
                Registered { id, number, status, registered_at: at.clone(), queue_position, owed, repeated: false };
            Ok((registered, event))
        });
        match registered {
            // The first attempt committed meanwhile on another connection
            // (its request id is unique): that registration is the answer.
            Err(e) => self.registered_by_request(app.request_id.as_deref())?.ok_or(e),
            ok => ok,
        }
    }

    fn registered_by_request(&self, request: Option<&str>) -> Result<Option<Registered>, Error> {
        registered_by_request(&self.db, request)
    }

    /// Applications matching `q`, newest first. Text is matched as a
    /// registration number, as an IIN (applicant or child) when it is twelve
    /// digits, and otherwise against the folded names (case- and
    /// Kazakh-letter-insensitive).
    ///
    /// A name is looked up through a trigram index (see migration 11 of
    /// each engine); with `worklist`, the page is read status by status in
    /// order of deadline, so it costs the same however many are open.
    pub fn search(
        &mut self,
        actor: &Actor,
        q: &ApplicationQuery,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<ApplicationSummary>, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ViewApplications, "search", &at)?;
        // Looking people up by name or IIN is access to personal data
        // (Law No. 94-V): who searched for what is kept.
        if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let event = Event::new("search", "application")
                .by(actor.user_id, Some(role))
                .reason(text.chars().take(200).collect::<String>());
            self.db.record(&at, event)?;
        }
        // The conditions every part of the query shares, as " AND …".
        let mut filters = String::new();
        let mut values: Vec<Value> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, v: &dyn ToValue| {
            values.push(v.to_value());
            sql.push_str(&clause.replace('?', &format!("?{}", values.len())));
        };
        let mut names: Option<String> = None;
        let text = q.text.as_deref().map(str::trim).unwrap_or("");
        if !text.is_empty() {
            if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
                arg(&mut filters, " AND (a.applicant_iin = ? ", &text);
                arg(&mut filters, " OR a.child_iin = ?)", &text);
            } else if text.split('-').count() == 3
                && text.split('-').skip(1).all(|p| p.bytes().all(|b| b.is_ascii_digit()))
            {
                // A whole number, as printed on the receipt: the unique index answers.
                arg(&mut filters, " AND a.number = ?", &text);
            } else if text.contains('-') && text.bytes().any(|b| b.is_ascii_digit()) {
                arg(&mut filters, " AND a.number LIKE ?", &format!("%{}%", text.replace(['%', '_'], "")));
            } else {
                let key = search_key(text).replace(['%', '_'], "");
                // The LIKE decides on both engines; PostgreSQL's trigram
                // index serves it directly, SQLite's FTS5 table offers the
                // candidates it is checked on (below). Text shorter than
                // three letters has no trigram: pg_trgm would then offer
                // every row, and the planner still takes that index (a
                // million rows read from the index and rechecked, twice a
                // plain scan's time), so there the column is written as an
                // expression the index does not serve, and the rows are
                // read newest first, stopping at the page.
                let column = match self.db.engine() {
                    Engine::Postgres if trigram_query(&key).is_none() => "(a.search_text || '')",
                    _ => "a.search_text",
                };
                arg(&mut filters, &format!(" AND {column} LIKE ?"), &format!("%{key}%"));
                names = Some(key);
            }
        }
        if let Some(st) = q.status {
            arg(&mut filters, " AND a.status = ?", &st.code());
        }
        if let Some(code) = &q.service_code {
            arg(&mut filters, " AND a.service_code = ?", code);
        }
        if let Some(e) = q.executor_id {
            arg(&mut filters, " AND a.executor_id = ?", &e);
        }
        let (from, to) = if q.today { (Some(now.date_naive()), Some(now.date_naive())) } else { (q.from, q.to) };
        if let Some(from) = from {
            arg(&mut filters, " AND a.registered_at >= ?", &from);
        }
        if let Some(to) = to {
            arg(&mut filters, " AND a.registered_at < ?", &(to + chrono::Duration::days(1)));
        }
        if q.overdue {
            // Stored moments are text with the office's offset; a bound half
            // a day ahead keeps every row overdue whatever offset it was
            // written with (Kazakhstan moved to UTC+5 in 2024), and the
            // exact test on the moments themselves follows below.
            let bound = timestamp(now + chrono::Duration::hours(14));
            filters.push_str(" AND a.status NOT IN ('refused_at_intake', 'issued', 'withdrawn')");
            arg(&mut filters, " AND (a.step_due_at < ?", &bound);
            arg(&mut filters, " OR a.due_at < ?)", &bound);
        }
        // SQLite's trigram table is asked for the candidates of a name.
        let candidates = match self.db.engine() {
            Engine::Sqlite => names.as_deref().and_then(trigram_query),
            Engine::Postgres => None,
        };
        // The overdue search reads every candidate and cuts the page itself.
        let every_overdue = q.overdue && !q.worklist;
        let mut limit = String::new();
        if !every_overdue {
            arg(&mut limit, "?", &q.limit.clamp(1, 500));
        }
        const COLUMNS: &str =
            "a.id, a.number, a.registered_at, a.service_name_kk, a.service_name_ru, a.status, a.applicant_name,
             a.child_name, u.full_name AS executor, a.step_due_at, a.due_at";
        let sql = if every_overdue {
            // Every candidate is read: cut at the page's length before the
            // exact test, the oldest overdue applications of a busy office
            // could fall off the page. They are few (overdue, or due within
            // the bound), and the page is the most overdue first.
            format!(
                "SELECT {COLUMNS} FROM applications a LEFT JOIN users u ON u.id = a.executor_id
                 WHERE 1 = 1{filters} ORDER BY a.id"
            )
        } else if q.worklist {
            // What waits for this person, in any of their roles: one part
            // per status, each read in its index's order of deadline (then
            // id) and cut at the page's length, then the ones without a
            // deadline in order of id. The page is the first rows of them
            // all in the order of one query over every part, `ORDER BY
            // step_due_at IS NULL, step_due_at, id`: a row on it is among
            // the first of its own part.
            let mut parts: Vec<String> = Vec::new();
            if actor.has(Role::Clerk) {
                // At the akimat too: the clerk records its act when it comes.
                parts.extend(
                    ["a.status = 'accepted'", "a.status = 'signed'", "a.status = 'at_akimat'"].map(str::to_owned),
                );
            }
            if actor.has(Role::Head) {
                parts.extend(["a.status = 'with_head'".to_owned(), "a.status = 'result_prepared'".to_owned()]);
            }
            if actor.has(Role::Executor) {
                parts.push(format!("a.status = 'with_executor' AND a.executor_id = {}", actor.user_id));
            }
            if parts.is_empty() {
                return Ok(Vec::new());
            }
            let part = |n: usize, part: &str, due: &str, order: &str| {
                format!(
                    "SELECT * FROM (SELECT {COLUMNS} FROM applications a LEFT JOIN users u ON u.id = a.executor_id
                     WHERE {part} AND a.step_due_at {due}{filters} ORDER BY {order} LIMIT {limit}) AS part{n}"
                )
            };
            let mut union: Vec<String> = Vec::new();
            for (i, p) in parts.iter().enumerate() {
                union.push(part(2 * i, p, "IS NOT NULL", "a.step_due_at, a.id"));
                union.push(part(2 * i + 1, p, "IS NULL", "a.id"));
            }
            format!(
                "SELECT * FROM ({}) AS page ORDER BY page.step_due_at IS NULL, page.step_due_at, page.id LIMIT {limit}",
                union.join(" UNION ALL ")
            )
        } else if let Some(trigrams) = candidates {
            // Newest first straight from the index's own order, so a name
            // many hold stops at the page's length and a rare one reads
            // only its own few.
            let mut sql = format!(
                "SELECT {COLUMNS} FROM applications_search s CROSS JOIN applications a
                 LEFT JOIN users u ON u.id = a.executor_id WHERE a.id = s.rowid{filters}"
            );
            arg(&mut sql, " AND s.applications_search MATCH ?", &trigrams);
            sql.push_str(&format!(" ORDER BY s.rowid DESC LIMIT {limit}"));
            sql
        } else {
            format!(
                "SELECT {COLUMNS} FROM applications a LEFT JOIN users u ON u.id = a.executor_id
                 WHERE 1 = 1{filters} ORDER BY a.id DESC LIMIT {limit}"
            )
        };
        let refs: Vec<&dyn ToValue> = values.iter().map(|v| v as &dyn ToValue).collect();
        let mut out = Vec::new();
        for row in self.db.query(&sql, &refs)? {
            let summary = ApplicationSummary::from_row(&row, now)?;
            if q.overdue && summary.urgency != Urgency::Overdue {
                continue;
            }
            out.push(summary);
        }
        if every_overdue {
            out.sort_by_key(|s| (s.earliest_due(), s.id));
            out.truncate(q.limit.clamp(1, 500) as usize);
        }
        // Owed papers are few (a paper is owed only until it is filed); only
        // those of the ids shown are read.
        let (Some(low), Some(high)) = (out.iter().map(|s| s.id).min(), out.iter().map(|s| s.id).max()) else {
            return Ok(out);
        };
        for r in self.db.query(
            "SELECT application_id, kind FROM papers_owed WHERE application_id BETWEEN ?1 AND ?2
             ORDER BY owed_at, application_id, kind",
            args![low, high],
        )? {
            let (id, kind): (i64, String) = (r.get("application_id")?, r.get("kind")?);
            if let Some(s) = out.iter_mut().find(|s| s.id == id) {
                s.owed.push(kind);
            }
        }
        Ok(out)
    }

    /// The applicant's name, phone and address from their latest application
    /// under this IIN, if any. A look-up of a person is an access to personal
    /// data (Law No. 94-V): it is audited like a search, found or not.
    pub fn person_by_iin(
        &mut self,
        actor: &Actor,
        iin: &Iin,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<KnownPerson>, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::RegisterApplication, "person_by_iin", &at)?;
        let found = self
            .db
            .query_opt(
                "SELECT applicant_name, applicant_phone, applicant_address, number, registered_at FROM applications
                 WHERE applicant_iin = ?1 ORDER BY id DESC LIMIT 1",
                args![iin.as_str()],
            )?
            .map(|r| {
                Ok::<_, Error>(KnownPerson {
                    iin: iin.as_str().to_owned(),
                    name: r.get("applicant_name")?,
                    phone: r.get("applicant_phone")?,
                    address: r.get("applicant_address")?,
                    number: r.get("number")?,
                    registered_at: r.get("registered_at")?,
                })
            })
            .transpose()?;
        let event = Event::new("person_by_iin", "person")
            .by(actor.user_id, Some(role))
            .after(serde_json::json!({ "found": found.as_ref().map(|p| &p.number) }).to_string())
            .reason(iin.as_str());
        self.db.record(&at, event)?;
        Ok(found)
    }

    /// One application with its checklist. Opening a record with personal
    /// data is audited (Law No. 94-V on personal data).
    pub fn application(
        &mut self,
        actor: &Actor,
        id: i64,
        now: DateTime<FixedOffset>,
    ) -> Result<ApplicationRecord, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::ViewApplications, "view_application", &at)?;
        let record = self.load_application(id)?;
        self.db.record(&at, Event::new("view_application", "application").by(actor.user_id, None).id(id))?;
        Ok(record)
    }

    fn load_application(&self, id: i64) -> Result<ApplicationRecord, Error> {
        let r = self
            .db
            .query_opt(
                "SELECT a.id, a.number, a.registered_at, u.full_name AS registered_by, a.catalog_version,
                        a.service_code, a.service_name_kk, a.service_name_ru, a.channel, a.status, a.applicant_iin,
                        a.applicant_name, a.applicant_phone, a.applicant_address, a.child_iin, a.child_name,
                        a.child_birth_date, a.notes, a.executor_id, e.full_name AS executor, a.step_due_at, a.due_at,
                        a.representative_iin, a.representative_name, a.poa_number, a.poa_date, a.path_variant,
                        (SELECT COUNT(*) FROM application_versions v WHERE v.application_id = a.id) AS corrections
                 FROM applications a JOIN users u ON u.id = a.registered_by
                 LEFT JOIN users e ON e.id = a.executor_id WHERE a.id = ?1",
                args![id],
            )?
            .ok_or(Error::NotFound)?;
        let representative = match (
            r.get::<Option<String>>("representative_iin")?,
            r.get::<Option<String>>("representative_name")?,
            r.get::<Option<String>>("poa_number")?,
            r.get::<Option<String>>("poa_date")?,
        ) {
            (Some(iin), Some(name), Some(poa_number), Some(poa_date)) => {
                Some(RepresentativeRecord { iin, name, poa_number, poa_date })
            }
            _ => None,
        };
        let registered_at = DateTime::parse_from_rfc3339(&r.get::<String>("registered_at")?)
            .map_err(|e| Error::Storage(format!("bad registered_at in application {id}: {e}")))?;
        let child_birth_date = r
            .get::<Option<String>>("child_birth_date")?
            .map(|d| d.parse().map_err(|e| Error::Storage(format!("bad child_birth_date in application {id}: {e}"))))
            .transpose()?;
        let documents = self.db.query_as(
            "SELECT d.code, d.name_kk, d.name_ru, d.required, d.presented, m.kind, m.condition_kk, m.condition_ru,
                    m.found_in_is, m.condition_applies, m.expired
             FROM application_documents d
             LEFT JOIN application_document_marks m ON m.application_id = d.application_id AND m.position = d.position
             WHERE d.application_id = ?1 ORDER BY d.position",
            args![id],
        )?;
        let spec = self.service_spec(id)?;
        let path_variant: Option<String> = r.get("path_variant")?;
        let variant = path_variant.clone().and_then(|v| {
            // Named only where the clerk had a choice.
            let channel = Channel::parse(&r.get::<String>("channel").ok()?)?;
            (spec.office_paths(channel).count() > 1)
                .then(|| spec.office_paths(channel).find(|p| p.variant.as_deref() == Some(&v))?.variant_name.clone())
                .flatten()
        });
        let result = self.latest_result(id)?;
        Ok(ApplicationRecord {
            id,
            number: r.get("number")?,
            registered_at,
            registered_by: r.get("registered_by")?,
            catalog_version: r.get("catalog_version")?,
            service_code: r.get("service_code")?,
            service_name: Bilingual::new(r.get::<String>("service_name_kk")?, r.get::<String>("service_name_ru")?),
            channel: r.get("channel")?,
            path_variant,
            variant,
            status: status_of(&r.get::<String>("status")?)?,
            applicant_iin: r.get("applicant_iin")?,
            applicant_name: r.get("applicant_name")?,
            applicant_phone: r.get("applicant_phone")?,
            applicant_address: r.get("applicant_address")?,
            child_iin: r.get("child_iin")?,
            child_name: r.get("child_name")?,
            child_birth_date,
            documents,
            notes: r.get("notes")?,
            executor_id: r.get("executor_id")?,
            executor: r.get("executor")?,
            step_due_at: r.get("step_due_at")?,
            due_at: r.get("due_at")?,
            provisional: false,
            awaits_akimat: spec.akimat_decides()
                && result.as_ref().is_some_and(|r| r.outcome == "positive" && r.akimat_act.is_none()),
            result,
            // A result issued with others is named with them ("order;
            // contract; decision"), as the executor chooses it.
            result_forms: spec
                .workflow_results()
                .iter()
                .map(|r| {
                    let names = std::iter::once(&r.name).chain(r.together.iter().map(|p| &p.name));
                    let (kk, ru): (Vec<&str>, Vec<&str>) = names.map(|n| (n.kk.as_str(), n.ru.as_str())).unzip();
                    Bilingual::new(kk.join("; "), ru.join("; "))
                })
                .collect(),
            result_fields: spec.workflow_results().iter().map(|r| r.fields.clone()).collect(),
            history: self.history(id)?,
            representative,
            corrections: r.get("corrections")?,
        })
    }

    fn latest_result(&self, id: i64) -> Result<Option<ResultRecord>, Error> {
        self.db
            .query_opt(
                "SELECT r.version, r.outcome, r.reason_code, r.reason_kk, r.reason_ru, r.explanation,
                        p.full_name AS prepared_by, r.prepared_at, s.full_name AS signed_by, r.signed_at, r.form,
                        r.fields, r.akimat_act_number, r.akimat_act_date
                 FROM results r JOIN users p ON p.id = r.prepared_by LEFT JOIN users s ON s.id = r.signed_by
                 WHERE r.application_id = ?1 ORDER BY r.version DESC LIMIT 1",
                args![id],
            )?
            .map(|r| ResultRecord::from_row(&r))
            .transpose()?
            .map(|mut result| {
                result.certificate = self.result_certificate(id)?.filter(|_| result.signed_by.is_some());
                Ok(result)
            })
            .transpose()
    }

    fn history(&self, id: i64) -> Result<Vec<HistoryEntry>, Error> {
        self.db.query_as(
            "SELECT w.at, w.step, w.from_status, w.to_status, u.full_name AS actor, w.actor_role, w.comment
             FROM workflow_events w JOIN users u ON u.id = w.actor_id WHERE w.application_id = ?1 ORDER BY w.id",
            args![id],
        )
    }

    /// Corrects the person data of an open application. Nothing is
    /// overwritten without trace: the data as it stood goes into a new
    /// version with the reason, and the audit records before and after.
    /// The number, registration time, service and checklist never change.
    pub fn correct_application(
        &mut self,
        actor: &Actor,
        id: i64,
        expected: Status,
        app: &NewApplication,
        reason: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<i64, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::CorrectApplication, "correct_application", &at)?;
        let reason = kense_domain::application::required_text(kense_domain::Field::CorrectionReason, reason, 1000)?;
        let before = self.load_application(id)?;
        if before.status != expected || before.status.is_final() {
            return Err(Error::InvalidState);
        }
        let previous = person_data(&before);
        let rules = &self.rules_in_force()?;
        self.db.audited(&at, |tx| {
            let version: i64 = tx.value(
                "SELECT COALESCE(MAX(version), 0) + 1 AS next FROM application_versions WHERE application_id = ?1",
                args![id],
            )?;
            tx.execute(
                "INSERT INTO application_versions (application_id, version, previous, reason, corrected_by,
                                                   corrected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                args![id, version, previous.to_string(), reason, actor.user_id, at],
            )?;
            let child = app.child.as_ref();
            let rep = app.representative.as_ref();
            tx.execute(
                "UPDATE applications SET applicant_iin = ?1, applicant_name = ?2, applicant_phone = ?3,
                     applicant_address = ?4, child_iin = ?5, child_name = ?6, child_birth_date = ?7, notes = ?8,
                     search_text = ?9, representative_iin = ?10, representative_name = ?11, poa_number = ?12,
                     poa_date = ?13
                 WHERE id = ?14 AND status = ?15",
                args![
                    app.applicant.iin.as_str(),
                    app.applicant.name,
                    app.applicant.phone,
                    app.applicant.address,
                    child.map(|c| c.iin.as_str()),
                    child.map(|c| c.name.as_str()),
                    child.map(|c| c.birth_date),
                    app.notes,
                    search_text(app),
                    rep.map(|r| r.iin.as_str()),
                    rep.map(|r| r.name.as_str()),
                    rep.map(|r| r.poa_number.as_str()),
                    rep.map(|r| r.poa_date),
                    id,
                    expected.code(),
                ],
            )?;
            if let Some(child) = child {
                crate::queue::correct_child(tx, rules, id, child, now)?;
            }
            let event = Event::new("correct_application", "application")
                .by(actor.user_id, Some(role))
                .id(id)
                .before(previous.to_string())
                .after(serde_json::json!({"version": version, "application": app}).to_string())
                .reason(reason.clone());
            Ok((version, event))
        })
    }

    /// Every recorded correction of an application, oldest first: the verify
    /// screen tells a paper corrected through Kense after printing (when,
    /// by whom) from one changed behind its back. The caller authorized its
    /// reading of the application already.
    pub fn corrections_of(&self, application_id: i64) -> Result<Vec<CorrectionRecord>, Error> {
        self.db.query_as(
            "SELECT v.version, v.corrected_at, u.full_name, v.reason FROM application_versions v
             JOIN users u ON u.id = v.corrected_by WHERE v.application_id = ?1 ORDER BY v.version",
            args![application_id],
        )
    }

    /// A printed document found by the verification text in its QR code:
    /// the application's id and when it was printed. Looking it up is an
    /// access to the record and is audited.
    pub fn issued_by_verification(
        &mut self,
        actor: &Actor,
        text: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<(i64, String)>, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::ViewApplications, "verify_document", &at)?;
        let found = self
            .db
            .query_opt("SELECT application_id, issued_at FROM issued_documents WHERE verification = ?1", args![text])?
            .map(|r| Ok::<_, Error>((r.get("application_id")?, r.get("issued_at")?)))
            .transpose()?;
        let action = if found.is_some() { "verify_document:found" } else { "verify_document:unknown" };
        let mut event = Event::new(action, "application").by(actor.user_id, None);
        if let Some((id, _)) = &found {
            event = event.id(id);
        }
        self.db.record(&at, event)?;
        Ok(found)
    }

    /// The registration journal: every application registered on the days
    /// `from..=to` (office dates), in number order. Listing people is an
    /// access to personal data, so it is audited like a search.
    pub fn journal(
        &mut self,
        actor: &Actor,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<JournalLine>, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ViewApplications, "journal", &at)?;
        self.db.record(
            &at,
            Event::new("journal", "application").by(actor.user_id, Some(role)).reason(format!("{from}..{to}")),
        )?;
        // Stored moments are ISO text, so the day range is a text range.
        self.db.query_as(
            "SELECT a.number, a.registered_at, a.applicant_name, a.applicant_iin, a.service_name_kk,
                    a.service_name_ru, a.channel, a.status, u.full_name AS executor, a.due_at,
                    (SELECT r.outcome FROM results r WHERE r.application_id = a.id AND r.signed_at IS NOT NULL
                     ORDER BY r.version DESC LIMIT 1) AS outcome,
                    CASE a.status WHEN 'refused_at_intake' THEN a.registered_at
                         ELSE (SELECT MAX(w.at) FROM workflow_events w WHERE w.application_id = a.id
                                 AND w.to_status IN ('issued', 'withdrawn')) END AS closed_at
             FROM applications a LEFT JOIN users u ON u.id = a.executor_id
             WHERE a.registered_at >= ?1 AND a.registered_at < ?2
             ORDER BY a.registered_at, a.id",
            args![from, to.succ_opt().unwrap_or(to)],
        )
    }

    /// A document sent straight to a printer: who sent which file where. The
    /// document's making was authorized and recorded already.
    pub fn record_print_job(
        &mut self,
        actor: &Actor,
        file_name: &str,
        printer: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let event = Event::new("send_to_printer", "document")
            .by(actor.user_id, None)
            .id(file_name)
            .after(serde_json::json!({ "printer": printer }).to_string());
        self.db.record(&timestamp(now), event)
    }

    /// What was printed for an application: kind, copy and when, oldest
    /// first (the verify screen lists it beside the record).
    pub fn printed_documents(&self, application_id: i64) -> Result<Vec<(String, u32, String)>, Error> {
        self.db
            .query(
                "SELECT kind, copy_number, issued_at FROM issued_documents WHERE application_id = ?1 ORDER BY id",
                args![application_id],
            )?
            .iter()
            .map(|r| Ok((r.get("kind")?, r.get("copy_number")?, r.get("issued_at")?)))
            .collect()
    }

    /// Where a printed copy was filed: its file name in the folder of the
    /// application's registration year, its SHA-256 and verification text.
    pub fn printed_file(&self, application_id: i64, kind: &str, copy: u32) -> Result<Option<PrintedFile>, Error> {
        self.db
            .query_opt(
                "SELECT d.file_name, d.sha256, d.verification, a.year FROM issued_documents d
                 JOIN applications a ON a.id = d.application_id
                 WHERE d.application_id = ?1 AND d.kind = ?2 AND d.copy_number = ?3",
                args![application_id, kind, copy],
            )?
            .map(|r| {
                Ok(PrintedFile {
                    file_name: r.get("file_name")?,
                    sha256: r.get("sha256")?,
                    verification: r.get::<Option<String>>("verification")?.unwrap_or_default(),
                    year: r.get("year")?,
                })
            })
            .transpose()
    }

    /// Every paper owed and not filed: (application, kind), oldest first.
    pub fn owed_papers(&self) -> Result<Vec<(i64, String)>, Error> {
        self.db
            .query("SELECT application_id, kind FROM papers_owed ORDER BY owed_at, application_id, kind", args![])?
            .iter()
            .map(|r| Ok((r.get("application_id")?, r.get("kind")?)))
            .collect()
    }

    /// The application with this number, if any (for verification by number).
    pub fn application_id_by_number(&self, number: &str) -> Result<Option<i64>, Error> {
        self.db.value_opt("SELECT id FROM applications WHERE number = ?1", args![number])
    }

    /// The copy number the next print of a document will carry: 1 for the
    /// original, more for reprints (marked "көшірме / копия" on the paper).
    pub fn next_copy_number(&self, application_id: i64, kind: &str) -> Result<u32, Error> {
        self.db.value(
            "SELECT COALESCE(MAX(copy_number), 0) + 1 AS next FROM issued_documents
             WHERE application_id = ?1 AND kind = ?2",
            args![application_id, kind],
        )
    }

    /// Records a printed document: its SHA-256 proves later what was handed
    /// out. Two workstations printing the same copy number at once cannot
    /// both succeed (unique key); the second is told to print again. `action`
    /// is the right printing it needs: intake and result papers are the
    /// clerk's, queue papers anyone's at the queue desk.
    pub fn record_printed(
        &mut self,
        actor: &Actor,
        action: Action,
        p: &Printed<'_>,
        now: DateTime<FixedOffset>,
    ) -> Result<u32, Error> {
        let Printed { application_id, kind, copy, sha256, verification, file_name } = *p;
        let at = timestamp(now);
        let role = self.authorize_plain(actor, action, "print", &at)?;
        self.db.audited(&at, |tx| {
            tx.execute(
                "INSERT INTO issued_documents (application_id, kind, copy_number, sha256, verification, file_name,
                                               issued_at, issued_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                args![application_id, kind, copy, sha256, verification, file_name, at, actor.user_id],
            )
            .map_err(|e| match e {
                SqlError::Unique(_) | SqlError::Constraint(_) => Error::InvalidState,
                e => e.into(),
            })?;
            // Filed: no longer owed.
            tx.execute("DELETE FROM papers_owed WHERE application_id = ?1 AND kind = ?2", args![application_id, kind])?;
            let event = Event::new("print", "application")
                .by(actor.user_id, Some(role))
                .id(application_id)
                .after(serde_json::json!({"kind": kind, "copy": copy, "sha256": sha256}).to_string());
            Ok((copy, event))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::trigram_query;

    #[test]
    fn a_name_is_asked_for_by_its_trigrams_quoted() {
        assert_eq!(trigram_query("ов"), None, "too short for a trigram: the search scans");
        assert_eq!(trigram_query("нур").as_deref(), Some("\"нур\""));
        assert_eq!(trigram_query("ов е").as_deref(), Some("\"ов \" AND \"в е\""));
        assert_eq!(trigram_query("ааааа").as_deref(), Some("\"ааа\""), "each once");
        assert_eq!(trigram_query("o\"b").as_deref(), Some("\"o\"\"b\""), "a quote doubled inside the string");
        assert_eq!(trigram_query("a\0bcd").as_deref(), Some("\"bcd\""), "a NUL would end FTS5's text");
        assert_eq!(trigram_query("\0ab"), None);
        let long = "абвгдежзийклмнопрстуфхцчшщ";
        assert_eq!(trigram_query(long).unwrap().matches(" AND ").count(), super::TRIGRAMS - 1);
    }
}
