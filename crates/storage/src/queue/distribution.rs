//! Distribution: declared free places given to waiting children in queue
//! order, previewed by the head and committed exactly as previewed.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use kense_domain::access::{Action, Actor};
use kense_domain::calendar::WorkingCalendar;
use kense_domain::queue::{distribute, Assignment, Cause, EntryState, FreePlace, QueueRules};
use kense_domain::{Bilingual, Error};
use serde::Serialize;

use super::entries::{load_waiting, reorder, set_state, Moved};
use super::event;
use super::referrals::{next_referral_number, ReferralRecord};
use crate::sql::{args, Db};
use crate::{timestamp, Registry};

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

/// The distribution the current data gives on `today`.
fn plan(db: &Db, rules: &QueueRules, today: NaiveDate) -> Result<Vec<Assignment>, Error> {
    let places = db
        .query(
            "SELECT p.id, g.kindergarten_id, g.birth_year, g.special
             FROM places p JOIN kindergarten_groups g ON g.id = p.group_id
                  JOIN kindergartens k ON k.id = g.kindergarten_id
             WHERE p.state = 'free' AND k.active = 1 ORDER BY p.id",
            args![],
        )?
        .iter()
        .map(|r| {
            Ok(FreePlace {
                id: r.get("id")?,
                kindergarten: r.get("kindergarten_id")?,
                birth_year: r.get("birth_year")?,
                special: r.get("special")?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let years: BTreeSet<i32> = places.iter().map(|p| p.birth_year).collect();
    let mut entries = Vec::new();
    for year in years {
        entries.extend(load_waiting(db, year, true)?);
    }
    distribute(&entries, &places, rules, today)
}

impl Registry {
    /// The distribution the registry would make now, without making it.
    pub fn preview_distribution(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<Vec<Proposal>, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::ManageQueue, "preview_distribution", &at)?;
        let assignments = plan(&self.db, &self.queue_rules()?, now.date_naive())?;
        let mut out = Vec::with_capacity(assignments.len());
        for x in assignments {
            let r = self.db.query_one(
                "SELECT a.number, a.child_name, e.birth_year, e.position, k.name_kk, k.name_ru, g.name AS group_name
                 FROM places p JOIN kindergarten_groups g ON g.id = p.group_id
                      JOIN kindergartens k ON k.id = g.kindergarten_id,
                      queue_entries e JOIN applications a ON a.id = e.application_id
                 WHERE p.id = ?1 AND e.application_id = ?2",
                args![x.place, x.entry],
            )?;
            out.push(Proposal {
                place_id: x.place,
                application_id: x.entry,
                number: r.get("number")?,
                child_name: r.get::<Option<String>>("child_name")?.unwrap_or_default(),
                birth_year: r.get("birth_year")?,
                position: r.get("position")?,
                kindergarten: Bilingual::new(r.get::<String>("name_kk")?, r.get::<String>("name_ru")?),
                group_name: r.get("group_name")?,
            });
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
        let role = self.authorize_plain(actor, Action::Distribute, "distribute", &at)?;
        let rules = &self.rules_in_force()?;
        let ids = self.db.audited(&at, |tx| {
            let plan = plan(tx, rules, now.date_naive())?;
            if plan.is_empty() || plan != expected {
                return Err(Error::DistributionChanged);
            }
            let distribution: i64 = tx.value(
                "INSERT INTO distributions (at, by_user, referrals) VALUES (?1, ?2, ?3) RETURNING id",
                args![at, actor.user_id, plan.len()],
            )?;
            let valid_until = rules.referral_valid_until(cal, now.naive_local());
            let mut years = BTreeSet::new();
            let mut referral_ids = Vec::with_capacity(plan.len());
            for x in &plan {
                let number = next_referral_number(tx, now.year())?;
                referral_ids.push(tx.value::<i64>(
                    "INSERT INTO referrals (number, application_id, place_id, distribution_id, issued_at, issued_by,
                                            valid_until, status, status_at, status_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'issued', ?5, ?6) RETURNING id",
                    args![number, x.entry, x.place, distribution, at, actor.user_id, valid_until],
                )?);
                tx.execute("UPDATE places SET state = 'held' WHERE id = ?1 AND state = 'free'", args![x.place])?;
                set_state(tx, x.entry, EntryState::Referred)?;
                years.insert(
                    tx.value::<i32>("SELECT birth_year FROM queue_entries WHERE application_id = ?1", args![x.entry])?,
                );
            }
            let moved = Moved { cause: Cause::Referred, subject: None, distribution: Some(distribution) };
            let mut n = 0;
            for year in years {
                n += reorder(tx, rules, year, moved, &at)?;
            }
            let after =
                serde_json::json!({"id": distribution, "assignments": plan, "valid_until": valid_until, "moved": n});
            Ok((referral_ids, event("distribute", "distribution", Some(actor.user_id), role, after)))
        })?;
        ids.into_iter().map(|id| self.referral_record(id)).collect()
    }
}
