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

use std::borrow::Cow;
use std::ops::Deref;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use kense_domain::access::{Action, Actor};
use kense_domain::catalog::Catalog;
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
use crate::sql::{args, Tx};
use crate::{timestamp, Registry};

/// The queue's rules as read from one catalog version, before a write's
/// transaction began. The write numbers children by
/// [`RulesOfVersion::in_force`], which looks again once the transaction
/// holds the write lock: an administrator's desk may have put a version with
/// other rules in force in between, and a number given under the old ones
/// would then stand against the rules in force (and the evidence check).
#[derive(Debug, Clone)]
pub(crate) struct RulesOfVersion {
    pub version: u32,
    pub rules: QueueRules,
}

impl RulesOfVersion {
    /// These rules, or those of the catalog version in force if another
    /// came into force since they were read. Called inside the write's
    /// transaction, after its chain-head lock: nothing can change the
    /// version in force again before commit.
    pub(crate) fn in_force(&self, tx: &Tx<'_>) -> Result<Cow<'_, QueueRules>, Error> {
        let newest: u32 = tx
            .value::<Option<u32>>("SELECT max(version) AS newest FROM catalog_versions", args![])?
            .ok_or_else(|| Error::Catalog("no catalog installed".into()))?;
        if newest == self.version {
            return Ok(Cow::Borrowed(&self.rules));
        }
        let content: String = tx.value("SELECT content FROM catalog_versions WHERE version = ?1", args![newest])?;
        Ok(Cow::Owned(Catalog::parse(&content)?.queue_rules()?))
    }
}

impl Deref for RulesOfVersion {
    type Target = QueueRules;

    fn deref(&self) -> &QueueRules {
        &self.rules
    }
}

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
        Ok(self.rules_in_force()?.rules)
    }

    /// The queue's rules in force with the catalog version they come from,
    /// for a write that numbers children.
    pub(crate) fn rules_in_force(&self) -> Result<RulesOfVersion, Error> {
        let (version, catalog) = self.catalog_in_force()?;
        Ok(RulesOfVersion { version, rules: catalog.queue_rules()? })
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

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use kense_domain::catalog::Catalog;
    use kense_domain::catalog_edit::QueueRulesDraft;

    use super::RulesOfVersion;
    use crate::Registry;

    const CATALOG: &str = include_str!("../../../../assets/catalog/services.json");

    /// A desk read the queue's rules, then another desk put a version with
    /// other shares in force before the first desk's write took the lock:
    /// the write numbers by the version in force, not by what it read.
    #[test]
    fn a_write_follows_rules_that_came_into_force_after_it_read_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Registry::open(&dir.path().join("kense.sqlite3")).unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-02T09:00:00+05:00").unwrap();
        r.install_catalog(CATALOG, now).unwrap();
        let read_before = r.rules_in_force().unwrap();

        let shipped = Catalog::parse(CATALOG).unwrap();
        let draft =
            QueueRulesDraft { mixing_priority: 1, mixing_general: 1, ..QueueRulesDraft::from(&read_before.rules) };
        let next = shipped.with_queue_rules(draft).unwrap();
        r.install_catalog(&next.to_json(), now).unwrap();

        let read_after = RulesOfVersion { version: next.version, rules: next.queue_rules().unwrap() };
        let (stale, fresh) =
            r.db.transaction(|tx| {
                let stale = read_before.in_force(tx)?.into_owned();
                let fresh = matches!(read_after.in_force(tx)?, Cow::Borrowed(_));
                Ok((stale, fresh))
            })
            .unwrap();
        assert_eq!((stale.mixing_priority, stale.mixing_general), (1, 1));
        assert_ne!(stale, read_before.rules);
        assert!(fresh, "rules read from the version in force are used as read");
    }
}
