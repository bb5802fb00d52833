//! The head's dashboard: the office's figures in one read. Counts only —
//! no name or IIN leaves this module — so looking at it is not an access to
//! personal data and is not audited (a refusal is).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate};
use kense_domain::access::{Action, Actor};
use kense_domain::queue::ReferralStatus;
use kense_domain::workflow::Status;
use kense_domain::{Bilingual, Error};
use serde::Serialize;

use crate::applications::{status_of, Urgency};
use crate::queue::{referrals_by_month_and_status, waiting_by_year_and_category};
use crate::sql::args;
use crate::{timestamp, Registry};

/// How many months of referrals the dashboard shows.
const REFERRAL_MONTHS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceCount {
    pub service_code: String,
    pub service_name: Bilingual,
    /// Registered since Monday of this week (office dates).
    pub week: i64,
    /// Registered since the first of this month.
    pub month: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusCount {
    pub status: Status,
    pub week: i64,
    pub month: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearWaiting {
    pub birth_year: i32,
    pub waiting: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralMonth {
    /// "YYYY-MM" of issue.
    pub month: String,
    pub issued: i64,
    /// Presented to the kindergarten or enrolled there.
    pub used: i64,
    pub expired: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dashboard {
    pub today: NaiveDate,
    pub week_from: NaiveDate,
    pub month_from: NaiveDate,
    /// Services that had a registration this month or this week, busiest first.
    pub by_service: Vec<ServiceCount>,
    /// The same registrations by their status now, in the workflow's order.
    pub by_status: Vec<StatusCount>,
    /// Open applications (not refused at intake, issued or withdrawn).
    pub open: i64,
    pub overdue: i64,
    pub due_today: i64,
    pub awaiting_signature: i64,
    pub ready_to_issue: i64,
    /// Waiting children per birth year, newest first.
    pub queue_by_year: Vec<YearWaiting>,
    /// The last months with referrals, newest first.
    pub referrals_by_month: Vec<ReferralMonth>,
}

impl Registry {
    /// The dashboard as of `now`. The office clock acts first (expired
    /// referrals), as on every queue read, so the referral figures are true.
    pub fn dashboard(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<Dashboard, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::ViewDashboard, "dashboard", &at)?;
        self.sweep_queue(now)?;
        let today = now.date_naive();
        let week_from = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let month_from = today.with_day(1).unwrap_or(today);
        let since = week_from.min(month_from);

        // Stored moments are ISO text in the office's offset: a date prefix
        // compares as the day it names.
        let rows = self.db.query(
            "SELECT service_code, MAX(service_name_kk) AS name_kk, MAX(service_name_ru) AS name_ru, status,
                    SUM(CASE WHEN registered_at >= ?2 THEN 1 ELSE 0 END) AS week,
                    SUM(CASE WHEN registered_at >= ?3 THEN 1 ELSE 0 END) AS month
             FROM applications WHERE registered_at >= ?1 GROUP BY service_code, status",
            args![since, week_from, month_from],
        )?;
        let mut services: BTreeMap<String, ServiceCount> = BTreeMap::new();
        let mut statuses: BTreeMap<usize, StatusCount> = BTreeMap::new();
        for r in &rows {
            let code: String = r.get("service_code")?;
            let status = status_of(&r.get::<String>("status")?)?;
            let (week, month): (i64, i64) = (r.get("week")?, r.get("month")?);
            let s = services.entry(code.clone()).or_insert(ServiceCount {
                service_code: code,
                service_name: Bilingual::new(r.get::<String>("name_kk")?, r.get::<String>("name_ru")?),
                week: 0,
                month: 0,
            });
            s.week += week;
            s.month += month;
            let order = Status::ALL.iter().position(|s| *s == status).unwrap_or(Status::ALL.len());
            let s = statuses.entry(order).or_insert(StatusCount { status, week: 0, month: 0 });
            s.week += week;
            s.month += month;
        }
        let mut by_service: Vec<ServiceCount> = services.into_values().filter(|s| s.week + s.month > 0).collect();
        by_service
            .sort_by(|a, b| b.month.cmp(&a.month).then(b.week.cmp(&a.week)).then(a.service_code.cmp(&b.service_code)));
        let by_status = statuses.into_values().filter(|s| s.week + s.month > 0).collect();

        // Urgency is decided as the worklist decides it, from parsed
        // moments, so the two never disagree about what is overdue.
        let open = self.db.query(
            "SELECT status, step_due_at, due_at FROM applications
             WHERE status NOT IN ('refused_at_intake', 'issued', 'withdrawn')",
            args![],
        )?;
        let (mut overdue, mut due_today, mut awaiting_signature, mut ready_to_issue) = (0, 0, 0, 0);
        for r in &open {
            let status = status_of(&r.get::<String>("status")?)?;
            let parse = |d: Option<String>| d.as_deref().and_then(|d| DateTime::parse_from_rfc3339(d).ok());
            let due = parse(r.get("step_due_at")?).into_iter().chain(parse(r.get("due_at")?)).min();
            match Urgency::of(status, due, now) {
                Urgency::Overdue => overdue += 1,
                Urgency::DueToday => due_today += 1,
                Urgency::OnTime | Urgency::None => {}
            }
            match status {
                Status::ResultPrepared => awaiting_signature += 1,
                Status::Signed => ready_to_issue += 1,
                _ => {}
            }
        }

        let mut years: BTreeMap<i32, i64> = BTreeMap::new();
        for (year, _, n) in waiting_by_year_and_category(&self.db)? {
            *years.entry(year).or_default() += n;
        }
        let queue_by_year =
            years.into_iter().rev().map(|(birth_year, waiting)| YearWaiting { birth_year, waiting }).collect();

        let mut months: Vec<ReferralMonth> = Vec::new();
        for (month, status, n) in referrals_by_month_and_status(&self.db)? {
            if months.last().map(|m| m.month != month).unwrap_or(true) {
                if months.len() == REFERRAL_MONTHS {
                    break;
                }
                months.push(ReferralMonth { month, issued: 0, used: 0, expired: 0 });
            }
            if let Some(m) = months.last_mut() {
                m.issued += n;
                match status {
                    ReferralStatus::Presented | ReferralStatus::Enrolled => m.used += n,
                    ReferralStatus::Expired => m.expired += n,
                    ReferralStatus::Issued | ReferralStatus::RefusedByParent | ReferralStatus::Cancelled => {}
                }
            }
        }

        Ok(Dashboard {
            today,
            week_from,
            month_from,
            by_service,
            by_status,
            open: open.len() as i64,
            overdue,
            due_today,
            awaiting_signature,
            ready_to_issue,
            queue_by_year,
            referrals_by_month: months,
        })
    }
}
