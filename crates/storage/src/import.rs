//! Bringing an office's existing lists into the registry: its preschool
//! queue and the registers of its other services.
//!
//! The rows come checked by the domain ([`kense_domain::import`]); this
//! module adds what only the registry knows — a child already queued, a row
//! brought in before — and writes a file's good rows in one transaction
//! under one audit event that names the file and its SHA-256. Each child
//! keeps the moment of its original application, so the queue's order
//! (tier, then that moment) puts it where it stood. A row brought again
//! exactly as before (its fingerprint is on record) is skipped; a row that
//! differs from what is queued for its child is a conflict, reported and
//! not written.
//!
//! Imported applications are numbered in a series of their own
//! ([`IMPORT_SERIES`]) by the year they were made, so the office's journal
//! goes on unbroken; the old register's number is kept beside them as the
//! external number.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, TimeZone};
use kense_domain::access::{Action, Actor};
use kense_domain::application::{search_key, Status};
use kense_domain::import::history::{HistoryRow, HistorySheet};
use kense_domain::import::queue::{KnownKindergarten, QueueImportRow, QueueSheet, CHILD_IIN};
use kense_domain::import::{Problem, ProblemKind};
use kense_domain::queue::{positions, Cause, EntryState, QueueEntry, Tier, QUEUE_SERVICE};
use kense_domain::{Error, Lang};
use serde::Serialize;

use crate::audit::Event;
use crate::queue::{reorder, Moved};
use crate::sql::{args, Db};
use crate::{numbers, timestamp, Registry};

/// The journal series of imported applications. The office's own series
/// may only hold letters, digits and `/`, so this one, with its hyphen-free
/// Cyrillic, is told apart from it by the word itself.
pub const IMPORT_SERIES: &str = "ИМП";

/// The file an import reads, as the person chose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportFile {
    pub name: String,
    pub sha256: String,
}

/// A problem of a row, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub row: u32,
    /// The template column's key, when one is at fault.
    pub column: Option<&'static str>,
    pub code: &'static str,
    pub message_kk: String,
    pub message_ru: String,
}

impl From<&Problem> for RowProblem {
    fn from(p: &Problem) -> RowProblem {
        RowProblem {
            row: p.row,
            column: p.column.map(|c| c.key),
            code: p.kind.code(),
            message_kk: p.message(Lang::Kk),
            message_ru: p.message(Lang::Ru),
        }
    }
}

/// A queue row that is (or would be) imported, with the number it gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedQueueRow {
    pub row: u32,
    pub child_iin: String,
    pub child_name: String,
    pub birth_year: i32,
    pub category: String,
    pub applied_at: String,
    pub position: Option<u32>,
}

/// What an import of a queue file would do (a dry run) or did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueImportReport {
    pub file: ImportFile,
    pub rows_read: usize,
    /// The rows written (or that would be), in file order.
    pub rows: Vec<PlannedQueueRow>,
    /// Rows brought in before exactly as they are now: skipped.
    pub already_imported: usize,
    /// The file's problems and the conflicts with the registry, by row.
    pub problems: Vec<RowProblem>,
    /// The import's record, when it was written.
    pub batch_id: Option<i64>,
}

/// What an import of a history file would do or did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryImportReport {
    pub file: ImportFile,
    pub rows_read: usize,
    /// The external numbers written (or that would be), in file order.
    pub numbers: Vec<String>,
    pub already_imported: usize,
    pub problems: Vec<RowProblem>,
    pub batch_id: Option<i64>,
}

/// A queue sheet's rows sorted into what the registry says of them.
struct QueuePlan<'a> {
    new: Vec<&'a QueueImportRow>,
    already: usize,
    conflicts: Vec<Problem>,
}

/// Sorts the sheet's good rows: brought before (same fingerprint), in
/// conflict with the queue (the child queued with other data), or new.
fn plan_queue<'a>(db: &Db, sheet: &'a QueueSheet) -> Result<QueuePlan<'a>, Error> {
    let mut plan = QueuePlan { new: Vec::new(), already: 0, conflicts: Vec::new() };
    let known = known_fingerprints(db, "queue")?;
    let mut queued: HashMap<String, String> = HashMap::new();
    for r in db.query(
        "SELECT e.child_iin, a.number FROM queue_entries e JOIN applications a ON a.id = e.application_id
         WHERE e.state IN ('waiting', 'referred', 'stop_listed')",
        args![],
    )? {
        queued.insert(r.get("child_iin")?, r.get("number")?);
    }
    for row in &sheet.rows {
        if known.contains(&row.fingerprint) {
            plan.already += 1;
        } else if let Some(number) = queued.get(row.child.iin.as_str()) {
            plan.conflicts.push(Problem::new(
                row.row,
                Some(&kense_domain::import::queue::COLUMNS[CHILD_IIN]),
                ProblemKind::AlreadyQueued { number: number.clone() },
            ));
        } else {
            plan.new.push(row);
        }
    }
    Ok(plan)
}

fn known_fingerprints(db: &Db, kind: &str) -> Result<BTreeSet<String>, Error> {
    db.query(
        "SELECT i.fingerprint FROM imported_applications i JOIN import_batches b ON b.id = i.batch_id
         WHERE b.kind = ?1",
        args![kind],
    )?
    .iter()
    .map(|r| r.get("fingerprint"))
    .collect()
}

/// The tier an imported category stands in: the old register's category
/// was confirmed by the office that kept it, so it counts from the import
/// (while its evidence lasts, counted from the import day).
fn imported_tier(rules: &kense_domain::queue::QueueRules, category: &str) -> Tier {
    rules.category(category).map_or(Tier::General, |c| c.tier)
}

/// The numbers the new rows would get: each birth year's waiting children
/// and the new ones ordered together, the new ones after every existing
/// application in id order (as inserting them in moment order makes them).
fn planned_positions(
    db: &Db,
    rules: &kense_domain::queue::QueueRules,
    new: &[&QueueImportRow],
) -> Result<Vec<Option<u32>>, Error> {
    let next_id: i64 = db.value("SELECT COALESCE(MAX(id), 0) + 1 AS next FROM applications", args![])?;
    let by_moment = insertion_order(new);
    let mut fake_id = vec![0i64; new.len()];
    for (k, i) in by_moment.iter().enumerate() {
        fake_id[*i] = next_id + i64::try_from(k).unwrap_or(i64::MAX - next_id);
    }
    let mut out = vec![None; new.len()];
    let years: BTreeSet<i32> = new.iter().map(|r| r.child.birth_date.year()).collect();
    for year in years {
        let mut entries = crate::queue::load_waiting(db, year, false)?;
        for (i, r) in new.iter().enumerate().filter(|(_, r)| r.child.birth_date.year() == year) {
            entries.push(QueueEntry {
                id: fake_id[i],
                birth_year: year,
                registered_at: r.applied_at,
                tier: imported_tier(rules, &r.category),
                preferences: r.preferences.clone(),
                desired_start: None,
                special_needs: false,
                state: EntryState::Waiting,
            });
        }
        let numbers = positions(&entries, rules);
        for (i, r) in new.iter().enumerate().filter(|(_, r)| r.child.birth_date.year() == year) {
            let _ = r;
            out[i] = numbers.get(&fake_id[i]).copied();
        }
    }
    Ok(out)
}

/// The order in which new rows are written: by their moment, ties in file
/// order, so that the registry's insertion order (the queue's last
/// tie-breaker) is the file's.
fn insertion_order(new: &[&QueueImportRow]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..new.len()).collect();
    order.sort_by_key(|i| (new[*i].applied_at, new[*i].row));
    order
}

fn planned(rows: &[&QueueImportRow], numbers: &[Option<u32>]) -> Vec<PlannedQueueRow> {
    rows.iter()
        .zip(numbers)
        .map(|(r, position)| PlannedQueueRow {
            row: r.row,
            child_iin: r.child.iin.to_string(),
            child_name: r.child.name.clone(),
            birth_year: r.child.birth_date.year(),
            category: r.category.clone(),
            applied_at: r.applied_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            position: *position,
        })
        .collect()
}

fn problems_of(file: &[Problem], conflicts: &[Problem]) -> Vec<RowProblem> {
    let mut all: Vec<RowProblem> = file.iter().chain(conflicts).map(RowProblem::from).collect();
    all.sort_by_key(|p| p.row);
    all
}

/// A moment of the old register as the registry stores registration
/// moments: office local time with the office's offset.
fn stored_moment(m: NaiveDateTime, offset: FixedOffset) -> Result<String, Error> {
    offset
        .from_local_datetime(&m)
        .single()
        .map(timestamp)
        .ok_or_else(|| Error::Storage(format!("moment {m} out of range")))
}

/// Says how far the import is; `false` back cancels it (all of it).
pub type ImportProgress<'a> = &'a mut dyn FnMut(usize, usize) -> bool;

/// Every how many rows the progress is told.
const PROGRESS_EVERY: usize = 250;

impl Registry {
    /// The registry's kindergartens, as the rows of a queue file may name
    /// them (closed ones are not offered).
    pub fn import_kindergartens(&self) -> Result<Vec<KnownKindergarten>, Error> {
        self.db
            .query("SELECT id, name_kk, name_ru FROM kindergartens WHERE active = 1 ORDER BY id", args![])?
            .iter()
            .map(|r| Ok(KnownKindergarten { id: r.get("id")?, name_kk: r.get("name_kk")?, name_ru: r.get("name_ru")? }))
            .collect()
    }

    /// What importing `sheet` would do: the rows it would write with the
    /// numbers they would get, the rows brought in before, and every
    /// problem — the file's own and the children already queued. Nothing is
    /// written but the audit event of the look (it names queued children's
    /// applications).
    pub fn dry_run_queue_import(
        &mut self,
        actor: &Actor,
        sheet: &QueueSheet,
        file: &ImportFile,
        now: DateTime<FixedOffset>,
    ) -> Result<QueueImportReport, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageOffice, "import_queue_dry_run", &at)?;
        let plan = plan_queue(&self.db, sheet)?;
        let numbers = planned_positions(&self.db, &self.queue_rules()?, &plan.new)?;
        let report = QueueImportReport {
            file: file.clone(),
            rows_read: sheet.rows_read,
            rows: planned(&plan.new, &numbers),
            already_imported: plan.already,
            problems: problems_of(&sheet.problems, &plan.conflicts),
            batch_id: None,
        };
        let after = serde_json::json!({
            "file": file.name, "sha256": file.sha256, "rows_read": sheet.rows_read,
            "would_import": report.rows.len(), "already_imported": plan.already, "problems": report.problems.len(),
        });
        self.db.record(
            &at,
            Event::new("import_queue_dry_run", "import").by(actor.user_id, Some(role)).after(after.to_string()),
        )?;
        Ok(report)
    }

    /// Imports the good rows of `sheet` into the queue: one transaction, one
    /// audit event naming the file and its SHA-256. Rows brought in before
    /// are skipped and conflicts left out (both reported); each child keeps
    /// its original application moment and its category. `progress` is told
    /// the rows written; answering `false` cancels, and nothing is written.
    pub fn import_queue(
        &mut self,
        actor: &Actor,
        sheet: &QueueSheet,
        file: &ImportFile,
        now: DateTime<FixedOffset>,
        progress: ImportProgress<'_>,
    ) -> Result<QueueImportReport, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageOffice, "import_queue", &at)?;
        let (catalog_version, catalog) = self.catalog()?;
        let service =
            catalog.service(QUEUE_SERVICE).ok_or_else(|| Error::UnknownService(QUEUE_SERVICE.to_owned()))?.clone();
        let rules = self.rules_in_force()?;
        let today = now.date_naive();
        let offset = *now.offset();
        self.db.audited(&at, |tx| {
            // Planned inside the transaction: what another desk queued a
            // moment ago is a conflict, not a second entry.
            let plan = plan_queue(tx, sheet)?;
            let batch: i64 = tx.value(
                "INSERT INTO import_batches (kind, file_name, sha256, imported_at, imported_by, rows_imported,
                                             rows_skipped)
                 VALUES ('queue', ?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                args![file.name, file.sha256, at, actor.user_id, plan.new.len(), sheet.rows_read - plan.new.len()],
            )?;
            let order = insertion_order(&plan.new);
            let mut ids = vec![0i64; plan.new.len()];
            for (done, i) in order.iter().enumerate() {
                if done % PROGRESS_EVERY == 0 && !progress(done, plan.new.len()) {
                    return Err(Error::Cancelled);
                }
                let r = plan.new[*i];
                let registered_at = stored_moment(r.applied_at, offset)?;
                let year = r.applied_at.year();
                let seq = numbers::next(tx, IMPORT_SERIES, year, 1)?;
                let number = format!("{IMPORT_SERIES}-{year}-{seq:05}");
                let id: i64 = tx.value(
                    "INSERT INTO applications (number, series, year, seq, registered_at, registered_by,
                         catalog_version, service_code, service_name_kk, service_name_ru, channel, status,
                         applicant_iin, applicant_name, applicant_phone, applicant_address,
                         child_iin, child_name, child_birth_date, consent, notes, search_text)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'office', ?11, ?12, ?13, ?14, '',
                             ?15, ?16, ?17, 1, '', ?18)
                     RETURNING id",
                    args![
                        number,
                        IMPORT_SERIES,
                        year,
                        seq,
                        registered_at,
                        actor.user_id,
                        catalog_version,
                        service.code,
                        service.name.kk,
                        service.name.ru,
                        // The old register gave the queue notice already.
                        Status::Issued.code(),
                        r.applicant_iin.as_str(),
                        r.applicant_name,
                        r.applicant_phone,
                        r.child.iin.as_str(),
                        r.child.name,
                        r.child.birth_date,
                        search_key(&format!("{} {}", r.applicant_name, r.child.name)),
                    ],
                )?;
                ids[*i] = id;
                let tier = imported_tier(&rules, &r.category);
                let confirmed = tier != Tier::General;
                tx.execute(
                    "INSERT INTO queue_entries (application_id, child_iin, birth_year, queued_at, category, tier,
                                                evidence_document, evidence_issued_on, evidence_until,
                                                confirmed_by, confirmed_at, state)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'waiting')",
                    args![
                        id,
                        r.child.iin.as_str(),
                        r.child.birth_date.year(),
                        r.applied_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
                        r.category,
                        tier.code(),
                        confirmed.then(|| format!("{} ({})", file.name, r.row)),
                        confirmed.then_some(today),
                        if confirmed { rules.evidence_until(&r.category, today) } else { None },
                        confirmed.then_some(actor.user_id),
                        confirmed.then(|| at.clone()),
                    ],
                )
                .map_err(|e| match e {
                    crate::sql::SqlError::Unique(_) => Error::AlreadyQueued { number: String::new() },
                    other => other.into(),
                })?;
                for (rank, kg) in r.preferences.iter().enumerate() {
                    tx.execute(
                        "INSERT INTO queue_preferences (application_id, rank, kindergarten_id) VALUES (?1, ?2, ?3)",
                        args![id, rank + 1, kg],
                    )?;
                }
                tx.execute(
                    "INSERT INTO imported_applications (application_id, batch_id, file_row, external_number,
                                                        fingerprint, language)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    args![id, batch, r.row, r.external_number, r.fingerprint, r.language.map(|l| l.code())],
                )?;
            }
            let years: BTreeSet<i32> = plan.new.iter().map(|r| r.child.birth_date.year()).collect();
            let moved = Moved { cause: Cause::Imported, subject: None, distribution: None };
            for year in &years {
                reorder(tx, &rules, *year, moved, &at)?;
            }
            let mut numbers = Vec::with_capacity(ids.len());
            for id in &ids {
                numbers.push(tx.value_opt::<u32>(
                    "SELECT position FROM queue_entries WHERE application_id = ?1 AND position IS NOT NULL",
                    args![id],
                )?);
            }
            progress(plan.new.len(), plan.new.len());
            let report = QueueImportReport {
                file: file.clone(),
                rows_read: sheet.rows_read,
                rows: planned(&plan.new, &numbers),
                already_imported: plan.already,
                problems: problems_of(&sheet.problems, &plan.conflicts),
                batch_id: Some(batch),
            };
            let after = serde_json::json!({
                "file": file.name, "sha256": file.sha256, "rows_read": sheet.rows_read,
                "imported": ids.len(), "already_imported": plan.already, "problems": report.problems.len(),
                "applications": [ids.iter().min(), ids.iter().max()], "birth_years": years,
            });
            let event =
                Event::new("import_queue", "import").by(actor.user_id, Some(role)).id(batch).after(after.to_string());
            Ok((report, event))
        })
    }

    /// What importing a history sheet would do.
    pub fn dry_run_history_import(
        &mut self,
        actor: &Actor,
        sheet: &HistorySheet,
        file: &ImportFile,
        now: DateTime<FixedOffset>,
    ) -> Result<HistoryImportReport, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageOffice, "import_history_dry_run", &at)?;
        let (new, already, conflicts) = plan_history(&self.db, sheet)?;
        let report = HistoryImportReport {
            file: file.clone(),
            rows_read: sheet.rows_read,
            numbers: new.iter().map(|r| r.external_number.clone()).collect(),
            already_imported: already,
            problems: problems_of(&sheet.problems, &conflicts),
            batch_id: None,
        };
        let after = serde_json::json!({
            "file": file.name, "sha256": file.sha256, "rows_read": sheet.rows_read,
            "would_import": report.numbers.len(), "already_imported": already, "problems": report.problems.len(),
        });
        self.db.record(
            &at,
            Event::new("import_history_dry_run", "import").by(actor.user_id, Some(role)).after(after.to_string()),
        )?;
        Ok(report)
    }

    /// Imports the good rows of a history sheet: closed applications of any
    /// service with their old register's number as the external number, in
    /// one transaction under one audit event.
    pub fn import_history(
        &mut self,
        actor: &Actor,
        sheet: &HistorySheet,
        file: &ImportFile,
        now: DateTime<FixedOffset>,
        progress: ImportProgress<'_>,
    ) -> Result<HistoryImportReport, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageOffice, "import_history", &at)?;
        let (catalog_version, catalog) = self.catalog()?;
        let offset = *now.offset();
        self.db.audited(&at, |tx| {
            let (new, already, conflicts) = plan_history(tx, sheet)?;
            let batch: i64 = tx.value(
                "INSERT INTO import_batches (kind, file_name, sha256, imported_at, imported_by, rows_imported,
                                             rows_skipped)
                 VALUES ('history', ?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                args![file.name, file.sha256, at, actor.user_id, new.len(), sheet.rows_read - new.len()],
            )?;
            let mut order: Vec<&HistoryRow> = new.clone();
            order.sort_by_key(|r| (r.registered_at, r.row));
            for (done, r) in order.iter().enumerate() {
                if done % PROGRESS_EVERY == 0 && !progress(done, order.len()) {
                    return Err(Error::Cancelled);
                }
                let service =
                    catalog.service(&r.service_code).ok_or_else(|| Error::UnknownService(r.service_code.clone()))?;
                let year = r.registered_at.year();
                let seq = numbers::next(tx, IMPORT_SERIES, year, 1)?;
                let number = format!("{IMPORT_SERIES}-{year}-{seq:05}");
                let child = r.child.as_ref();
                let id: i64 = tx.value(
                    "INSERT INTO applications (number, series, year, seq, registered_at, registered_by,
                         catalog_version, service_code, service_name_kk, service_name_ru, channel, status,
                         applicant_iin, applicant_name, applicant_phone, applicant_address,
                         child_iin, child_name, child_birth_date, consent, notes, search_text)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, '',
                             ?16, ?17, ?18, 1, '', ?19)
                     RETURNING id",
                    args![
                        number,
                        IMPORT_SERIES,
                        year,
                        seq,
                        stored_moment(r.registered_at, offset)?,
                        actor.user_id,
                        catalog_version,
                        service.code,
                        service.name.kk,
                        service.name.ru,
                        r.channel.code(),
                        r.status.code(),
                        r.applicant_iin.as_str(),
                        r.applicant_name,
                        r.applicant_phone,
                        child.map(|c| c.iin.as_str()),
                        child.map(|c| c.name.as_str()),
                        child.map(|c| c.birth_date),
                        search_key(&format!("{} {}", r.applicant_name, child.map_or("", |c| c.name.as_str()))),
                    ],
                )?;
                tx.execute(
                    "INSERT INTO imported_applications (application_id, batch_id, file_row, external_number,
                                                        fingerprint)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    args![id, batch, r.row, r.external_number, r.fingerprint],
                )?;
            }
            progress(order.len(), order.len());
            let report = HistoryImportReport {
                file: file.clone(),
                rows_read: sheet.rows_read,
                numbers: new.iter().map(|r| r.external_number.clone()).collect(),
                already_imported: already,
                problems: problems_of(&sheet.problems, &conflicts),
                batch_id: Some(batch),
            };
            let after = serde_json::json!({
                "file": file.name, "sha256": file.sha256, "rows_read": sheet.rows_read,
                "imported": report.numbers.len(), "already_imported": already, "problems": report.problems.len(),
            });
            let event =
                Event::new("import_history", "import").by(actor.user_id, Some(role)).id(batch).after(after.to_string());
            Ok((report, event))
        })
    }

    /// The old register's number an application was imported with.
    pub fn external_number(&self, application_id: i64) -> Result<Option<String>, Error> {
        Ok(self
            .db
            .value_opt::<Option<String>>(
                "SELECT external_number FROM imported_applications WHERE application_id = ?1",
                args![application_id],
            )?
            .flatten())
    }
}

/// A history sheet's rows: new, brought before, or in conflict (the
/// external number imported before with other data).
fn plan_history<'a>(db: &Db, sheet: &'a HistorySheet) -> Result<(Vec<&'a HistoryRow>, usize, Vec<Problem>), Error> {
    let known = known_fingerprints(db, "history")?;
    let mut numbers: BTreeMap<String, String> = BTreeMap::new();
    for r in db.query(
        "SELECT i.external_number, a.number FROM imported_applications i
         JOIN import_batches b ON b.id = i.batch_id JOIN applications a ON a.id = i.application_id
         WHERE b.kind = 'history'",
        args![],
    )? {
        numbers.insert(r.get("external_number")?, r.get("number")?);
    }
    let (mut new, mut already, mut conflicts) = (Vec::new(), 0, Vec::new());
    for row in &sheet.rows {
        if known.contains(&row.fingerprint) {
            already += 1;
        } else if let Some(number) = numbers.get(&row.external_number) {
            conflicts.push(Problem::new(
                row.row,
                Some(&kense_domain::import::history::COLUMNS[kense_domain::import::history::EXTERNAL_NUMBER]),
                ProblemKind::AlreadyRegistered { number: number.clone() },
            ));
        } else {
            new.push(row);
        }
    }
    Ok((new, already, conflicts))
}
