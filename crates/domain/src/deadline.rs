//! Due moments of an application and of its current step, from the
//! catalog's norms on the [`WorkingCalendar`].
//!
//! The office path of a service is a list of steps, each done by a role
//! with a norm (seeds-digest §1.6). An application entering a status is due
//! after the norms of the *stage* that status waits for, taken in turn; the
//! whole application is due after all the norms in turn.
//!
//! Stages are cut at the head's steps, because the head's acts (naming the
//! executor, signing) are what move an application between statuses:
//! - accepted: everything before the head's first step (the clerk's, or on
//!   the portal the executor's, registration);
//! - with the head: the head's first step;
//! - with the executor: everything between the head's first and next step —
//!   a step split into parts (inspection act, then draft) counts each part,
//!   and the applicant's or another body's time inside the stage counts too
//!   (the foster family's 10 + 5 + 5 + 8 calendar days);
//! - result prepared: the head's next step (signing);
//! - signed: everything after the head's last step up to the office's
//!   hand-over, the akimat's time included.
//!
//! A *counter service* — a path whose every norm is in minutes or hours, as
//! the preschool queue's 30 minutes — is measured at the counter, with the
//! applicant in front of the clerk: its norms are the counter's, not the
//! application's. Its application (and each of its stages) is due at the
//! close of the working day in which the norms run out: not "overdue"
//! thirty minutes after registration, as staff rightly complained, yet
//! never allowed to wait unnoticed into the next day.

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
    /// The akimat adopting its act (service 2): the stage the application
    /// waits at the akimat.
    Akimat,
    /// Someone outside the office's workflow (applicant, State
    /// Corporation): their time counts towards the whole, not towards a
    /// status.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStep {
    pub role: StepRole,
    /// The step's norm, or the norms of its parts in turn; empty where the
    /// regulation gives none.
    pub norms: Vec<Norm>,
}

/// The office's part of a service's path on a channel, as deadlines see it:
/// from the first step done in the office (the clerk's registration, or the
/// executor's on the portal) onwards, on the path of a granted result.
/// Time spent at the State Corporation before the package arrives is not
/// the office's. Where a channel has several paths, `variant` names the
/// application's (service 15: the office's own student or another
/// organisation's); without one, or with one the channel does not have, the
/// first path the office takes part in is used.
pub fn office_path(service: &Service, channel: Channel, variant: Option<&str>) -> Vec<PathStep> {
    use crate::catalog::{Branch, Role};
    let office_role = |r: Role| matches!(r, Role::Clerk | Role::Executor);
    let chosen = variant.and_then(|v| service.office_paths(channel).find(|p| p.variant.as_deref() == Some(v)));
    let Some(path) = chosen.or_else(|| service.office_paths(channel).next()) else {
        return Vec::new();
    };
    let applies = |b: Branch| matches!(b, Branch::Always | Branch::Granted);
    path.steps
        .iter()
        .skip_while(|s| !office_role(s.role))
        .filter(|s| applies(s.when))
        .map(|s| {
            let role = match s.role {
                Role::Clerk => StepRole::Clerk,
                Role::Head => StepRole::Head,
                Role::Executor | Role::Provider => StepRole::Executor,
                Role::Akimat => StepRole::Akimat,
                Role::Applicant | Role::ScEmployee | Role::ScAccumulation | Role::System => StepRole::Other,
            };
            let parts = s.parts.iter().filter(|p| applies(p.when)).map(|p| p.norm);
            PathStep { role, norms: s.norm.into_iter().chain(parts).collect() }
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

/// Whether the path is measured at the counter: every norm it has is in
/// minutes or hours (see the module's docs).
pub fn is_counter_service(path: &[PathStep]) -> bool {
    let mut norms = path.iter().flat_map(|s| &s.norms).peekable();
    norms.peek().is_some() && norms.all(|n| matches!(n, Norm::Minutes(_) | Norm::Hours(_)))
}

/// The steps of the stage an application in `status` waits for (see the
/// module's docs); empty when the status waits for nothing.
pub fn waiting_stage(path: &[PathStep], status: Status) -> &[PathStep] {
    let heads: Vec<usize> = path.iter().enumerate().filter(|(_, s)| s.role == StepRole::Head).map(|(i, _)| i).collect();
    let (first, next, last) = match (heads.first(), heads.get(1), heads.last()) {
        (Some(&f), n, Some(&l)) => (f, n.copied(), l),
        _ => return &[],
    };
    match status {
        Status::Accepted => &path[..first],
        Status::WithHead => &path[first..=first],
        Status::WithExecutor => match next {
            Some(n) => &path[first + 1..n],
            None => &[],
        },
        Status::ResultPrepared => match next {
            Some(n) => &path[n..=n],
            None => &[],
        },
        // Where the akimat adopts the act, the office's hand-over is timed
        // from the akimat's act (or, before it is sent, the sending is):
        // the akimat's own days are the stage of `AtAkimat`.
        Status::Signed => {
            let after = path.iter().rposition(|s| s.role == StepRole::Akimat).map_or(last, |a| a.max(last));
            let rest = &path[after + 1..];
            match rest.iter().position(|s| matches!(s.role, StepRole::Clerk | StepRole::Executor)) {
                Some(handover) => &rest[..=handover],
                None => &[],
            }
        }
        Status::AtAkimat => match path.iter().rposition(|s| s.role == StepRole::Akimat) {
            Some(a) if a > last => &path[last + 1..=a],
            _ => &[],
        },
        Status::RefusedAtIntake | Status::Issued | Status::Withdrawn => &[],
    }
}

/// `start` plus every norm of `steps` in turn; `None` when they have none.
fn after_all(calendar: &WorkingCalendar, steps: &[PathStep], start: NaiveDateTime) -> Option<NaiveDateTime> {
    let mut norms = steps.iter().flat_map(|s| &s.norms).peekable();
    norms.peek()?;
    Some(norms.fold(start, |t, n| after(calendar, t, *n)))
}

/// A counter service's due moment: the close of the working day in which
/// `due` falls (see the module's docs); anyone else's `due` as it is.
fn on_path(calendar: &WorkingCalendar, path: &[PathStep], due: NaiveDateTime) -> NaiveDateTime {
    if is_counter_service(path) {
        calendar.close_of(due.date()).max(due)
    } else {
        due
    }
}

/// When an application entering `status` at `now` must leave it.
pub fn step_due(
    calendar: &WorkingCalendar,
    path: &[PathStep],
    status: Status,
    now: NaiveDateTime,
) -> Option<NaiveDateTime> {
    after_all(calendar, waiting_stage(path, status), now).map(|due| on_path(calendar, path, due))
}

/// When the whole application is due: every norm of the path in turn.
pub fn whole_due(calendar: &WorkingCalendar, path: &[PathStep], registered: NaiveDateTime) -> Option<NaiveDateTime> {
    after_all(calendar, path, registered).map(|due| on_path(calendar, path, due))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn catalog() -> Catalog {
        Catalog::parse(include_str!("../../../assets/catalog/services.json")).unwrap()
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::parse(include_str!("../../../assets/calendar/kz.json")).unwrap()
    }

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn path(service: &str, channel: Channel, variant: Option<&str>) -> Vec<PathStep> {
        office_path(catalog().service(service).unwrap(), channel, variant)
    }

    fn stage_norms(p: &[PathStep], status: Status) -> Vec<Norm> {
        waiting_stage(p, status).iter().flat_map(|s| s.norms.clone()).collect()
    }

    #[test]
    fn shipped_catalog_gives_the_preschool_office_path() {
        let pq = path("preschool_queue", Channel::Office, None);
        let total: u32 = pq
            .iter()
            .flat_map(|s| &s.norms)
            .map(|n| match n {
                Norm::Minutes(m) => *m,
                _ => 0,
            })
            .sum();
        assert_eq!(total, 30, "seed 000: 10 + 5 + 10 + 2 + 3 minutes");
        let sc = path("guardianship_certificate", Channel::StateCorporation, None);
        assert_eq!(sc.first().map(|s| s.role), Some(StepRole::Clerk), "starts when the package reaches the office");
        assert!(sc.iter().any(|s| s.norms == [Norm::WorkingDays(2)]));
    }

    #[test]
    fn each_status_waits_for_its_stage() {
        let p = path("guardian_allowance", Channel::StateCorporation, None);
        assert_eq!(stage_norms(&p, Status::Accepted), [Norm::Minutes(15)]);
        assert_eq!(stage_norms(&p, Status::WithHead), [Norm::Hours(1)]);
        assert_eq!(stage_norms(&p, Status::WithExecutor), [Norm::WorkingDays(8)]);
        assert_eq!(stage_norms(&p, Status::ResultPrepared), [Norm::Hours(1)]);
        assert_eq!(
            stage_norms(&p, Status::Signed),
            [Norm::Hours(1)],
            "the hand-over, not the State Corporation's step"
        );
        assert!(stage_norms(&p, Status::Issued).is_empty());
        let portal = path("guardian_allowance", Channel::Portal, None);
        assert_eq!(stage_norms(&portal, Status::Accepted), [Norm::Minutes(15)], "the executor registers on the portal");
    }

    /// Services 2, 6 and 8 split the executor's stage into parts
    /// (inspection act, then draft); each part counts.
    #[test]
    fn a_split_stage_is_due_after_its_parts() {
        let c = cal();
        let guardianship = path("establish_guardianship", Channel::StateCorporation, None);
        assert_eq!(stage_norms(&guardianship, Status::WithExecutor), [Norm::CalendarDays(10), Norm::CalendarDays(5)]);
        let start = t("2025-03-03 10:00");
        assert_eq!(step_due(&c, &guardianship, Status::WithExecutor, start), Some(t("2025-03-18 18:00")));
        // The akimat's resolution comes between the head's signature and
        // the hand-over: a stage of its own, and the hand-over after it.
        assert_eq!(stage_norms(&guardianship, Status::AtAkimat), [Norm::CalendarDays(12)]);
        assert_eq!(stage_norms(&guardianship, Status::Signed), [Norm::Hours(1)]);
        assert!(stage_norms(&path("guardian_allowance", Channel::StateCorporation, None), Status::AtAkimat).is_empty());
        let patronage = path("patronage_placement", Channel::Office, None);
        assert_eq!(
            stage_norms(&patronage, Status::WithExecutor),
            [Norm::CalendarDays(10), Norm::CalendarDays(18)],
            "the granted path: the contract's draft, not the refusal's"
        );
        let adopter = path("adopter_registration", Channel::Portal, None);
        assert_eq!(stage_norms(&adopter, Status::WithExecutor), [Norm::CalendarDays(10), Norm::CalendarDays(3)]);
    }

    #[test]
    fn the_foster_family_stage_is_twenty_eight_days() {
        let p = path("foster_family", Channel::Office, None);
        let norms = stage_norms(&p, Status::WithExecutor);
        assert_eq!(norms.iter().map(|n| if let Norm::CalendarDays(d) = n { *d } else { 0 }).sum::<u32>(), 28);
        // Each part ends at a day's close, moved to the next working day where
        // it falls on a day off (the applicant's five days end on Sunday
        // 23 March, in the Nauryz holidays, so the last part starts on the 26th).
        assert_eq!(step_due(&cal(), &p, Status::WithExecutor, t("2025-03-03 10:00")), Some(t("2025-04-03 18:00")));
    }

    #[test]
    fn service_fifteen_follows_the_application_s_variant() {
        let own = path("health_insurance_update", Channel::Office, Some("own_student"));
        let other = path("health_insurance_update", Channel::Office, Some("other_organisation"));
        assert_eq!(stage_norms(&own, Status::WithExecutor), [Norm::WorkingDays(1)]);
        assert_eq!(stage_norms(&other, Status::WithExecutor), [Norm::WorkingDays(4)]);
        let unknown = path("health_insurance_update", Channel::Office, Some("no_such"));
        assert_eq!(unknown, own, "an unknown variant falls back to the first path");
    }

    /// The preschool queue's 30 minutes are the counter's: an application
    /// registered in the morning is due at the day's close, not at 10:30.
    #[test]
    fn a_counter_service_is_due_at_the_close_of_its_day() {
        let c = cal();
        let pq = path("preschool_queue", Channel::Office, None);
        assert!(is_counter_service(&pq));
        assert_eq!(whole_due(&c, &pq, t("2025-03-05 10:00")), Some(t("2025-03-05 18:00")));
        assert_eq!(step_due(&c, &pq, Status::WithHead, t("2025-03-05 10:00")), Some(t("2025-03-05 18:00")));
        // Registered at 17:50 on the Friday before the 8 March weekend: the
        // norms run out on Tuesday morning, so Tuesday's close.
        assert_eq!(whole_due(&c, &pq, t("2025-03-07 17:50")), Some(t("2025-03-11 18:00")));
        assert_eq!(step_due(&c, &pq, Status::Issued, t("2025-03-05 10:00")), None);
        assert!(!is_counter_service(&path("guardian_allowance", Channel::Office, None)));
    }

    #[test]
    fn minute_norms_run_in_working_time_within_a_day_service() {
        let c = cal();
        let p = path("health_insurance_update", Channel::Office, Some("own_student"));
        // 20 min clerk + 30 min head + 1 wd executor + 30 min head + 20 min clerk,
        // registered at 17:50 on the Friday before the 8 March weekend.
        assert_eq!(step_due(&c, &p, Status::Accepted, t("2025-03-07 17:50")), Some(t("2025-03-11 09:10")));
        assert!(whole_due(&c, &p, t("2025-03-05 10:00")).is_some());
    }

    #[test]
    fn a_working_day_norm_crosses_a_holiday() {
        use StepRole::*;
        let path = [
            PathStep { role: Clerk, norms: vec![Norm::Minutes(15)] },
            PathStep { role: Head, norms: vec![Norm::Hours(1)] },
            PathStep { role: Executor, norms: vec![Norm::WorkingDays(2)] },
            PathStep { role: Head, norms: vec![Norm::Hours(1)] },
        ];
        assert_eq!(step_due(&cal(), &path, Status::WithExecutor, t("2025-03-20 11:00")), Some(t("2025-03-27 18:00")));
    }
}
