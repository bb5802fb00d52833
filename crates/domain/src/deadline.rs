//! Due moments of an application and of its current step, from the
//! catalog's norms on the [`WorkingCalendar`].
//!
//! The office path of a service is a list of steps, each done by a role
//! with a norm (seeds-digest §1.6). An application entering a status is due
//! at the norm of the step that status waits for; the whole application is
//! due after all the norms in turn.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;
use crate::catalog::{Channel, Service};
use crate::workflow::Status;

/// A time norm as the regulations state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    Minutes(u32),
    Hours(u32),
    WorkingDays(u32),
    CalendarDays(u32),
}

/// Who does a step of the office path, as far as deadlines care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepRole {
    Clerk,
    Head,
    Executor,
    /// Someone outside the office's workflow (applicant, State Corporation,
    /// akimat): their time counts towards the whole, not towards a status.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathStep {
    pub role: StepRole,
    pub norm: Option<Norm>,
}

/// The office's part of a service's path on a channel, as deadlines see it:
/// from the first step done in the office (the clerk's registration, or the
/// executor's on the portal) onwards, on the path of a granted result.
/// Time spent at the State Corporation before the package arrives is not
/// the office's. Where a channel has several paths (e.g. "data already in
/// the information system"), the one the office takes part in is used.
pub fn office_path(service: &Service, channel: Channel) -> Vec<PathStep> {
    use crate::catalog::{Branch, Role};
    let office_role = |r: Role| matches!(r, Role::Clerk | Role::Executor);
    let Some(path) = service.paths_for(channel).find(|p| p.steps.iter().any(|s| office_role(s.role))) else {
        return Vec::new();
    };
    let applies = |b: Branch| matches!(b, Branch::Always | Branch::Granted);
    path.steps
        .iter()
        .skip_while(|s| !office_role(s.role))
        .filter(|s| applies(s.when))
        .flat_map(|s| {
            let role = match s.role {
                Role::Clerk => StepRole::Clerk,
                Role::Head => StepRole::Head,
                Role::Executor | Role::Provider => StepRole::Executor,
                Role::Applicant | Role::ScEmployee | Role::ScAccumulation | Role::Akimat | Role::System => {
                    StepRole::Other
                }
            };
            let parts = s.parts.iter().filter(|p| applies(p.when)).map(move |p| PathStep { role, norm: Some(p.norm) });
            std::iter::once(PathStep { role, norm: s.norm }).chain(parts)
        })
        .collect()
}

/// `start` plus `norm`, counted on the calendar. Minute and hour norms run
/// in office working time.
pub fn after(calendar: &WorkingCalendar, start: NaiveDateTime, norm: Norm) -> NaiveDateTime {
    match norm {
        Norm::Minutes(m) => calendar.add_working_minutes(start, m),
        Norm::Hours(h) => calendar.add_working_minutes(start, h.saturating_mul(60)),
        Norm::WorkingDays(d) => calendar.add_working_days(start, d),
        Norm::CalendarDays(d) => calendar.add_calendar_days(start, d),
    }
}

/// The step an application in `status` waits for: the clerk's first step
/// (pass to the head), the head's first (name the executor), the
/// executor's, the head's next (sign), the clerk's next (hand over).
pub fn waiting_step(path: &[PathStep], status: Status) -> Option<&PathStep> {
    let nth = |role: StepRole, n: usize| path.iter().filter(|s| s.role == role).nth(n);
    let after_role = |role: StepRole, before: StepRole| {
        let first = path.iter().position(|s| s.role == before)?;
        path[first + 1..].iter().find(|s| s.role == role)
    };
    match status {
        Status::Accepted => nth(StepRole::Clerk, 0),
        Status::WithHead => nth(StepRole::Head, 0),
        Status::WithExecutor => nth(StepRole::Executor, 0),
        Status::ResultPrepared => after_role(StepRole::Head, StepRole::Executor),
        Status::Signed => {
            let sign = path.iter().rposition(|s| s.role == StepRole::Head)?;
            path[sign + 1..].iter().find(|s| s.role == StepRole::Clerk || s.role == StepRole::Executor)
        }
        Status::RefusedAtIntake | Status::Issued | Status::Withdrawn => None,
    }
}

/// When an application entering `status` at `now` must leave it.
pub fn step_due(
    calendar: &WorkingCalendar,
    path: &[PathStep],
    status: Status,
    now: NaiveDateTime,
) -> Option<NaiveDateTime> {
    let norm = waiting_step(path, status)?.norm?;
    Some(after(calendar, now, norm))
}

/// When the whole application is due: every norm of the path in turn.
pub fn whole_due(calendar: &WorkingCalendar, path: &[PathStep], registered: NaiveDateTime) -> Option<NaiveDateTime> {
    let norms: Vec<Norm> = path.iter().filter_map(|s| s.norm).collect();
    if norms.is_empty() {
        return None;
    }
    Some(norms.into_iter().fold(registered, |t, n| after(calendar, t, n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalog_gives_the_preschool_office_path() {
        let catalog = crate::catalog::Catalog::parse(include_str!("../../../assets/catalog/services.json")).unwrap();
        let pq = catalog.service("preschool_queue").unwrap();
        let path = office_path(pq, Channel::Office);
        let total: u32 = path
            .iter()
            .filter_map(|s| match s.norm {
                Some(Norm::Minutes(m)) => Some(m),
                _ => None,
            })
            .sum();
        assert_eq!(total, 30, "seed 000: 10 + 5 + 10 + 2 + 3 minutes");
        let g = catalog.service("guardianship_certificate").unwrap();
        let sc = office_path(g, Channel::StateCorporation);
        assert_eq!(sc.first().map(|s| s.role), Some(StepRole::Clerk), "starts when the package reaches the office");
        assert!(sc.iter().any(|s| s.norm == Some(Norm::WorkingDays(2))));
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::parse(include_str!("../../../assets/calendar/kz.json")).unwrap()
    }

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    /// Seed 000's office path of the preschool queue: 10 + 5 + 10 + 2 + 3 minutes.
    fn preschool() -> Vec<PathStep> {
        use StepRole::*;
        [(Clerk, 10), (Head, 5), (Executor, 10), (Head, 2), (Clerk, 3)]
            .into_iter()
            .map(|(role, m)| PathStep { role, norm: Some(Norm::Minutes(m)) })
            .collect()
    }

    #[test]
    fn each_status_waits_for_its_step() {
        let p = preschool();
        let norm = |s| waiting_step(&p, s).and_then(|s| s.norm);
        assert_eq!(norm(Status::Accepted), Some(Norm::Minutes(10)));
        assert_eq!(norm(Status::WithHead), Some(Norm::Minutes(5)));
        assert_eq!(norm(Status::WithExecutor), Some(Norm::Minutes(10)));
        assert_eq!(norm(Status::ResultPrepared), Some(Norm::Minutes(2)));
        assert_eq!(norm(Status::Signed), Some(Norm::Minutes(3)));
        assert_eq!(norm(Status::Issued), None);
    }

    #[test]
    fn whole_application_is_thirty_working_minutes() {
        let c = cal();
        assert_eq!(whole_due(&c, &preschool(), t("2025-03-05 10:00")), Some(t("2025-03-05 10:30")));
        // Registered at 17:50 on the Friday before the 8 March weekend.
        assert_eq!(whole_due(&c, &preschool(), t("2025-03-07 17:50")), Some(t("2025-03-11 09:20")));
    }

    #[test]
    fn a_working_day_norm_crosses_a_holiday() {
        use StepRole::*;
        let path = [
            PathStep { role: Clerk, norm: Some(Norm::Minutes(15)) },
            PathStep { role: Head, norm: Some(Norm::Hours(1)) },
            PathStep { role: Executor, norm: Some(Norm::WorkingDays(2)) },
        ];
        assert_eq!(step_due(&cal(), &path, Status::WithExecutor, t("2025-03-20 11:00")), Some(t("2025-03-27 18:00")));
    }
}
