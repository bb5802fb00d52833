//! Queue entries: a child put in its birth year's queue at registration,
//! its stored number and every change of it with the cause, corrections
//! and withdrawal followed into the queue, and the officer's confirmation
//! of a claimed priority.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use kense_domain::access::{Action, Actor};
use kense_domain::application::Child;
use kense_domain::queue::{
    changes, positions, Cause, EntryState, Evidence, PositionChange, QueueClaim, QueueEntry, QueueRules, Tier,
};
use kense_domain::{Error, Field};
use serde::Serialize;

use super::{date, event, naive, tier_of, RulesOfVersion};
use crate::audit::Event;
use crate::sql::{args, Db, FromRow, Row, Tx};
use crate::{timestamp, Registry};

/// One child of a birth year's queue, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueRow {
    pub application_id: i64,
    pub number: String,
    pub position: Option<u32>,
    pub birth_year: i32,
    pub child_name: String,
    pub child_iin: String,
    pub category: String,
    pub tier: Tier,
    pub queued_at: String,
    pub state: String,
    pub stop_until: Option<String>,
    pub evidence_until: Option<String>,
    pub confirmed: bool,
    pub preferences: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearCount {
    pub birth_year: i32,
    pub waiting: i64,
    pub referred: i64,
    pub stop_listed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PositionChangeRecord {
    pub at: String,
    pub from: Option<u32>,
    pub to: Option<u32>,
    pub cause: Cause,
    /// The application whose event moved the number; `None` for a
    /// distribution, which moves many at once.
    pub subject_number: Option<String>,
    pub own: bool,
    pub distribution_id: Option<i64>,
    /// For the row that put the child on the stop list it is on now: the
    /// stop list's last day (`YYYY-MM-DD`). An ended stop list has its
    /// return row after it instead.
    pub until: Option<String>,
}

impl FromRow for QueueRow {
    fn from_row(r: &Row) -> Result<QueueRow, Error> {
        let preferences: Option<String> = r.get("preferences")?;
        Ok(QueueRow {
            application_id: r.get("application_id")?,
            number: r.get("number")?,
            position: r.get("position")?,
            birth_year: r.get("birth_year")?,
            child_name: r.get::<Option<String>>("child_name")?.unwrap_or_default(),
            child_iin: r.get("child_iin")?,
            category: r.get("category")?,
            tier: tier_of(&r.get::<String>("tier")?)?,
            queued_at: r.get("queued_at")?,
            state: r.get("state")?,
            stop_until: r.get("stop_until")?,
            evidence_until: r.get("evidence_until")?,
            confirmed: r.get("confirmed")?,
            preferences: preferences.unwrap_or_default().split(',').filter_map(|s| s.parse().ok()).collect(),
        })
    }
}

impl FromRow for YearCount {
    fn from_row(r: &Row) -> Result<YearCount, Error> {
        Ok(YearCount {
            birth_year: r.get("birth_year")?,
            waiting: r.get("waiting")?,
            referred: r.get("referred")?,
            stop_listed: r.get("stop_listed")?,
        })
    }
}

impl FromRow for PositionChangeRecord {
    fn from_row(r: &Row) -> Result<PositionChangeRecord, Error> {
        let cause: String = r.get("cause")?;
        Ok(PositionChangeRecord {
            at: r.get("at")?,
            from: r.get("from_position")?,
            to: r.get("to_position")?,
            cause: Cause::parse(&cause).ok_or_else(|| Error::Storage(format!("cause {cause}")))?,
            subject_number: r.get("subject_number")?,
            own: r.get::<Option<bool>>("own")?.unwrap_or(false),
            distribution_id: r.get("distribution_id")?,
            until: r.get("until")?,
        })
    }
}

pub(super) fn entry_state(code: &str, stop_until: Option<&str>) -> Result<EntryState, Error> {
    Ok(match code {
        "waiting" => EntryState::Waiting,
        "referred" => EntryState::Referred,
        "stop_listed" => EntryState::StopListed { until: date(stop_until.unwrap_or_default())? },
        "enrolled" => EntryState::Enrolled,
        "removed" => EntryState::Removed,
        other => return Err(Error::Storage(format!("queue state {other}"))),
    })
}

pub(super) fn set_state(tx: &Tx<'_>, application_id: i64, state: EntryState) -> Result<(), Error> {
    let until = match state {
        EntryState::StopListed { until } => Some(until),
        _ => None,
    };
    tx.execute(
        "UPDATE queue_entries SET state = ?1, stop_until = ?2 WHERE application_id = ?3",
        args![state.code(), until, application_id],
    )?;
    Ok(())
}

/// The waiting children of one birth year, as the ordering needs them
/// (preferences only when a distribution needs them too).
pub(crate) fn load_waiting(db: &Db, year: i32, with_preferences: bool) -> Result<Vec<QueueEntry>, Error> {
    let rows = db.query(
        "SELECT application_id, queued_at, tier, desired_start, commission_decision IS NOT NULL AS special
         FROM queue_entries WHERE birth_year = ?1 AND state = 'waiting'",
        args![year],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(QueueEntry {
            id: r.get("application_id")?,
            birth_year: year,
            registered_at: naive(&r.get::<String>("queued_at")?)?,
            tier: tier_of(&r.get::<String>("tier")?)?,
            preferences: Vec::new(),
            desired_start: r.get::<Option<String>>("desired_start")?.as_deref().map(date).transpose()?,
            special_needs: r.get("special")?,
            state: EntryState::Waiting,
        });
    }
    if with_preferences && !out.is_empty() {
        let mut prefs: HashMap<i64, Vec<i64>> = HashMap::new();
        let rows = db.query(
            "SELECT p.application_id, p.kindergarten_id FROM queue_preferences p
             JOIN queue_entries e ON e.application_id = p.application_id
             WHERE e.birth_year = ?1 AND e.state = 'waiting' ORDER BY p.application_id, p.rank",
            args![year],
        )?;
        for r in &rows {
            prefs.entry(r.get("application_id")?).or_default().push(r.get("kindergarten_id")?);
        }
        for e in &mut out {
            e.preferences = prefs.remove(&e.id).unwrap_or_default();
        }
    }
    Ok(out)
}

/// Where a number change came from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Moved {
    pub cause: Cause,
    /// The application whose event it was; `None`: each child's own.
    pub subject: Option<i64>,
    pub distribution: Option<i64>,
}

impl Moved {
    /// Numbers put right after they were found differing from the order
    /// (an administrator accepting what verification found).
    pub(crate) fn corrected() -> Moved {
        Moved { cause: Cause::Corrected, subject: None, distribution: None }
    }
}

/// Recomputes one birth year's numbers and records every change with its
/// cause. Returns how many numbers changed.
pub(crate) fn reorder(tx: &Tx<'_>, rules: &RulesOfVersion, year: i32, moved: Moved, at: &str) -> Result<usize, Error> {
    let diff = renumbering(tx, &*rules.in_force(tx)?, year)?;
    for c in &diff {
        tx.execute("UPDATE queue_entries SET position = ?1 WHERE application_id = ?2", args![c.to, c.entry])?;
        // In a distribution the only children who leave the queue are the
        // ones it gave a referral: for them the event is their own.
        let subject = match (moved.distribution, moved.subject) {
            (Some(_), _) if c.to.is_none() => Some(c.entry),
            (Some(_), s) => s,
            (None, s) => s.or(Some(c.entry)),
        };
        tx.execute(
            "INSERT INTO position_changes (application_id, at, from_position, to_position, cause, subject_id,
                                           distribution_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            args![c.entry, at, c.from, c.to, moved.cause.code(), subject, moved.distribution],
        )?;
    }
    Ok(diff.len())
}

/// The numbers of one birth year that `rules` would change; nothing written.
pub(crate) fn renumbering(db: &Db, rules: &QueueRules, year: i32) -> Result<Vec<PositionChange>, Error> {
    let mut before = HashMap::new();
    for r in db.query(
        "SELECT application_id, position FROM queue_entries WHERE birth_year = ?1 AND position IS NOT NULL",
        args![year],
    )? {
        before.insert(r.get::<i64>("application_id")?, r.get::<u32>("position")?);
    }
    let after = positions(&load_waiting(db, year, false)?, rules);
    Ok(changes(&before, &after))
}

/// Every waiting child's number put right under `rules`, which a catalog
/// version brings in place of others: each change recorded as the rules'.
/// How many numbers moved comes back.
pub(crate) fn follow_rules(tx: &Tx<'_>, rules: &RulesOfVersion, at: &str) -> Result<usize, Error> {
    let moved = Moved { cause: Cause::RulesChanged, subject: None, distribution: None };
    let mut n = 0;
    for year in waiting_years(tx)? {
        n += reorder(tx, rules, year, moved, at)?;
    }
    Ok(n)
}

/// How many waiting children's numbers `rules` would change.
pub(crate) fn moves_under(db: &Db, rules: &QueueRules) -> Result<usize, Error> {
    let mut n = 0;
    for year in waiting_years(db)? {
        n += renumbering(db, rules, year)?.len();
    }
    Ok(n)
}

/// Records a change of one child's standing in its history: `cause`, by the
/// event of application `subject`, with its number before and after the
/// same (its current one, or none). Written after the event's reorder, and
/// only when that reorder did not already write this child's row for the
/// same cause at the same moment — so each event is one row, whether or not
/// it moved the child's number (a referred or stop-listed child has none).
pub(crate) fn record_standing(
    tx: &Tx<'_>,
    application_id: i64,
    cause: Cause,
    subject: i64,
    at: &str,
) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO position_changes (application_id, at, from_position, to_position, cause, subject_id)
         SELECT e.application_id, ?2, e.position, e.position, ?3, ?4 FROM queue_entries e
         WHERE e.application_id = ?1
           AND NOT EXISTS (SELECT 1 FROM position_changes c
                           WHERE c.application_id = ?1 AND c.at = ?2 AND c.cause = ?3)",
        args![application_id, at, cause.code(), subject],
    )?;
    Ok(())
}

/// Refuses a second live queue entry for the same child.
pub(crate) fn check_not_queued(tx: &Tx<'_>, child_iin: &str) -> Result<(), Error> {
    let live: Option<String> = tx.value_opt(
        "SELECT a.number FROM queue_entries e JOIN applications a ON a.id = e.application_id
         WHERE e.child_iin = ?1 AND e.state IN ('waiting', 'referred', 'stop_listed')",
        args![child_iin],
    )?;
    match live {
        Some(number) => Err(Error::AlreadyQueued { number }),
        None => Ok(()),
    }
}

/// Puts a just-registered application's child in its birth year's queue and
/// returns its number. Runs inside the registration's transaction.
pub(crate) fn enqueue(
    tx: &Tx<'_>,
    rules: &RulesOfVersion,
    application_id: i64,
    child: &Child,
    claim: &QueueClaim,
    now: DateTime<FixedOffset>,
) -> Result<Option<u32>, Error> {
    let ids: BTreeSet<i64> = claim.preferences.iter().copied().collect();
    for id in &ids {
        if tx.query_opt("SELECT 1 AS found FROM kindergartens WHERE id = ?1 AND active = 1", args![id])?.is_none() {
            return Err(Error::UnknownKindergarten);
        }
    }
    let year = child.birth_date.year();
    let queued_at = now.naive_local().format("%Y-%m-%dT%H:%M:%S").to_string();
    tx.execute(
        "INSERT INTO queue_entries (application_id, child_iin, birth_year, queued_at, category, tier,
                                    desired_start, commission_decision, state)
         VALUES (?1, ?2, ?3, ?4, ?5, 'general', ?6, ?7, 'waiting')",
        args![
            application_id,
            child.iin.as_str(),
            year,
            queued_at,
            claim.category,
            claim.desired_start,
            claim.commission_decision
        ],
    )
    .map_err(|e| match e {
        // The partial unique index: another workstation queued the child a moment ago.
        crate::sql::SqlError::Unique(_) => Error::AlreadyQueued { number: String::new() },
        other => other.into(),
    })?;
    for (rank, kg) in claim.preferences.iter().enumerate() {
        tx.execute(
            "INSERT INTO queue_preferences (application_id, rank, kindergarten_id) VALUES (?1, ?2, ?3)",
            args![application_id, rank + 1, kg],
        )?;
    }
    let at = timestamp(now);
    reorder(
        tx,
        rules,
        year,
        Moved { cause: Cause::Registered, subject: Some(application_id), distribution: None },
        &at,
    )?;
    tx.value("SELECT position FROM queue_entries WHERE application_id = ?1", args![application_id])
}

/// Follows a correction of the child's data into the queue: the entry takes
/// the corrected IIN and birth year, and a changed year moves the child to
/// that year's queue (by its original moment), both years reordered.
pub(crate) fn correct_child(
    tx: &Tx<'_>,
    rules: &RulesOfVersion,
    application_id: i64,
    child: &Child,
    now: DateTime<FixedOffset>,
) -> Result<(), Error> {
    let old: Option<i32> = tx.value_opt(
        "SELECT birth_year FROM queue_entries
         WHERE application_id = ?1 AND state IN ('waiting', 'referred', 'stop_listed')",
        args![application_id],
    )?;
    let Some(old) = old else { return Ok(()) };
    let year = child.birth_date.year();
    if year != old && !rules.age_allows(year, now.date_naive()) {
        return Err(Error::AgeLimit { upper: rules.upper_age });
    }
    let other: Option<String> = tx.value_opt(
        "SELECT a.number FROM queue_entries e JOIN applications a ON a.id = e.application_id
         WHERE e.child_iin = ?1 AND e.application_id <> ?2 AND e.state IN ('waiting', 'referred', 'stop_listed')",
        args![child.iin.as_str(), application_id],
    )?;
    if let Some(number) = other {
        return Err(Error::AlreadyQueued { number });
    }
    tx.execute(
        "UPDATE queue_entries SET child_iin = ?1, birth_year = ?2 WHERE application_id = ?3",
        args![child.iin.as_str(), year, application_id],
    )?;
    if year != old {
        let at = timestamp(now);
        let moved = Moved { cause: Cause::Corrected, subject: Some(application_id), distribution: None };
        // Two rows in the child's history: it leaves the old year's queue
        // (its number there ends) and enters the new one's.
        tx.execute(
            "INSERT INTO position_changes (application_id, at, from_position, to_position, cause, subject_id)
             SELECT application_id, ?2, position, NULL, 'corrected', application_id
             FROM queue_entries WHERE application_id = ?1 AND position IS NOT NULL",
            args![application_id, at],
        )?;
        tx.execute("UPDATE queue_entries SET position = NULL WHERE application_id = ?1", args![application_id])?;
        reorder(tx, rules, old, moved, &at)?;
        reorder(tx, rules, year, moved, &at)?;
    }
    Ok(())
}

/// Leaves the queue when its application is withdrawn.
pub(crate) fn withdraw(tx: &Tx<'_>, rules: &RulesOfVersion, application_id: i64, at: &str) -> Result<(), Error> {
    let year: Option<i32> = tx.value_opt(
        "SELECT birth_year FROM queue_entries WHERE application_id = ?1 AND state IN ('waiting', 'stop_listed')",
        args![application_id],
    )?;
    if let Some(year) = year {
        set_state(tx, application_id, EntryState::Removed)?;
        let moved = Moved { cause: Cause::Withdrawn, subject: Some(application_id), distribution: None };
        reorder(tx, rules, year, moved, at)?;
        // A stop-listed child had no number to lose: its row is written here.
        record_standing(tx, application_id, Cause::Withdrawn, application_id, at)?;
    }
    Ok(())
}

/// The birth years that have waiting children.
pub(crate) fn waiting_years(db: &Db) -> Result<Vec<i32>, Error> {
    db.query("SELECT DISTINCT birth_year FROM queue_entries WHERE state = 'waiting' ORDER BY birth_year", args![])?
        .iter()
        .map(|r| r.get("birth_year"))
        .collect()
}

/// The queue rows matching `filter` (on `e`, the entry, and `a`, its
/// application; `?1` is `arg`) in queue order.
fn queue_rows(db: &Db, filter: &str, arg: i64, limit: u32) -> Result<Vec<QueueRow>, Error> {
    let preferences = match db.engine() {
        crate::sql::Engine::Sqlite => {
            "(SELECT group_concat(kindergarten_id) FROM (SELECT kindergarten_id FROM queue_preferences p
                 WHERE p.application_id = e.application_id ORDER BY rank))"
        }
        crate::sql::Engine::Postgres => {
            "(SELECT string_agg(kindergarten_id::text, ',' ORDER BY rank) FROM queue_preferences p
                 WHERE p.application_id = e.application_id)"
        }
    };
    let sql = format!(
        "SELECT e.application_id, a.number, e.position, e.birth_year, a.child_name, e.child_iin, e.category, e.tier,
                e.queued_at, e.state, e.stop_until, e.evidence_until, e.confirmed_by IS NOT NULL AS confirmed,
                {preferences} AS preferences
         FROM queue_entries e JOIN applications a ON a.id = e.application_id
         WHERE {filter}
         ORDER BY e.position IS NULL, e.position, e.queued_at, e.application_id LIMIT ?2"
    );
    db.query_as(&sql, args![arg, limit])
}

impl Registry {
    /// Birth years with children in the queue.
    pub fn queue_years(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<Vec<YearCount>, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::ViewQueue, "queue_years", &at)?;
        self.db.query_as(
            "SELECT birth_year,
                    SUM(CASE WHEN state = 'waiting' THEN 1 ELSE 0 END) AS waiting,
                    SUM(CASE WHEN state = 'referred' THEN 1 ELSE 0 END) AS referred,
                    SUM(CASE WHEN state = 'stop_listed' THEN 1 ELSE 0 END) AS stop_listed
             FROM queue_entries WHERE state IN ('waiting', 'referred', 'stop_listed')
             GROUP BY birth_year ORDER BY birth_year DESC",
            args![],
        )
    }

    /// One birth year's queue in order: waiting children by number, then the
    /// referred and stop-listed ones. `limit` caps the rows read.
    pub fn queue(
        &mut self,
        actor: &Actor,
        birth_year: i32,
        limit: u32,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<QueueRow>, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::ViewQueue, "queue", &at)?;
        let rows = queue_rows(
            &self.db,
            "e.birth_year = ?1 AND e.state IN ('waiting', 'referred', 'stop_listed')",
            i64::from(birth_year),
            limit,
        )?;
        // A queue list names children and parents: opening it is access
        // to personal data (Law No. 94-V), kept like a search.
        self.db.record(&at, Event::new("view_queue", "queue").by(actor.user_id, None).id(birth_year))?;
        Ok(rows)
    }

    /// The queue entry of one application, if it has one.
    pub fn queue_entry(
        &mut self,
        actor: &Actor,
        application_id: i64,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<QueueRow>, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::ViewQueue, "queue_entry", &at)?;
        let entry = queue_rows(&self.db, "e.application_id = ?1", application_id, 1)?.pop();
        if entry.is_some() {
            let event = Event::new("view_queue_entry", "application").by(actor.user_id, None).id(application_id);
            self.db.record(&at, event)?;
        }
        Ok(entry)
    }

    /// Every change of one child's number and standing, oldest first.
    pub fn position_history(
        &mut self,
        actor: &Actor,
        application_id: i64,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<PositionChangeRecord>, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::ViewQueue, "position_history", &at)?;
        let changes = self.position_changes(application_id)?;
        let event = Event::new("view_position_history", "application").by(actor.user_id, None).id(application_id);
        self.db.record(&at, event)?;
        Ok(changes)
    }

    /// The same history without an authorization of its own, for a caller
    /// that authorized its reading of the application already (the verify
    /// screen, which tells whether a queue paper is still current).
    pub fn position_changes(&self, application_id: i64) -> Result<Vec<PositionChangeRecord>, Error> {
        self.db.query_as(
            "SELECT c.at, c.from_position, c.to_position, c.cause, s.number AS subject_number,
                    c.subject_id = c.application_id AS own, c.distribution_id,
                    CASE WHEN c.cause = 'referral_expired' AND e.state = 'stop_listed'
                          AND c.id = (SELECT MAX(m.id) FROM position_changes m
                                      WHERE m.application_id = c.application_id AND m.cause = 'referral_expired')
                         THEN e.stop_until END AS until
             FROM position_changes c LEFT JOIN applications s ON s.id = c.subject_id
                  LEFT JOIN queue_entries e ON e.application_id = c.application_id
             WHERE c.application_id = ?1 ORDER BY c.id",
            args![application_id],
        )
    }

    /// An officer confirms the evidence of the claimed priority: the child
    /// moves to the category's tier until the evidence expires.
    pub fn confirm_priority(
        &mut self,
        actor: &Actor,
        application_id: i64,
        document: &str,
        issued_on: NaiveDate,
        now: DateTime<FixedOffset>,
    ) -> Result<QueueRow, Error> {
        let at = timestamp(now);
        let today = now.date_naive();
        let role = self.authorize_plain(actor, Action::ManageQueue, "confirm_priority", &at)?;
        let document = kense_domain::application::required_text(Field::EvidenceDocument, document, 300)?;
        let rules = &self.rules_in_force()?;
        self.db.audited(&at, |tx| {
            let r = tx
                .query_opt(
                    "SELECT category, birth_year, state FROM queue_entries WHERE application_id = ?1",
                    args![application_id],
                )?
                .ok_or(Error::NotFound)?;
            let (category, year, state): (String, i32, String) =
                (r.get("category")?, r.get("birth_year")?, r.get("state")?);
            if !matches!(state.as_str(), "waiting" | "stop_listed" | "referred") {
                return Err(Error::InvalidState);
            }
            let until = rules.evidence_until(&category, issued_on);
            let tier = rules.effective_tier(&category, Some(&Evidence { valid_until: until }), today);
            if issued_on > today || (tier == Tier::General && category != kense_domain::queue::GENERAL) {
                return Err(Error::EvidenceExpired);
            }
            tx.execute(
                "UPDATE queue_entries SET tier = ?1, evidence_document = ?2, evidence_issued_on = ?3,
                        evidence_until = ?4, confirmed_by = ?5, confirmed_at = ?6
                 WHERE application_id = ?7",
                args![tier.code(), document, issued_on, until, actor.user_id, at, application_id],
            )?;
            let moved = Moved { cause: Cause::PriorityConfirmed, subject: Some(application_id), distribution: None };
            let n = reorder(tx, rules, year, moved, &at)?;
            // Confirmed priority changes the child's standing even where its
            // number stays (first already, or referred and without one).
            record_standing(tx, application_id, Cause::PriorityConfirmed, application_id, &at)?;
            let after =
                serde_json::json!({"id": application_id, "tier": tier.code(), "evidence_until": until, "moved": n});
            Ok(((), event("confirm_priority", "queue_entry", Some(actor.user_id), role, after)))
        })?;
        queue_rows(&self.db, "e.application_id = ?1", application_id, 1)?.pop().ok_or(Error::NotFound)
    }
}
