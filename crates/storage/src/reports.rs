//! The figures an office sends its region's education department for a
//! period: applications by service, status and channel, overdue ones by
//! service, refusals by ground, the queue by birth year and category, and
//! the referrals issued in the period with what became of them. Counts
//! only, no person's data, so reading them needs the dashboard's right.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use kense_domain::access::{Action, Actor};
use kense_domain::queue::ReferralStatus;
use kense_domain::survey::{Question, Rating, Survey};
use kense_domain::workflow::Status;
use kense_domain::{Bilingual, Error};
use serde::Serialize;

use crate::applications::status_of;
use crate::queue::waiting_by_year_and_category;
use crate::sql::args;
use crate::{timestamp, Registry};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationCount {
    pub service_code: String,
    pub service_name: Bilingual,
    pub status: Status,
    pub channel: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueCount {
    pub service_code: String,
    pub service_name: Bilingual,
    /// Registered in the period with a deadline.
    pub with_deadline: i64,
    /// Of those, closed after the deadline or still open past it.
    pub overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusalCount {
    pub service_code: String,
    pub service_name: Bilingual,
    /// A ground's code from the refusal grounds, or `refused_at_intake`
    /// for packages refused at the counter.
    pub ground: String,
    /// The ground as a person reads it: the wording the refusals were
    /// signed with, else the list's, else the code.
    pub ground_name: Bilingual,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueCount {
    pub birth_year: i32,
    pub category: String,
    pub waiting: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ReferralCounts {
    pub issued: i64,
    /// Presented to the kindergarten or enrolled there.
    pub used: i64,
    pub expired: i64,
    /// Still waiting to be presented.
    pub live: i64,
    /// Refused by the parent or cancelled.
    pub other: i64,
}

/// How often one answer was given to one question about one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SurveyCount {
    pub service_code: String,
    pub question: Question,
    pub rating: Rating,
    pub count: i64,
}

/// A period's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub applications: Vec<ApplicationCount>,
    pub overdue: Vec<OverdueCount>,
    pub refusals: Vec<RefusalCount>,
    /// The queue as it stands at the report's making.
    pub queue: Vec<QueueCount>,
    pub referrals: ReferralCounts,
    /// The quality questionnaires recorded in the period.
    pub survey: Vec<SurveyCount>,
}

impl Registry {
    /// The figures of `from..=to` (office dates) as of `now`.
    pub fn period_report(
        &mut self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<FixedOffset>,
    ) -> Result<PeriodReport, Error> {
        let at = timestamp(now);
        self.authorize_plain(actor, Action::ViewDashboard, "period_report", &at)?;
        // A period picked backwards means the same days.
        let (from, to) = if to < from { (to, from) } else { (from, to) };
        self.sweep_queue(now)?;
        // Stored moments are ISO text in the office's offset: the day range
        // is a text range, as the journal reads it.
        let end = to.succ_opt().unwrap_or(to);
        let mut applications = Vec::new();
        for r in self.db.query(
            "SELECT service_code, MAX(service_name_kk) AS name_kk, MAX(service_name_ru) AS name_ru, status, channel,
                    COUNT(*) AS n
             FROM applications WHERE registered_at >= ?1 AND registered_at < ?2
             GROUP BY service_code, status, channel ORDER BY service_code, channel",
            args![from, end],
        )? {
            applications.push(ApplicationCount {
                service_code: r.get("service_code")?,
                service_name: Bilingual::new(r.get::<String>("name_kk")?, r.get::<String>("name_ru")?),
                status: status_of(&r.get::<String>("status")?)?,
                channel: r.get("channel")?,
                count: r.get("n")?,
            });
        }
        applications.sort_by_key(|a| {
            let order = Status::ALL.iter().position(|s| *s == a.status).unwrap_or(Status::ALL.len());
            (a.service_code.clone(), order, a.channel.clone())
        });

        let mut overdue: BTreeMap<String, OverdueCount> = BTreeMap::new();
        for r in self.db.query(
            "SELECT a.service_code, a.service_name_kk, a.service_name_ru, a.due_at,
                    (SELECT MAX(w.at) FROM workflow_events w WHERE w.application_id = a.id
                       AND w.to_status IN ('issued', 'withdrawn')) AS closed_at
             FROM applications a
             WHERE a.registered_at >= ?1 AND a.registered_at < ?2 AND a.due_at IS NOT NULL",
            args![from, end],
        )? {
            let code: String = r.get("service_code")?;
            let parse = |s: Option<String>| s.as_deref().and_then(|s| DateTime::parse_from_rfc3339(s).ok());
            let due = parse(r.get("due_at")?);
            let closed = parse(r.get("closed_at")?);
            let late = match (due, closed) {
                (Some(due), Some(closed)) => closed > due,
                (Some(due), None) => now > due,
                _ => false,
            };
            let entry = overdue.entry(code.clone()).or_insert(OverdueCount {
                service_code: code,
                service_name: Bilingual::new(r.get::<String>("service_name_kk")?, r.get::<String>("service_name_ru")?),
                with_deadline: 0,
                overdue: 0,
            });
            entry.with_deadline += 1;
            entry.overdue += i64::from(late);
        }

        // The ground of each refusal signed in the period (the latest version
        // of a result counts), and the packages refused at the counter.
        let mut refusals = Vec::new();
        for r in self.db.query(
            "SELECT a.service_code, MAX(a.service_name_kk) AS name_kk, MAX(a.service_name_ru) AS name_ru,
                    COALESCE(r.reason_code, '') AS ground, MAX(r.reason_kk) AS ground_kk,
                    MAX(r.reason_ru) AS ground_ru, COUNT(*) AS n
             FROM results r JOIN applications a ON a.id = r.application_id
             WHERE r.outcome = 'refusal' AND r.signed_at >= ?1 AND r.signed_at < ?2
               AND r.version = (SELECT MAX(v.version) FROM results v WHERE v.application_id = r.application_id)
             GROUP BY a.service_code, COALESCE(r.reason_code, '')
             UNION ALL
             SELECT service_code, MAX(service_name_kk) AS name_kk, MAX(service_name_ru) AS name_ru,
                    'refused_at_intake' AS ground, NULL AS ground_kk, NULL AS ground_ru, COUNT(*) AS n
             FROM applications WHERE status = 'refused_at_intake' AND registered_at >= ?1 AND registered_at < ?2
             GROUP BY service_code
             ORDER BY service_code, ground",
            args![from, end],
        )? {
            let service_code: String = r.get("service_code")?;
            let ground: String = r.get("ground")?;
            let ground_name = match (r.get::<Option<String>>("ground_kk")?, r.get::<Option<String>>("ground_ru")?) {
                (Some(kk), Some(ru)) => Bilingual::new(kk, ru),
                _ if ground == "refused_at_intake" => {
                    Bilingual::new("қабылдаудан бас тартылды (құжаттар толық емес)", "отказ в приёме (неполный пакет)")
                }
                _ => self
                    .refusal_grounds(&service_code)?
                    .into_iter()
                    .find(|g| g.code == ground)
                    .map_or_else(|| Bilingual::new(ground.clone(), ground.clone()), |g| g.name),
            };
            refusals.push(RefusalCount {
                service_code,
                service_name: Bilingual::new(r.get::<String>("name_kk")?, r.get::<String>("name_ru")?),
                ground,
                ground_name,
                count: r.get("n")?,
            });
        }

        let queue = waiting_by_year_and_category(&self.db)?
            .into_iter()
            .map(|(birth_year, category, waiting)| QueueCount { birth_year, category, waiting })
            .collect();

        let mut referrals = ReferralCounts::default();
        for r in self.db.query(
            "SELECT status, COUNT(*) AS n FROM referrals WHERE issued_at >= ?1 AND issued_at < ?2 GROUP BY status",
            args![from, end],
        )? {
            let n: i64 = r.get("n")?;
            let status: String = r.get("status")?;
            referrals.issued += n;
            match ReferralStatus::parse(&status) {
                Some(ReferralStatus::Presented | ReferralStatus::Enrolled) => referrals.used += n,
                Some(ReferralStatus::Expired) => referrals.expired += n,
                Some(ReferralStatus::Issued) => referrals.live += n,
                _ => referrals.other += n,
            }
        }
        let mut survey = Vec::new();
        for question in Question::ALL {
            // The column is one of two fixed names, never input.
            let column = question.code();
            for r in self.db.query(
                &format!(
                    "SELECT service_code, {column} AS rating, COUNT(*) AS n FROM survey_responses
                     WHERE recorded_at >= ?1 AND recorded_at < ?2 GROUP BY service_code, {column}
                     ORDER BY service_code, {column}"
                ),
                args![from, end],
            )? {
                let n: i64 = r.get("rating")?;
                survey.push(SurveyCount {
                    service_code: r.get("service_code")?,
                    question,
                    rating: Rating::from_number(n).ok_or_else(|| Error::Storage(format!("survey rating {n}")))?,
                    count: r.get("n")?,
                });
            }
        }
        survey.sort_by(|a, b| (&a.service_code, a.question, a.rating).cmp(&(&b.service_code, b.question, b.rating)));
        Ok(PeriodReport {
            from,
            to,
            applications,
            overdue: overdue.into_values().collect(),
            refusals,
            queue,
            referrals,
            survey,
        })
    }
}

impl Registry {
    /// Records a quality questionnaire given to an applicant at the counter.
    pub fn record_survey(&mut self, actor: &Actor, survey: &Survey, now: DateTime<FixedOffset>) -> Result<i64, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::RegisterApplication, "record_survey", &at)?;
        self.db.audited(&at, |tx| {
            let id: i64 = tx.value(
                "INSERT INTO survey_responses (service_code, medium, quality, information, recorded_at, recorded_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                args![
                    survey.service_code,
                    survey.medium.code(),
                    survey.quality.number(),
                    survey.information.number(),
                    at,
                    actor.user_id
                ],
            )?;
            let after = serde_json::to_string(survey).map_err(|e| Error::Storage(e.to_string()))?;
            Ok((
                id,
                crate::audit::Event::new("record_survey", "survey").by(actor.user_id, Some(role)).id(id).after(after),
            ))
        })
    }
}
