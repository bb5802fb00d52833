//! The preschool queue in the registry: kindergartens, groups and places,
//! queue entries and their numbers, distributions and referrals.
//!
//! The order itself is the domain's ([`kense_domain::queue`]); this module
//! keeps its result. Every change of state that can move numbers is followed,
//! in the same transaction, by [`reorder`], which stores the new numbers and
//! one `position_changes` row per child whose number moved, with the cause —
//! so "why did my number change" always has a recorded answer.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime};
use kense_domain::access::{authorize, Action, Actor};
use kense_domain::application::Child;
use kense_domain::calendar::WorkingCalendar;
use kense_domain::queue::{
    changes, distribute, positions, referral_next, Assignment, Cause, EntryState, Evidence, FreePlace, Group,
    Kindergarten, Places, QueueClaim, QueueEntry, QueueRules, ReferralStatus, ReferralStep, Tier,
};
use kense_domain::{Bilingual, Error, Field};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::audit::{append, Entry};
use crate::{db_err, timestamp, Registry};

/// The referral numbers' key in `number_series`: not a valid office series
/// (those are letters and digits), so the two never collide.
const REFERRAL_SERIES: &str = "#referral";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRecord {
    pub id: i64,
    pub name: String,
    pub birth_year: i32,
    pub language: String,
    pub special: bool,
    pub capacity: i64,
    pub occupied: i64,
    /// Declared and not yet given out.
    pub free: i64,
    /// Held by a live referral.
    pub held: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindergartenRecord {
    pub id: i64,
    pub name: Bilingual,
    pub address: Bilingual,
    pub ownership: String,
    pub groups: Vec<GroupRecord>,
}

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
}

/// A place and the child a distribution would give it to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub place_id: i64,
    pub application_id: i64,
    pub number: String,
    pub child_name: String,
    pub birth_year: i32,
    pub position: Option<u32>,
    pub kindergarten: Bilingual,
    pub group_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralRecord {
    pub id: i64,
    pub number: String,
    pub application_id: i64,
    pub application_number: String,
    pub child_name: String,
    pub child_iin: String,
    pub child_birth_date: Option<String>,
    pub applicant_name: String,
    pub applicant_iin: String,
    pub birth_year: i32,
    pub kindergarten: Bilingual,
    pub kindergarten_address: Bilingual,
    pub group_name: String,
    pub group_language: String,
    pub issued_at: String,
    pub issued_by: String,
    pub valid_until: String,
    pub status: ReferralStatus,
    pub status_at: String,
    pub reason: Option<String>,
    pub distribution_id: Option<i64>,
}

/// What the office clock changed in one sweep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    pub referrals_expired: usize,
    pub returned_from_stop_list: usize,
    pub priorities_expired: usize,
    pub aged_out: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueStatistics {
    /// (birth year, category code, waiting children)
    pub queue: Vec<(i32, String, i64)>,
    /// ("YYYY-MM" of issue, status, referrals)
    pub referrals: Vec<(String, ReferralStatus, i64)>,
}

fn naive(at: &str) -> Result<NaiveDateTime, Error> {
    NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%S").map_err(|e| Error::Storage(format!("queued_at {at}: {e}")))
}

fn date(s: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| Error::Storage(format!("date {s}: {e}")))
}

fn tier_of(code: &str) -> Result<Tier, Error> {
    Tier::parse(code).ok_or_else(|| Error::Storage(format!("tier {code}")))
}

fn entry_state(code: &str, stop_until: Option<&str>) -> Result<EntryState, Error> {
    Ok(match code {
        "waiting" => EntryState::Waiting,
        "referred" => EntryState::Referred,
        "stop_listed" => EntryState::StopListed { until: date(stop_until.unwrap_or_default())? },
        "enrolled" => EntryState::Enrolled,
        "removed" => EntryState::Removed,
        other => return Err(Error::Storage(format!("queue state {other}"))),
    })
}

fn set_state(tx: &Connection, application_id: i64, state: EntryState) -> Result<(), Error> {
    let until = match state {
        EntryState::StopListed { until } => Some(until.to_string()),
        _ => None,
    };
    tx.execute(
        "UPDATE queue_entries SET state = ?1, stop_until = ?2 WHERE application_id = ?3",
        params![state.code(), until, application_id],
    )
    .map_err(db_err)?;
    Ok(())
}

/// The waiting children of one birth year, as the ordering needs them
/// (preferences only when a distribution needs them too).
fn load_waiting(tx: &Connection, year: i32, with_preferences: bool) -> Result<Vec<QueueEntry>, Error> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT application_id, queued_at, tier, desired_start, commission_decision IS NOT NULL
             FROM queue_entries WHERE birth_year = ?1 AND state = 'waiting'",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map([year], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })
        .map_err(db_err)?;
    let mut out = Vec::new();
    for row in rows {
        let (id, at, tier, start, special) = row.map_err(db_err)?;
        out.push(QueueEntry {
            id,
            birth_year: year,
            registered_at: naive(&at)?,
            tier: tier_of(&tier)?,
            preferences: Vec::new(),
            desired_start: start.as_deref().map(date).transpose()?,
            special_needs: special,
            state: EntryState::Waiting,
        });
    }
    if with_preferences && !out.is_empty() {
        let mut prefs: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut stmt = tx
            .prepare_cached(
                "SELECT p.application_id, p.kindergarten_id FROM queue_preferences p
                 JOIN queue_entries e ON e.application_id = p.application_id
                 WHERE e.birth_year = ?1 AND e.state = 'waiting' ORDER BY p.application_id, p.rank",
            )
            .map_err(db_err)?;
        let rows = stmt.query_map([year], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))).map_err(db_err)?;
        for row in rows {
            let (id, kg) = row.map_err(db_err)?;
            prefs.entry(id).or_default().push(kg);
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
    pub subject: Option<i64>,
    pub distribution: Option<i64>,
}

/// Recomputes one birth year's numbers and records every change with its
/// cause. Returns how many numbers changed.
pub(crate) fn reorder(tx: &Connection, rules: &QueueRules, year: i32, moved: Moved, at: &str) -> Result<usize, Error> {
    let mut before = HashMap::new();
    {
        let mut stmt = tx
            .prepare_cached(
                "SELECT application_id, position FROM queue_entries WHERE birth_year = ?1 AND position IS NOT NULL",
            )
            .map_err(db_err)?;
        let rows = stmt.query_map([year], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, u32>(1)?))).map_err(db_err)?;
        for row in rows {
            let (id, p) = row.map_err(db_err)?;
            before.insert(id, p);
        }
    }
    let after = positions(&load_waiting(tx, year, false)?, rules);
    let diff = changes(&before, &after);
    let mut update =
        tx.prepare_cached("UPDATE queue_entries SET position = ?1 WHERE application_id = ?2").map_err(db_err)?;
    let mut record = tx
        .prepare_cached(
            "INSERT INTO position_changes (application_id, at, from_position, to_position, cause, subject_id, distribution_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(db_err)?;
    for c in &diff {
        update.execute(params![c.to, c.entry]).map_err(db_err)?;
        // In a distribution the only children who leave the queue are the
        // ones it gave a referral: for them the event is their own.
        let subject = match moved.distribution {
            Some(_) if c.to.is_none() => Some(c.entry),
            _ => moved.subject,
        };
        record
            .execute(params![c.entry, at, c.from, c.to, moved.cause.code(), subject, moved.distribution])
            .map_err(db_err)?;
    }
    Ok(diff.len())
}

/// Refuses a second live queue entry for the same child.
pub(crate) fn check_not_queued(tx: &Connection, child_iin: &str) -> Result<(), Error> {
    let live: Option<String> = tx
        .query_row(
            "SELECT a.number FROM queue_entries e JOIN applications a ON a.id = e.application_id
             WHERE e.child_iin = ?1 AND e.state IN ('waiting', 'referred', 'stop_listed')",
            [child_iin],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)?;
    match live {
        Some(number) => Err(Error::AlreadyQueued { number }),
        None => Ok(()),
    }
}

/// Puts a just-registered application's child in its birth year's queue and
/// returns its number. Runs inside the registration's transaction.
pub(crate) fn enqueue(
    tx: &Connection,
    rules: &QueueRules,
    application_id: i64,
    child: &Child,
    claim: &QueueClaim,
    now: DateTime<FixedOffset>,
) -> Result<Option<u32>, Error> {
    if !claim.preferences.is_empty() {
        let ids: BTreeSet<i64> = claim.preferences.iter().copied().collect();
        let mut stmt = tx.prepare_cached("SELECT 1 FROM kindergartens WHERE id = ?1 AND active = 1").map_err(db_err)?;
        for id in &ids {
            if !stmt.exists([id]).map_err(db_err)? {
                return Err(Error::UnknownKindergarten);
            }
        }
    }
    let year = child.birth_date.year();
    let queued_at = now.naive_local().format("%Y-%m-%dT%H:%M:%S").to_string();
    tx.execute(
        "INSERT INTO queue_entries (application_id, child_iin, birth_year, queued_at, category, tier,
                                    desired_start, commission_decision, state)
         VALUES (?1, ?2, ?3, ?4, ?5, 'general', ?6, ?7, 'waiting')",
        params![
            application_id,
            child.iin.as_str(),
            year,
            queued_at,
            claim.category,
            claim.desired_start.map(|d| d.to_string()),
            claim.commission_decision
        ],
    )
    .map_err(|e| match db_err(e) {
        // The partial unique index: another workstation queued the child a moment ago.
        Error::Storage(m) if m.contains("UNIQUE") => Error::AlreadyQueued { number: String::new() },
        other => other,
    })?;
    for (rank, kg) in claim.preferences.iter().enumerate() {
        tx.execute(
            "INSERT INTO queue_preferences (application_id, rank, kindergarten_id) VALUES (?1, ?2, ?3)",
            params![application_id, rank as i64 + 1, kg],
        )
        .map_err(db_err)?;
    }
    let at = timestamp(now);
    reorder(
        tx,
        rules,
        year,
        Moved { cause: Cause::Registered, subject: Some(application_id), distribution: None },
        &at,
    )?;
    tx.query_row("SELECT position FROM queue_entries WHERE application_id = ?1", [application_id], |r| r.get(0))
        .map_err(db_err)
}

/// Follows a correction of the child's data into the queue: the entry takes
/// the corrected IIN and birth year, and a changed year moves the child to
/// that year's queue (by its original moment), both years reordered.
pub(crate) fn correct_child(
    tx: &Connection,
    rules: &QueueRules,
    application_id: i64,
    child: &Child,
    now: DateTime<FixedOffset>,
) -> Result<(), Error> {
    let old: Option<i32> = tx
        .query_row(
            "SELECT birth_year FROM queue_entries WHERE application_id = ?1 AND state IN ('waiting', 'referred', 'stop_listed')",
            [application_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)?;
    let Some(old) = old else { return Ok(()) };
    let year = child.birth_date.year();
    if year != old && !rules.age_allows(year, now.date_naive()) {
        return Err(Error::AgeLimit { upper: rules.upper_age });
    }
    let other: Option<String> = tx
        .query_row(
            "SELECT a.number FROM queue_entries e JOIN applications a ON a.id = e.application_id
             WHERE e.child_iin = ?1 AND e.application_id <> ?2 AND e.state IN ('waiting', 'referred', 'stop_listed')",
            params![child.iin.as_str(), application_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)?;
    if let Some(number) = other {
        return Err(Error::AlreadyQueued { number });
    }
    tx.execute(
        "UPDATE queue_entries SET child_iin = ?1, birth_year = ?2 WHERE application_id = ?3",
        params![child.iin.as_str(), year, application_id],
    )
    .map_err(db_err)?;
    if year != old {
        let at = timestamp(now);
        let moved = Moved { cause: Cause::Corrected, subject: Some(application_id), distribution: None };
        // Two rows in the child's history: it leaves the old year's queue
        // (its number there ends) and enters the new one's.
        tx.execute(
            "INSERT INTO position_changes (application_id, at, from_position, to_position, cause, subject_id)
             SELECT application_id, ?2, position, NULL, 'corrected', application_id
             FROM queue_entries WHERE application_id = ?1 AND position IS NOT NULL",
            params![application_id, at],
        )
        .map_err(db_err)?;
        tx.execute("UPDATE queue_entries SET position = NULL WHERE application_id = ?1", [application_id])
            .map_err(db_err)?;
        reorder(tx, rules, old, moved, &at)?;
        reorder(tx, rules, year, moved, &at)?;
    }
    Ok(())
}

impl Registry {
    fn authorize_queue(&mut self, actor: &Actor, action: Action, what: &str, at: &str) -> Result<&'static str, Error> {
        self.authorize_plain(actor, action, what, at)
    }

    /// Runs `f` in one immediate transaction and appends its audit event.
    fn queue_write<T>(
        &mut self,
        event: (&str, &str, Option<i64>, &'static str, &str),
        f: impl FnOnce(&Connection, &QueueRules) -> Result<(T, serde_json::Value), Error>,
    ) -> Result<T, Error> {
        let (action, entity, actor_id, role, at) = event;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let (out, after) = f(&tx, &self.queue_rules)?;
        let entity_id = after.get("id").and_then(serde_json::Value::as_i64).map(|i| i.to_string());
        append(
            &tx,
            Entry {
                at,
                actor_id,
                actor_role: Some(role),
                action,
                entity,
                entity_id,
                before: None,
                after: Some(after.to_string()),
                reason: None,
            },
        )?;
        tx.commit().map_err(db_err)?;
        Ok(out)
    }

    pub fn queue_rules(&self) -> &QueueRules {
        &self.queue_rules
    }

    /// Replaces the shipped queue rules (tests, or an office's own file).
    pub fn set_queue_rules(&mut self, rules: QueueRules) {
        self.queue_rules = rules;
    }

    pub fn kindergartens(
        &mut self,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<KindergartenRecord>, Error> {
        let at = timestamp(now);
        if authorize(actor, Action::ManageKindergartens, None).is_err() {
            self.authorize_queue(actor, Action::ViewQueue, "kindergartens", &at)?;
        }
        let mut out: Vec<KindergartenRecord> = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, name_kk, name_ru, address_kk, address_ru, ownership FROM kindergartens WHERE active = 1 ORDER BY name_kk, id",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(KindergartenRecord {
                    id: r.get(0)?,
                    name: Bilingual::new(r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                    address: Bilingual::new(r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                    ownership: r.get(5)?,
                    groups: Vec::new(),
                })
            })
            .map_err(db_err)?;
        for row in rows {
            out.push(row.map_err(db_err)?);
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT g.id, g.kindergarten_id, g.name, g.birth_year, g.language, g.special, g.capacity, g.occupied,
                        (SELECT COUNT(*) FROM places p WHERE p.group_id = g.id AND p.state = 'free'),
                        (SELECT COUNT(*) FROM places p WHERE p.group_id = g.id AND p.state = 'held')
                 FROM kindergarten_groups g ORDER BY g.birth_year DESC, g.name, g.id",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(1)?,
                    GroupRecord {
                        id: r.get(0)?,
                        name: r.get(2)?,
                        birth_year: r.get(3)?,
                        language: r.get(4)?,
                        special: r.get(5)?,
                        capacity: r.get(6)?,
                        occupied: r.get(7)?,
                        free: r.get(8)?,
                        held: r.get(9)?,
                    },
                ))
            })
            .map_err(db_err)?;
        for row in rows {
            let (kg, g) = row.map_err(db_err)?;
            if let Some(k) = out.iter_mut().find(|k| k.id == kg) {
                k.groups.push(g);
            }
        }
        Ok(out)
    }

    pub fn add_kindergarten(
        &mut self,
        actor: &Actor,
        k: &Kindergarten,
        now: DateTime<FixedOffset>,
    ) -> Result<i64, Error> {
        let at = timestamp(now);
        let role = self.authorize_queue(actor, Action::ManageKindergartens, "add_kindergarten", &at)?;
        self.queue_write(("add_kindergarten", "kindergarten", Some(actor.user_id), role, &at), |tx, _| {
            tx.execute(
                "INSERT INTO kindergartens (name_kk, name_ru, address_kk, address_ru, ownership, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![k.name.kk, k.name.ru, k.address.kk, k.address.ru, k.ownership, at],
            )
            .map_err(db_err)?;
            let id = tx.last_insert_rowid();
            Ok((id, serde_json::json!({"id": id, "kindergarten": k})))
        })
    }

    pub fn add_group(&mut self, actor: &Actor, g: &Group, now: DateTime<FixedOffset>) -> Result<i64, Error> {
        let at = timestamp(now);
        let role = self.authorize_queue(actor, Action::ManageKindergartens, "add_group", &at)?;
        self.queue_write(("add_group", "kindergarten_group", Some(actor.user_id), role, &at), |tx, _| {
            let exists = tx
                .prepare_cached("SELECT 1 FROM kindergartens WHERE id = ?1 AND active = 1")
                .and_then(|mut s| s.exists([g.kindergarten_id]))
                .map_err(db_err)?;
            if !exists {
                return Err(Error::UnknownKindergarten);
            }
            tx.execute(
                "INSERT INTO kindergarten_groups (kindergarten_id, name, birth_year, language, special, capacity)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![g.kindergarten_id, g.name, g.birth_year, g.language, g.special, g.capacity],
            )
            .map_err(db_err)?;
            let id = tx.last_insert_rowid();
            Ok((id, serde_json::json!({"id": id, "group": g})))
        })
    }

    /// Declares free places in a group. The group can never show more places
    /// than its capacity: occupied + held + free ≤ capacity.
    pub fn declare_places(&mut self, actor: &Actor, p: &Places, now: DateTime<FixedOffset>) -> Result<i64, Error> {
        let at = timestamp(now);
        let role = self.authorize_queue(actor, Action::ManageQueue, "declare_places", &at)?;
        self.queue_write(("declare_places", "place_declaration", Some(actor.user_id), role, &at), |tx, _| {
            let room: Option<i64> = tx
                .query_row(
                    "SELECT g.capacity - g.occupied - (SELECT COUNT(*) FROM places p WHERE p.group_id = g.id AND p.state <> 'filled')
                     FROM kindergarten_groups g JOIN kindergartens k ON k.id = g.kindergarten_id
                     WHERE g.id = ?1 AND k.active = 1",
                    [p.group_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_err)?;
            let room = room.ok_or(Error::UnknownKindergarten)?;
            if p.count > room {
                return Err(Error::PlacesExceedCapacity { free: room.max(0) });
            }
            tx.execute(
                "INSERT INTO place_declarations (group_id, count, protocol, declared_by, declared_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![p.group_id, p.count, p.protocol, actor.user_id, at],
            )
            .map_err(db_err)?;
            let id = tx.last_insert_rowid();
            for _ in 0..p.count {
                tx.execute("INSERT INTO places (group_id, declaration_id, state) VALUES (?1, ?2, 'free')", params![p.group_id, id])
                    .map_err(db_err)?;
            }
            Ok((id, serde_json::json!({"id": id, "places": p})))
        })
    }

    /// Birth years with children in the queue.
    pub fn queue_years(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<Vec<YearCount>, Error> {
        let at = timestamp(now);
        self.authorize_queue(actor, Action::ViewQueue, "queue_years", &at)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT birth_year, SUM(state = 'waiting'), SUM(state = 'referred'), SUM(state = 'stop_listed')
                 FROM queue_entries WHERE state IN ('waiting', 'referred', 'stop_listed')
                 GROUP BY birth_year ORDER BY birth_year DESC",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(YearCount { birth_year: r.get(0)?, waiting: r.get(1)?, referred: r.get(2)?, stop_listed: r.get(3)? })
            })
            .map_err(db_err)?;
        rows.collect::<Result<_, _>>().map_err(db_err)
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
        self.authorize_queue(actor, Action::ViewQueue, "queue", &at)?;
        self.queue_rows(
            "e.birth_year = ?1 AND e.state IN ('waiting', 'referred', 'stop_listed')",
            i64::from(birth_year),
            limit,
        )
    }

    /// The queue entry of one application, if it has one.
    pub fn queue_entry(
        &mut self,
        actor: &Actor,
        application_id: i64,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<QueueRow>, Error> {
        let at = timestamp(now);
        self.authorize_queue(actor, Action::ViewQueue, "queue_entry", &at)?;
        Ok(self.queue_rows("e.application_id = ?1", application_id, 1)?.pop())
    }

    fn queue_rows(&mut self, filter: &str, arg: i64, limit: u32) -> Result<Vec<QueueRow>, Error> {
        let sql = format!(
            "SELECT e.application_id, a.number, e.position, e.birth_year, a.child_name, e.child_iin, e.category, e.tier,
                    e.queued_at, e.state, e.stop_until, e.evidence_until, e.confirmed_by IS NOT NULL,
                    (SELECT group_concat(kindergarten_id) FROM (SELECT kindergarten_id FROM queue_preferences p
                        WHERE p.application_id = e.application_id ORDER BY rank))
             FROM queue_entries e JOIN applications a ON a.id = e.application_id
             WHERE {filter}
             ORDER BY e.position IS NULL, e.position, e.queued_at, e.application_id LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(db_err)?;
        let rows = stmt
            .query_map(params![arg, limit], |r| {
                let prefs: Option<String> = r.get(13)?;
                Ok((
                    QueueRow {
                        application_id: r.get(0)?,
                        number: r.get(1)?,
                        position: r.get(2)?,
                        birth_year: r.get(3)?,
                        child_name: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                        child_iin: r.get(5)?,
                        category: r.get(6)?,
                        tier: Tier::General,
                        queued_at: r.get(8)?,
                        state: r.get(9)?,
                        stop_until: r.get(10)?,
                        evidence_until: r.get(11)?,
                        confirmed: r.get(12)?,
                        preferences: prefs.unwrap_or_default().split(',').filter_map(|s| s.parse().ok()).collect(),
                    },
                    r.get::<_, String>(7)?,
                ))
            })
            .map_err(db_err)?;
        let mut out = Vec::new();
        for row in rows {
            let (mut q, tier) = row.map_err(db_err)?;
            q.tier = tier_of(&tier)?;
            out.push(q);
        }
        Ok(out)
    }

    /// Every change of one child's number, oldest first.
    pub fn position_history(
        &mut self,
        actor: &Actor,
        application_id: i64,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<PositionChangeRecord>, Error> {
        let at = timestamp(now);
        self.authorize_queue(actor, Action::ViewQueue, "position_history", &at)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.at, c.from_position, c.to_position, c.cause, s.number, c.subject_id = c.application_id, c.distribution_id
                 FROM position_changes c LEFT JOIN applications s ON s.id = c.subject_id
                 WHERE c.application_id = ?1 ORDER BY c.id",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map([application_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<u32>>(1)?,
                    r.get::<_, Option<u32>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<bool>>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                ))
            })
            .map_err(db_err)?;
        let mut out = Vec::new();
        for row in rows {
            let (at, from, to, cause, subject_number, own, distribution_id) = row.map_err(db_err)?;
            let cause = Cause::parse(&cause).ok_or_else(|| Error::Storage(format!("cause {cause}")))?;
            out.push(PositionChangeRecord {
                at,
                from,
                to,
                cause,
                subject_number,
                own: own.unwrap_or(false),
                distribution_id,
            });
        }
        Ok(out)
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
        let role = self.authorize_queue(actor, Action::ManageQueue, "confirm_priority", &at)?;
        let document = kense_domain::application::required_text(Field::EvidenceDocument, document, 300)?;
        self.queue_write(("confirm_priority", "queue_entry", Some(actor.user_id), role, &at), |tx, rules| {
            let (category, year, state): (String, i32, String) = tx
                .query_row(
                    "SELECT category, birth_year, state FROM queue_entries WHERE application_id = ?1",
                    [application_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .map_err(db_err)?
                .ok_or(Error::NotFound)?;
            if !matches!(state.as_str(), "waiting" | "stop_listed" | "referred") {
                return Err(Error::InvalidState);
            }
            let until = rules.evidence_until(&category, issued_on);
            let tier = rules.effective_tier(&category, Some(&Evidence { valid_until: until }), today);
            if issued_on > today || (tier == Tier::General && category != kense_domain::queue::GENERAL) {
                return Err(Error::EvidenceExpired);
            }
            tx.execute(
                "UPDATE queue_entries SET tier = ?1, evidence_document = ?2, evidence_issued_on = ?3, evidence_until = ?4,
                        confirmed_by = ?5, confirmed_at = ?6 WHERE application_id = ?7",
                params![tier.code(), document, issued_on.to_string(), until.map(|d| d.to_string()), actor.user_id, at, application_id],
            )
            .map_err(db_err)?;
            let moved = Moved { cause: Cause::PriorityConfirmed, subject: Some(application_id), distribution: None };
            let n = reorder(tx, rules, year, moved, &at)?;
            Ok(((), serde_json::json!({"id": application_id, "tier": tier.code(), "evidence_until": until, "moved": n})))
        })?;
        self.queue_rows("e.application_id = ?1", application_id, 1)?.pop().ok_or(Error::NotFound)
    }

    /// The distribution the registry would make now, without making it.
    pub fn preview_distribution(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<Vec<Proposal>, Error> {
        let at = timestamp(now);
        self.authorize_queue(actor, Action::ManageQueue, "preview_distribution", &at)?;
        let assignments = plan(&self.conn, &self.queue_rules, now.date_naive())?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.number, a.child_name, e.birth_year, e.position, k.name_kk, k.name_ru, g.name
                 FROM places p JOIN kindergarten_groups g ON g.id = p.group_id JOIN kindergartens k ON k.id = g.kindergarten_id,
                      queue_entries e JOIN applications a ON a.id = e.application_id
                 WHERE p.id = ?1 AND e.application_id = ?2",
            )
            .map_err(db_err)?;
        let mut out = Vec::with_capacity(assignments.len());
        for x in assignments {
            let p = stmt
                .query_row(params![x.place, x.entry], |r| {
                    Ok(Proposal {
                        place_id: x.place,
                        application_id: x.entry,
                        number: r.get(0)?,
                        child_name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        birth_year: r.get(2)?,
                        position: r.get(3)?,
                        kindergarten: Bilingual::new(r.get::<_, String>(4)?, r.get::<_, String>(5)?),
                        group_name: r.get(6)?,
                    })
                })
                .map_err(db_err)?;
            out.push(p);
        }
        Ok(out)
    }

    /// Commits a distribution the head saw in preview: referrals are issued
    /// for exactly the `expected` assignments, or nothing happens and
    /// [`Error::DistributionChanged`] asks for a fresh preview.
    pub fn distribute(
        &mut self,
        actor: &Actor,
        expected: &[Assignment],
        cal: &WorkingCalendar,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<ReferralRecord>, Error> {
        let at = timestamp(now);
        let role = self.authorize_queue(actor, Action::Distribute, "distribute", &at)?;
        let ids = self.queue_write(("distribute", "distribution", Some(actor.user_id), role, &at), |tx, rules| {
            let plan = plan(tx, rules, now.date_naive())?;
            if plan.is_empty() || plan != expected {
                return Err(Error::DistributionChanged);
            }
            tx.execute("INSERT INTO distributions (at, by_user, referrals) VALUES (?1, ?2, ?3)", params![at, actor.user_id, plan.len() as i64])
                .map_err(db_err)?;
            let distribution = tx.last_insert_rowid();
            let valid_until = rules.referral_valid_until(cal, now.naive_local());
            let mut years = BTreeSet::new();
            let mut referral_ids = Vec::with_capacity(plan.len());
            for x in &plan {
                let number = next_referral_number(tx, now.year())?;
                tx.execute(
                    "INSERT INTO referrals (number, application_id, place_id, distribution_id, issued_at, issued_by, valid_until,
                                            status, status_at, status_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'issued', ?5, ?6)",
                    params![number, x.entry, x.place, distribution, at, actor.user_id, valid_until.to_string()],
                )
                .map_err(db_err)?;
                referral_ids.push(tx.last_insert_rowid());
                tx.execute("UPDATE places SET state = 'held' WHERE id = ?1 AND state = 'free'", [x.place]).map_err(db_err)?;
                set_state(tx, x.entry, EntryState::Referred)?;
                let year: i32 = tx
                    .query_row("SELECT birth_year FROM queue_entries WHERE application_id = ?1", [x.entry], |r| r.get(0))
                    .map_err(db_err)?;
                years.insert(year);
            }
            let moved = Moved { cause: Cause::Referred, subject: None, distribution: Some(distribution) };
            let mut n = 0;
            for year in years {
                n += reorder(tx, rules, year, moved, &at)?;
            }
            let after = serde_json::json!({"id": distribution, "assignments": plan, "valid_until": valid_until, "moved": n});
            Ok((referral_ids, after))
        })?;
        ids.into_iter().map(|id| self.referral_record(id)).collect()
    }

    pub fn referrals(
        &mut self,
        actor: &Actor,
        distribution: Option<i64>,
        limit: u32,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<ReferralRecord>, Error> {
        let at = timestamp(now);
        self.authorize_queue(actor, Action::ViewQueue, "referrals", &at)?;
        let ids: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT id FROM referrals WHERE ?1 IS NULL OR distribution_id = ?1 ORDER BY id DESC LIMIT ?2",
                )
                .map_err(db_err)?;
            let rows = stmt.query_map(params![distribution, limit], |r| r.get(0)).map_err(db_err)?;
            rows.collect::<Result<_, _>>().map_err(db_err)?
        };
        ids.into_iter().map(|id| self.referral_record(id)).collect()
    }

    pub fn referral(&mut self, actor: &Actor, id: i64, now: DateTime<FixedOffset>) -> Result<ReferralRecord, Error> {
        let at = timestamp(now);
        self.authorize_queue(actor, Action::ViewQueue, "referral", &at)?;
        self.referral_record(id)
    }

    /// The kindergarten's check: a referral by its number and the applicant's
    /// or the child's IIN. A wrong IIN reads as not found, so numbers cannot
    /// be probed for names.
    pub fn find_referral(
        &mut self,
        actor: &Actor,
        number: &str,
        iin: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<ReferralRecord, Error> {
        let at = timestamp(now);
        self.authorize_queue(actor, Action::ViewQueue, "find_referral", &at)?;
        self.audit_only(
            "find_referral",
            Some(actor.user_id),
            "referral",
            Some(number.chars().take(40).collect()),
            &at,
        )?;
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT r.id FROM referrals r JOIN applications a ON a.id = r.application_id
                 WHERE r.number = ?1 AND (a.applicant_iin = ?2 OR a.child_iin = ?2)",
                params![number.trim(), iin.trim()],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)?;
        self.referral_record(id.ok_or(Error::NotFound)?)
    }

    /// A referral by its number, for the verification of a scanned QR text
    /// already found among the printed documents.
    pub fn referral_by_number(&self, number: &str) -> Result<Option<ReferralRecord>, Error> {
        let id: Option<i64> = self
            .conn
            .query_row("SELECT id FROM referrals WHERE number = ?1", [number], |r| r.get(0))
            .optional()
            .map_err(db_err)?;
        id.map(|id| self.referral_record(id)).transpose()
    }

    fn referral_record(&self, id: i64) -> Result<ReferralRecord, Error> {
        self.conn
            .query_row(
                "SELECT r.id, r.number, r.application_id, a.number, a.child_name, a.child_iin, a.child_birth_date,
                        a.applicant_name, a.applicant_iin, g.birth_year, k.name_kk, k.name_ru, k.address_kk, k.address_ru,
                        g.name, g.language, r.issued_at, u.full_name, r.valid_until, r.status, r.status_at, r.reason,
                        r.distribution_id
                 FROM referrals r JOIN applications a ON a.id = r.application_id
                      JOIN places p ON p.id = r.place_id JOIN kindergarten_groups g ON g.id = p.group_id
                      JOIN kindergartens k ON k.id = g.kindergarten_id JOIN users u ON u.id = r.issued_by
                 WHERE r.id = ?1",
                [id],
                |r| {
                    Ok((
                        ReferralRecord {
                            id: r.get(0)?,
                            number: r.get(1)?,
                            application_id: r.get(2)?,
                            application_number: r.get(3)?,
                            child_name: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                            child_iin: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                            child_birth_date: r.get(6)?,
                            applicant_name: r.get(7)?,
                            applicant_iin: r.get(8)?,
                            birth_year: r.get(9)?,
                            kindergarten: Bilingual::new(r.get::<_, String>(10)?, r.get::<_, String>(11)?),
                            kindergarten_address: Bilingual::new(r.get::<_, String>(12)?, r.get::<_, String>(13)?),
                            group_name: r.get(14)?,
                            group_language: r.get(15)?,
                            issued_at: r.get(16)?,
                            issued_by: r.get(17)?,
                            valid_until: r.get(18)?,
                            status: ReferralStatus::Issued,
                            status_at: r.get(20)?,
                            reason: r.get(21)?,
                            distribution_id: r.get(22)?,
                        },
                        r.get::<_, String>(19)?,
                    ))
                },
            )
            .optional()
            .map_err(db_err)?
            .ok_or(Error::NotFound)
            .and_then(|(mut rec, status)| {
                rec.status = ReferralStatus::parse(&status).ok_or_else(|| Error::Storage(format!("referral status {status}")))?;
                Ok(rec)
            })
    }

    /// A person's step in a referral's life: presented at the kindergarten,
    /// enrolled, refused by the parent, cancelled by the head (with a reason).
    pub fn referral_step(
        &mut self,
        actor: &Actor,
        id: i64,
        expected: ReferralStatus,
        step: ReferralStep,
        reason: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<ReferralRecord, Error> {
        let at = timestamp(now);
        let role = self.authorize_queue(actor, Action::Referral(step), step.code(), &at)?;
        let reason = kense_domain::application::optional_text(Field::Comment, reason, 500)?;
        if matches!(step, ReferralStep::Cancel | ReferralStep::RefuseByParent) && reason.is_empty() {
            return Err(Error::Required(Field::Comment));
        }
        self.queue_write((step.code(), "referral", Some(actor.user_id), role, &at), |tx, rules| {
            apply_referral_step(tx, rules, id, Some(expected), step, Some(actor.user_id), &reason, now)
        })?;
        self.referral_record(id)
    }

    /// What the office clock does to the queue: referrals not presented in
    /// time expire (their children go on the stop list), children whose stop
    /// list ended come back to their original place, unconfirmed-in-time
    /// priority falls back to general, and children past the age limit
    /// leave. Each event is its own audited transaction, so a crash in the
    /// middle leaves a consistent registry and the next sweep goes on.
    pub fn sweep_queue(&mut self, now: DateTime<FixedOffset>) -> Result<SweepReport, Error> {
        let at = timestamp(now);
        let today = now.date_naive();
        let mut report = SweepReport::default();
        let due: Vec<i64> =
            self.ids("SELECT id FROM referrals WHERE status = 'issued' AND valid_until < ?1", &today.to_string())?;
        for id in due {
            self.queue_write(("expire", "referral", None, "system", &at), |tx, rules| {
                apply_referral_step(tx, rules, id, Some(ReferralStatus::Issued), ReferralStep::Expire, None, "", now)
            })?;
            report.referrals_expired += 1;
        }
        let back: Vec<i64> = self.ids(
            "SELECT application_id FROM queue_entries WHERE state = 'stop_listed' AND stop_until < ?1",
            &today.to_string(),
        )?;
        for id in back {
            self.entry_event(id, Cause::ReturnedFromStopList, &at, |tx, _| set_state(tx, id, EntryState::Waiting))?;
            report.returned_from_stop_list += 1;
        }
        let lapsed: Vec<i64> = self.ids(
            "SELECT application_id FROM queue_entries WHERE tier <> 'general' AND evidence_until < ?1
               AND state IN ('waiting', 'referred', 'stop_listed')",
            &today.to_string(),
        )?;
        for id in lapsed {
            self.entry_event(id, Cause::PriorityExpired, &at, |tx, _| {
                tx.execute("UPDATE queue_entries SET tier = 'general' WHERE application_id = ?1", [id])
                    .map_err(db_err)?;
                Ok(())
            })?;
            report.priorities_expired += 1;
        }
        let last_year = today.year() - self.queue_rules.upper_age;
        let old: Vec<i64> = self.ids(
            "SELECT application_id FROM queue_entries WHERE birth_year <= CAST(?1 AS INTEGER)
               AND state IN ('waiting', 'stop_listed')",
            &last_year.to_string(),
        )?;
        for id in old {
            self.entry_event(id, Cause::AgedOut, &at, |tx, _| set_state(tx, id, EntryState::Removed))?;
            report.aged_out += 1;
        }
        Ok(report)
    }

    /// Ids in ascending order. Sorted here rather than by `ORDER BY`, which
    /// makes SQLite walk the whole table in rowid order instead of using the
    /// sweep's partial indexes.
    fn ids(&self, sql: &str, arg: &str) -> Result<Vec<i64>, Error> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(db_err)?;
        let rows = stmt.query_map([arg], |r| r.get(0)).map_err(db_err)?;
        let mut ids: Vec<i64> = rows.collect::<Result<_, _>>().map_err(db_err)?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// A system event on one entry, followed by its year's reorder.
    fn entry_event(
        &mut self,
        id: i64,
        cause: Cause,
        at: &str,
        change: impl FnOnce(&Connection, &QueueRules) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.queue_write((cause.code(), "queue_entry", None, "system", at), |tx, rules| {
            change(tx, rules)?;
            let year: i32 = tx
                .query_row("SELECT birth_year FROM queue_entries WHERE application_id = ?1", [id], |r| r.get(0))
                .map_err(db_err)?;
            let n = reorder(tx, rules, year, Moved { cause, subject: Some(id), distribution: None }, at)?;
            Ok(((), serde_json::json!({"id": id, "moved": n})))
        })
    }

    /// Leaves the queue when its application is withdrawn.
    pub(crate) fn withdraw_from_queue(
        tx: &Connection,
        rules: &QueueRules,
        application_id: i64,
        at: &str,
    ) -> Result<(), Error> {
        let year: Option<i32> = tx
            .query_row(
                "SELECT birth_year FROM queue_entries WHERE application_id = ?1 AND state IN ('waiting', 'stop_listed')",
                [application_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)?;
        if let Some(year) = year {
            set_state(tx, application_id, EntryState::Removed)?;
            reorder(
                tx,
                rules,
                year,
                Moved { cause: Cause::Withdrawn, subject: Some(application_id), distribution: None },
                at,
            )?;
        }
        Ok(())
    }

    /// Records the print of a list (queue extract, distribution's referrals)
    /// that belongs to no one application: who printed what, and its hash.
    pub fn record_report(
        &mut self,
        actor: &Actor,
        kind: &str,
        sha256: &str,
        file_name: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let at = timestamp(now);
        let role = self.authorize_queue(actor, Action::ViewQueue, "print", &at)?;
        self.queue_write(("print", "report", Some(actor.user_id), role, &at), |_, _| {
            Ok(((), serde_json::json!({"kind": kind, "sha256": sha256, "file": file_name})))
        })
    }

    pub fn queue_statistics(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<QueueStatistics, Error> {
        let at = timestamp(now);
        self.authorize_queue(actor, Action::ViewQueue, "queue_statistics", &at)?;
        let queue = waiting_by_year_and_category(&self.conn)?;
        let referrals = referrals_by_month_and_status(&self.conn)?;
        Ok(QueueStatistics { queue, referrals })
    }
}

/// Waiting children per (birth year, category), newest year first: the
/// queue desk's statistics and the dashboard read the same figures.
pub(crate) fn waiting_by_year_and_category(conn: &Connection) -> Result<Vec<(i32, String, i64)>, Error> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT birth_year, category, COUNT(*) FROM queue_entries WHERE state = 'waiting'
             GROUP BY birth_year, category ORDER BY birth_year DESC, category",
        )
        .map_err(db_err)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(db_err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
}

/// Referrals per ("YYYY-MM" of issue, status), newest month first.
pub(crate) fn referrals_by_month_and_status(conn: &Connection) -> Result<Vec<(String, ReferralStatus, i64)>, Error> {
    let raw: Vec<(String, String, i64)> = {
        let mut stmt = conn
            .prepare_cached(
                "SELECT substr(issued_at, 1, 7), status, COUNT(*) FROM referrals GROUP BY 1, 2 ORDER BY 1 DESC, 2",
            )
            .map_err(db_err)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(db_err)?;
        rows.collect::<Result<_, _>>().map_err(db_err)?
    };
    raw.into_iter()
        .map(|(m, s, n)| {
            ReferralStatus::parse(&s).map(|s| (m, s, n)).ok_or_else(|| Error::Storage(format!("status {s}")))
        })
        .collect()
}

fn next_referral_number(tx: &Connection, year: i32) -> Result<String, Error> {
    tx.execute(
        "INSERT INTO number_series (series, year, next_value) VALUES (?1, ?2, 1) ON CONFLICT DO NOTHING",
        params![REFERRAL_SERIES, year],
    )
    .map_err(db_err)?;
    let seq: i64 = tx
        .query_row(
            "UPDATE number_series SET next_value = next_value + 1 WHERE series = ?1 AND year = ?2 RETURNING next_value - 1",
            params![REFERRAL_SERIES, year],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    Ok(format!("Ж-{year}-{seq:05}"))
}

/// The distribution the current data gives on `today`.
fn plan(conn: &Connection, rules: &QueueRules, today: NaiveDate) -> Result<Vec<Assignment>, Error> {
    let places: Vec<FreePlace> = {
        let mut stmt = conn
            .prepare_cached(
                "SELECT p.id, g.kindergarten_id, g.birth_year, g.special
                 FROM places p JOIN kindergarten_groups g ON g.id = p.group_id JOIN kindergartens k ON k.id = g.kindergarten_id
                 WHERE p.state = 'free' AND k.active = 1 ORDER BY p.id",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(FreePlace { id: r.get(0)?, kindergarten: r.get(1)?, birth_year: r.get(2)?, special: r.get(3)? })
            })
            .map_err(db_err)?;
        rows.collect::<Result<_, _>>().map_err(db_err)?
    };
    let years: BTreeSet<i32> = places.iter().map(|p| p.birth_year).collect();
    let mut entries = Vec::new();
    for year in years {
        entries.extend(load_waiting(conn, year, true)?);
    }
    distribute(&entries, &places, rules, today)
}

/// A transfer: the child enrolled through this application was enrolled
/// elsewhere through an earlier one. That place is free again (the same
/// declared place, back in the pool for the next distribution) and the earlier
/// entry leaves; both are named in the caller's audit event.
fn release_transferred(tx: &Connection, application_id: i64) -> Result<(), Error> {
    let earlier: Vec<(i64, i64, i64)> = {
        let mut stmt = tx
            .prepare_cached(
                "SELECT e.application_id, p.id, p.group_id FROM queue_entries e
                 JOIN queue_entries me ON me.application_id = ?1 AND me.child_iin = e.child_iin
                 JOIN referrals r ON r.application_id = e.application_id AND r.status = 'enrolled'
                 JOIN places p ON p.id = r.place_id AND p.state = 'filled'
                 WHERE e.application_id <> ?1 AND e.state = 'enrolled'",
            )
            .map_err(db_err)?;
        let rows = stmt.query_map([application_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(db_err)?;
        rows.collect::<Result<_, _>>().map_err(db_err)?
    };
    for (entry, place, group) in earlier {
        tx.execute("UPDATE places SET state = 'free' WHERE id = ?1", [place]).map_err(db_err)?;
        tx.execute("UPDATE kindergarten_groups SET occupied = occupied - 1 WHERE id = ?1 AND occupied > 0", [group])
            .map_err(db_err)?;
        set_state(tx, entry, EntryState::Removed)?;
    }
    Ok(())
}

/// Applies a referral step to the referral, the child's entry and the place,
/// and reorders the child's year when it comes back to the queue.
#[allow(clippy::too_many_arguments)]
fn apply_referral_step(
    tx: &Connection,
    rules: &QueueRules,
    id: i64,
    expected: Option<ReferralStatus>,
    step: ReferralStep,
    by: Option<i64>,
    reason: &str,
    now: DateTime<FixedOffset>,
) -> Result<((), serde_json::Value), Error> {
    let at = timestamp(now);
    let (status, valid_until, application_id, place_id, group_id, year): (String, String, i64, i64, i64, i32) = tx
        .query_row(
            "SELECT r.status, r.valid_until, r.application_id, r.place_id, p.group_id, e.birth_year
             FROM referrals r JOIN places p ON p.id = r.place_id JOIN queue_entries e ON e.application_id = r.application_id
             WHERE r.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()
        .map_err(db_err)?
        .ok_or(Error::NotFound)?;
    let status = ReferralStatus::parse(&status).ok_or_else(|| Error::Storage(format!("referral status {status}")))?;
    if expected.is_some_and(|e| e != status) {
        return Err(Error::InvalidState);
    }
    let outcome =
        referral_next(status, step, rules, date(&valid_until)?, now.date_naive()).ok_or(Error::InvalidState)?;
    tx.execute(
        "UPDATE referrals SET status = ?1, status_at = ?2, status_by = ?3, reason = ?4 WHERE id = ?5",
        params![outcome.status.code(), at, by, (!reason.is_empty()).then_some(reason), id],
    )
    .map_err(db_err)?;
    if outcome.place_freed {
        tx.execute("UPDATE places SET state = 'free' WHERE id = ?1", [place_id]).map_err(db_err)?;
    }
    if outcome.place_filled {
        tx.execute("UPDATE places SET state = 'filled' WHERE id = ?1", [place_id]).map_err(db_err)?;
        tx.execute("UPDATE kindergarten_groups SET occupied = occupied + 1 WHERE id = ?1", [group_id])
            .map_err(db_err)?;
        release_transferred(tx, application_id)?;
    }
    let stored = tx
        .query_row("SELECT state, stop_until FROM queue_entries WHERE application_id = ?1", [application_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })
        .map_err(db_err)?;
    if entry_state(&stored.0, stored.1.as_deref())? != outcome.entry {
        set_state(tx, application_id, outcome.entry)?;
        if outcome.entry == EntryState::Waiting {
            let cause = match step {
                ReferralStep::RefuseByParent => Cause::RefusedReferral,
                _ => Cause::ReferralCancelled,
            };
            reorder(tx, rules, year, Moved { cause, subject: Some(application_id), distribution: None }, &at)?;
        }
    }
    Ok(((), serde_json::json!({"id": id, "status": outcome.status.code(), "entry": outcome.entry.code()})))
}
