//! What the office clock does to the queue, before every queue read:
//! referrals not presented in time expire (their children go on the stop
//! list), children whose stop list ended come back to their original place,
//! priority evidence that lapsed falls back to general, and children past the
//! age limit leave.

use chrono::{DateTime, Datelike, FixedOffset};
use kense_domain::queue::{Cause, EntryState, ReferralStatus, ReferralStep};
use kense_domain::Error;
use serde::Serialize;

use super::entries::{record_standing, reorder, set_state, Moved};
use super::event;
use super::referrals::apply_referral_step;
use crate::sql::{args, Args, Tx};
use crate::{timestamp, Registry};

/// What the office clock changed in one sweep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    pub referrals_expired: usize,
    pub returned_from_stop_list: usize,
    pub priorities_expired: usize,
    pub aged_out: usize,
}

impl Registry {
    /// Runs the office clock over the queue at `now`. Each event is its own
    /// audited transaction, so a crash in the middle leaves a consistent
    /// registry and the next sweep goes on.
    pub fn sweep_queue(&mut self, now: DateTime<FixedOffset>) -> Result<SweepReport, Error> {
        let at = timestamp(now);
        let today = now.date_naive();
        let mut report = SweepReport::default();
        let due = self.ids("SELECT id FROM referrals WHERE status = 'issued' AND valid_until < ?1", args![today])?;
        for id in due {
            let rules = &self.rules_in_force()?;
            self.db.audited(&at, |tx| {
                let step = ReferralStep::Expire;
                let after = apply_referral_step(tx, rules, id, Some(ReferralStatus::Issued), step, None, "", now)?;
                Ok(((), event("expire", "referral", None, "system", after)))
            })?;
            report.referrals_expired += 1;
        }
        let back = self.ids(
            "SELECT application_id AS id FROM queue_entries WHERE state = 'stop_listed' AND stop_until < ?1",
            args![today],
        )?;
        for id in back {
            self.entry_event(id, Cause::ReturnedFromStopList, &at, |tx| set_state(tx, id, EntryState::Waiting))?;
            report.returned_from_stop_list += 1;
        }
        let lapsed = self.ids(
            "SELECT application_id AS id FROM queue_entries WHERE tier <> 'general' AND evidence_until < ?1
               AND state IN ('waiting', 'referred', 'stop_listed')",
            args![today],
        )?;
        for id in lapsed {
            self.entry_event(id, Cause::PriorityExpired, &at, |tx| {
                tx.execute("UPDATE queue_entries SET tier = 'general' WHERE application_id = ?1", args![id])?;
                Ok(())
            })?;
            report.priorities_expired += 1;
        }
        let last_year = today.year() - self.queue_rules()?.upper_age;
        let old = self.ids(
            "SELECT application_id AS id FROM queue_entries WHERE birth_year <= ?1
               AND state IN ('waiting', 'stop_listed')",
            args![last_year],
        )?;
        for id in old {
            self.entry_event(id, Cause::AgedOut, &at, |tx| set_state(tx, id, EntryState::Removed))?;
            report.aged_out += 1;
        }
        Ok(report)
    }

    /// Ids in ascending order. Sorted here rather than by `ORDER BY`, which
    /// makes SQLite walk the whole table in rowid order instead of using the
    /// sweep's partial indexes.
    fn ids(&self, sql: &str, args: Args<'_>) -> Result<Vec<i64>, Error> {
        let mut ids: Vec<i64> = self.db.query(sql, args)?.iter().map(|r| r.get("id")).collect::<Result<_, _>>()?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// A system event on one entry, followed by its year's reorder and the
    /// child's own row (a stop-listed child ageing out had no number to lose).
    fn entry_event(
        &mut self,
        id: i64,
        cause: Cause,
        at: &str,
        mut change: impl FnMut(&Tx<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let rules = &self.rules_in_force()?;
        self.db.audited(at, |tx| {
            change(tx)?;
            let year: i32 = tx.value("SELECT birth_year FROM queue_entries WHERE application_id = ?1", args![id])?;
            let n = reorder(tx, rules, year, Moved { cause, subject: Some(id), distribution: None }, at)?;
            record_standing(tx, id, cause, id, at)?;
            Ok(((), event(cause.code(), "queue_entry", None, "system", serde_json::json!({"id": id, "moved": n}))))
        })
    }
}
