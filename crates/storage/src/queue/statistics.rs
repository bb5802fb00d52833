//! The queue's figures: waiting children by birth year and category, and
//! referrals by month and status. The queue desk's statistics and the
//! head's dashboard read the same figures from here.

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{Action, Actor};
use kense_domain::queue::ReferralStatus;
use kense_domain::Error;
use serde::Serialize;

use crate::sql::{args, Db};
use crate::{timestamp, Registry};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueStatistics {
    /// (birth year, category code, waiting children)
    pub queue: Vec<(i32, String, i64)>,
    /// ("YYYY-MM" of issue, status, referrals)
    pub referrals: Vec<(String, ReferralStatus, i64)>,
}

/// Waiting children per (birth year, category), newest year first.
pub(crate) fn waiting_by_year_and_category(db: &Db) -> Result<Vec<(i32, String, i64)>, Error> {
    db.query(
        "SELECT birth_year, category, COUNT(*) AS n FROM queue_entries WHERE state = 'waiting'
         GROUP BY birth_year, category ORDER BY birth_year DESC, category",
        args![],
    )?
    .iter()
    .map(|r| Ok((r.get("birth_year")?, r.get("category")?, r.get("n")?)))
    .collect()
}

/// Referrals per ("YYYY-MM" of issue, status), newest month first.
pub(crate) fn referrals_by_month_and_status(db: &Db) -> Result<Vec<(String, ReferralStatus, i64)>, Error> {
    db.query(
        "SELECT substr(issued_at, 1, 7) AS month, status, COUNT(*) AS n FROM referrals
         GROUP BY substr(issued_at, 1, 7), status ORDER BY month DESC, status",
        args![],
    )?
    .iter()
    .map(|r| {
        let s: String = r.get("status")?;
        let status = ReferralStatus::parse(&s).ok_or_else(|| Error::Storage(format!("status {s}")))?;
        Ok((r.get("month")?, status, r.get("n")?))
    })
    .collect()
}

impl Registry {
    pub fn queue_statistics(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<QueueStatistics, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::ViewQueue, "queue_statistics", &at)?;
        Ok(QueueStatistics {
            queue: waiting_by_year_and_category(&self.db)?,
            referrals: referrals_by_month_and_status(&self.db)?,
        })
    }
}
