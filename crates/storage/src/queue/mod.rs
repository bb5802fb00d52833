//! The preschool queue in the registry: kindergartens, groups and places,
//! queue entries and their numbers, distributions and referrals, the office
//! clock's sweep and the queue's figures.
//!
//! The order itself is the domain's ([`kense_domain::queue`]); this module
//! keeps its result. Every change of state that can move numbers is followed,
//! in the same transaction, by [`entries::reorder`], which stores the new
//! numbers and one `position_changes` row per child whose number moved, with
//! the cause — so "why did my number change" always has a recorded answer.
//! A change of a child's standing that moves no number of its own (its
//! referral expired, it was enrolled, transferred, removed) is recorded for
//! it by [`entries::record_standing`] in the same transaction, so the
//! child's history has no hole where it had no number.

mod distribution;
mod entries;
mod kindergartens;
mod referrals;
mod statistics;
mod sweep;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use kense_domain::access::{Action, Actor};
use kense_domain::queue::{QueueRules, Tier};
use kense_domain::Error;

pub use distribution::Proposal;
pub(crate) use entries::{
    check_not_queued, correct_child, enqueue, follow_rules, load_waiting, moves_under, reorder, waiting_years,
    withdraw, Moved,
};
pub use entries::{PositionChangeRecord, QueueRow, YearCount};
pub use kindergartens::{GroupRecord, KindergartenRecord};
pub use referrals::ReferralRecord;
pub use statistics::QueueStatistics;
pub(crate) use statistics::{referrals_by_month_and_status, waiting_by_year_and_category};
pub use sweep::SweepReport;

use crate::audit::Event;
use crate::{timestamp, Registry};

/// The audit event of a queue write: by whom in which role ("system" for
/// the office clock), its details, and the record's id taken from them.
fn event(
    action: &str,
    entity: &'static str,
    actor_id: Option<i64>,
    role: &'static str,
    after: serde_json::Value,
) -> Event {
    let mut e = Event::new(action, entity).after(after.to_string());
    e = match actor_id {
        Some(id) => e.by(id, Some(role)),
        None => e.by_system(),
    };
    match after.get("id").and_then(serde_json::Value::as_i64) {
        Some(id) => e.id(id),
        None => e,
    }
}

/// A moment the queue stores in office local time without offset.
fn naive(at: &str) -> Result<NaiveDateTime, Error> {
    NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%S").map_err(|e| Error::Storage(format!("queued_at {at}: {e}")))
}

fn date(s: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| Error::Storage(format!("date {s}: {e}")))
}

fn tier_of(code: &str) -> Result<Tier, Error> {
    Tier::parse(code).ok_or_else(|| Error::Storage(format!("tier {code}")))
}

impl Registry {
    /// The queue's rules in force: those of the catalog in force, read
    /// each time, so that a desk follows a version another desk saved.
    pub fn queue_rules(&self) -> Result<QueueRules, Error> {
        self.catalog_in_force()?.1.queue_rules()
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
        let role = self.authorize_plain(actor, Action::ViewQueue, "print", &at)?;
        let after = serde_json::json!({"kind": kind, "sha256": sha256, "file": file_name});
        self.db.record(&at, event("print", "report", Some(actor.user_id), role, after))
    }
}
