//! Referrals to a kindergarten: their numbers, their records, and the
//! steps of their life (presented, enrolled, refused by the parent,
//! cancelled, expired) carried into the child's entry and the place.

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::queue::{referral_next, Cause, EntryState, ReferralStatus, ReferralStep};
use kense_domain::{Bilingual, Error, Field};
use serde::Serialize;

use super::entries::{entry_state, record_standing, reorder, set_state, Moved};
use super::{date, event, RulesOfVersion};
use crate::audit::Event;
use crate::sql::{args, FromRow, Row, Tx};
use crate::{numbers, timestamp, Registry};

/// The referral numbers' key in `number_series`: not a valid office series
/// (those are letters and digits), so the two never collide.
const REFERRAL_SERIES: &str = "#referral";

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

impl FromRow for ReferralRecord {
    fn from_row(r: &Row) -> Result<ReferralRecord, Error> {
        let status: String = r.get("status")?;
        Ok(ReferralRecord {
            id: r.get("id")?,
            number: r.get("number")?,
            application_id: r.get("application_id")?,
            application_number: r.get("application_number")?,
            child_name: r.get::<Option<String>>("child_name")?.unwrap_or_default(),
            child_iin: r.get::<Option<String>>("child_iin")?.unwrap_or_default(),
            child_birth_date: r.get("child_birth_date")?,
            applicant_name: r.get("applicant_name")?,
            applicant_iin: r.get("applicant_iin")?,
            birth_year: r.get("birth_year")?,
            kindergarten: Bilingual::new(r.get::<String>("name_kk")?, r.get::<String>("name_ru")?),
            kindergarten_address: Bilingual::new(r.get::<String>("address_kk")?, r.get::<String>("address_ru")?),
            group_name: r.get("group_name")?,
            group_language: r.get("group_language")?,
            issued_at: r.get("issued_at")?,
            issued_by: r.get("issued_by")?,
            valid_until: r.get("valid_until")?,
            status: ReferralStatus::parse(&status)
                .ok_or_else(|| Error::Storage(format!("referral status {status}")))?,
            status_at: r.get("status_at")?,
            reason: r.get("reason")?,
            distribution_id: r.get("distribution_id")?,
        })
    }
}

/// The next referral number of `year`: `Ж-YYYY-NNNNN`.
pub(super) fn next_referral_number(tx: &Tx<'_>, year: i32) -> Result<String, Error> {
    let seq = numbers::next(tx, REFERRAL_SERIES, year, 1)?;
    Ok(format!("Ж-{year}-{seq:05}"))
}

impl Registry {
    pub fn referrals(
        &mut self,
        actor: &Actor,
        distribution: Option<i64>,
        limit: u32,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<ReferralRecord>, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::ViewQueue, "referrals", &at)?;
        // Two statements rather than `?1 IS NULL OR …`: PostgreSQL cannot
        // tell the type of a parameter that is only ever compared with NULL.
        let rows = match distribution {
            Some(d) => self.db.query(
                "SELECT id FROM referrals WHERE distribution_id = ?1 ORDER BY id DESC LIMIT ?2",
                args![d, limit],
            )?,
            None => self.db.query("SELECT id FROM referrals ORDER BY id DESC LIMIT ?1", args![limit])?,
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.get("id")).collect::<Result<_, _>>()?;
        let records = ids.into_iter().map(|id| self.referral_record(id)).collect::<Result<Vec<_>, _>>()?;
        // Referrals name children and parents: a list of them is access to
        // personal data (Law No. 94-V), kept like a search.
        let mut event = Event::new("view_referrals", "referral").by(actor.user_id, None);
        if let Some(d) = distribution {
            event = event.reason(format!("distribution {d}"));
        }
        self.db.record(&at, event)?;
        Ok(records)
    }

    pub fn referral(&mut self, actor: &Actor, id: i64, now: DateTime<FixedOffset>) -> Result<ReferralRecord, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::ViewQueue, "referral", &at)?;
        let record = self.referral_record(id)?;
        self.db.record(&at, Event::new("view_referral", "referral").by(actor.user_id, None).id(id))?;
        Ok(record)
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
        self.authorize_plain(actor, Action::ViewQueue, "find_referral", &at)?;
        let looked = Event::new("find_referral", "referral")
            .by(actor.user_id, None)
            .id(number.chars().take(40).collect::<String>());
        self.db.record(&at, looked)?;
        let id: Option<i64> = self.db.value_opt(
            "SELECT r.id FROM referrals r JOIN applications a ON a.id = r.application_id
             WHERE r.number = ?1 AND (a.applicant_iin = ?2 OR a.child_iin = ?2)",
            args![number.trim(), iin.trim()],
        )?;
        self.referral_record(id.ok_or(Error::NotFound)?)
    }

    /// The first referral issued to the same child after `id`, through any
    /// of its applications: the one that took this one's place.
    pub fn newer_referral(&self, id: i64) -> Result<Option<ReferralRecord>, Error> {
        let newer: Option<i64> = self.db.value_opt(
            "SELECT n.id FROM referrals r JOIN queue_entries e ON e.application_id = r.application_id
                  JOIN queue_entries ne ON ne.child_iin = e.child_iin
                  JOIN referrals n ON n.application_id = ne.application_id
             WHERE r.id = ?1 AND n.id > r.id ORDER BY n.id LIMIT 1",
            args![id],
        )?;
        newer.map(|id| self.referral_record(id)).transpose()
    }

    /// A referral by its number, for the verification of a scanned QR text
    /// already found among the printed documents.
    pub fn referral_by_number(&self, number: &str) -> Result<Option<ReferralRecord>, Error> {
        let id: Option<i64> = self.db.value_opt("SELECT id FROM referrals WHERE number = ?1", args![number])?;
        id.map(|id| self.referral_record(id)).transpose()
    }

    pub(super) fn referral_record(&self, id: i64) -> Result<ReferralRecord, Error> {
        let row = self
            .db
            .query_opt(
                "SELECT r.id, r.number, r.application_id, a.number AS application_number, a.child_name, a.child_iin,
                        a.child_birth_date, a.applicant_name, a.applicant_iin, g.birth_year, k.name_kk, k.name_ru,
                        k.address_kk, k.address_ru, g.name AS group_name, g.language AS group_language, r.issued_at,
                        u.full_name AS issued_by, r.valid_until, r.status, r.status_at, r.reason, r.distribution_id
                 FROM referrals r JOIN applications a ON a.id = r.application_id
                      JOIN places p ON p.id = r.place_id JOIN kindergarten_groups g ON g.id = p.group_id
                      JOIN kindergartens k ON k.id = g.kindergarten_id JOIN users u ON u.id = r.issued_by
                 WHERE r.id = ?1",
                args![id],
            )?
            .ok_or(Error::NotFound)?;
        ReferralRecord::from_row(&row)
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
        let role = self.authorize_plain(actor, Action::Referral(step), step.code(), &at)?;
        let reason = kense_domain::application::optional_text(Field::Comment, reason, 500)?;
        if matches!(step, ReferralStep::Cancel | ReferralStep::RefuseByParent) && reason.is_empty() {
            return Err(Error::Required(Field::Comment));
        }
        let rules = &self.rules_in_force()?;
        self.db.audited(&at, |tx| {
            let after = apply_referral_step(tx, rules, id, Some(expected), step, Some(actor.user_id), &reason, now)?;
            Ok(((), event(step.code(), "referral", Some(actor.user_id), role, after)))
        })?;
        self.referral_record(id)
    }
}

/// A transfer: the child enrolled through this application was enrolled
/// elsewhere through an earlier one. That place is free again (the same
/// declared place, back in the pool for the next distribution) and the earlier
/// entry leaves, with the cause in its history; both are named in the
/// caller's audit event.
fn release_transferred(tx: &Tx<'_>, application_id: i64, at: &str) -> Result<(), Error> {
    let earlier = tx.query(
        "SELECT e.application_id, p.id AS place_id, p.group_id FROM queue_entries e
         JOIN queue_entries me ON me.application_id = ?1 AND me.child_iin = e.child_iin
         JOIN referrals r ON r.application_id = e.application_id AND r.status = 'enrolled'
         JOIN places p ON p.id = r.place_id AND p.state = 'filled'
         WHERE e.application_id <> ?1 AND e.state = 'enrolled'",
        args![application_id],
    )?;
    for r in &earlier {
        let (entry, place, group): (i64, i64, i64) = (r.get("application_id")?, r.get("place_id")?, r.get("group_id")?);
        tx.execute("UPDATE places SET state = 'free' WHERE id = ?1", args![place])?;
        tx.execute(
            "UPDATE kindergarten_groups SET occupied = occupied - 1 WHERE id = ?1 AND occupied > 0",
            args![group],
        )?;
        set_state(tx, entry, EntryState::Removed)?;
        record_standing(tx, entry, Cause::Transferred, application_id, at)?;
    }
    Ok(())
}

/// The cause a referral step writes in the child's history when it changes
/// the child's standing; presenting a referral changes none.
fn cause_of(step: ReferralStep, entry: EntryState) -> Option<Cause> {
    match step {
        ReferralStep::Present => None,
        ReferralStep::Enrol => Some(Cause::Enrolled),
        ReferralStep::RefuseByParent if entry == EntryState::Removed => Some(Cause::RemovedByRefusal),
        ReferralStep::RefuseByParent => Some(Cause::RefusedReferral),
        ReferralStep::Cancel => Some(Cause::ReferralCancelled),
        ReferralStep::Expire => Some(Cause::ReferralExpired),
    }
}

/// Applies a referral step to the referral, the child's entry and the place,
/// and reorders the child's year when it comes back to the queue. What the
/// audit event says of it comes back.
#[allow(clippy::too_many_arguments)] // each is one fact of the step; the sweep and a person both take it
pub(super) fn apply_referral_step(
    tx: &Tx<'_>,
    rules: &RulesOfVersion,
    id: i64,
    expected: Option<ReferralStatus>,
    step: ReferralStep,
    by: Option<i64>,
    reason: &str,
    now: DateTime<FixedOffset>,
) -> Result<serde_json::Value, Error> {
    let at = timestamp(now);
    let r = tx
        .query_opt(
            "SELECT r.status, r.valid_until, r.application_id, r.place_id, p.group_id, e.birth_year
             FROM referrals r JOIN places p ON p.id = r.place_id
                  JOIN queue_entries e ON e.application_id = r.application_id
             WHERE r.id = ?1",
            args![id],
        )?
        .ok_or(Error::NotFound)?;
    let status: String = r.get("status")?;
    let (application_id, place_id, group_id, year): (i64, i64, i64, i32) =
        (r.get("application_id")?, r.get("place_id")?, r.get("group_id")?, r.get("birth_year")?);
    let status = ReferralStatus::parse(&status).ok_or_else(|| Error::Storage(format!("referral status {status}")))?;
    if expected.is_some_and(|e| e != status) {
        return Err(Error::InvalidState);
    }
    let valid_until = date(&r.get::<String>("valid_until")?)?;
    let outcome = referral_next(status, step, rules, valid_until, now.date_naive()).ok_or(Error::InvalidState)?;
    tx.execute(
        "UPDATE referrals SET status = ?1, status_at = ?2, status_by = ?3, reason = ?4 WHERE id = ?5",
        args![outcome.status.code(), at, by, (!reason.is_empty()).then_some(reason), id],
    )?;
    if outcome.place_freed {
        tx.execute("UPDATE places SET state = 'free' WHERE id = ?1", args![place_id])?;
    }
    if outcome.place_filled {
        tx.execute("UPDATE places SET state = 'filled' WHERE id = ?1", args![place_id])?;
        tx.execute("UPDATE kindergarten_groups SET occupied = occupied + 1 WHERE id = ?1", args![group_id])?;
        release_transferred(tx, application_id, &at)?;
    }
    let stored =
        tx.query_one("SELECT state, stop_until FROM queue_entries WHERE application_id = ?1", args![application_id])?;
    if entry_state(&stored.get::<String>("state")?, stored.get::<Option<String>>("stop_until")?.as_deref())?
        != outcome.entry
    {
        set_state(tx, application_id, outcome.entry)?;
        if let Some(cause) = cause_of(step, outcome.entry) {
            // Back in the queue: the reorder writes the child's row with the
            // number it takes; otherwise the child has none and its row is
            // the standing's own.
            if outcome.entry == EntryState::Waiting {
                reorder(tx, rules, year, Moved { cause, subject: Some(application_id), distribution: None }, &at)?;
            }
            record_standing(tx, application_id, cause, application_id, &at)?;
        }
    }
    Ok(serde_json::json!({"id": id, "status": outcome.status.code(), "entry": outcome.entry.code()}))
}
