//! Finding applications: the search and the journal on screen (by number,
//! IIN, name, status, service, executor, dates, overdue; with `worklist`,
//! what waits for this person), one application's record, and the office's
//! figures for the head's and executors' dashboard.

use kense_domain::access::Actor;
use kense_domain::calendar::WorkingCalendar;
use kense_domain::Error;
use kense_storage::{ApplicationQuery, ApplicationRecord, ApplicationSummary, Dashboard};

use crate::{clock, Workstation};

/// How many rows a search gives when the window names no limit.
const DEFAULT_LIMIT: u32 = 100;

pub fn applications(
    station: &Workstation,
    actor: &Actor,
    mut query: ApplicationQuery,
) -> Result<Vec<ApplicationSummary>, Error> {
    if query.limit == 0 {
        query.limit = DEFAULT_LIMIT;
    }
    station.with_registry(|reg| {
        let mut rows = reg.search(actor, &query, clock::now())?;
        let calendar = station.calendar(reg)?;
        for row in &mut rows {
            row.provisional = provisional(&calendar, [&row.step_due_at, &row.due_at]);
        }
        Ok(rows)
    })
}

/// One application's record; opening it is audited as access to personal data.
pub fn application(station: &Workstation, actor: &Actor, id: i64) -> Result<ApplicationRecord, Error> {
    station.with_registry(|reg| {
        let mut record = reg.application(actor, id, clock::now())?;
        record.provisional = provisional(&station.calendar(reg)?, [&record.step_due_at, &record.due_at]);
        Ok(record)
    })
}

/// Whether any of the due moments falls in a year whose moving holidays
/// are not entered: it may still move when they are.
fn provisional(calendar: &WorkingCalendar, due: [&Option<String>; 2]) -> bool {
    due.into_iter()
        .flatten()
        .filter_map(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .any(|d| calendar.is_provisional(d.date_naive()))
}

/// The head's and executors' figures of the office.
pub fn dashboard(station: &Workstation, actor: &Actor) -> Result<Dashboard, Error> {
    station.with_registry(|reg| reg.dashboard(actor, clock::now()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kense_domain::calendar::CalendarData;

    /// The shipped calendar enters moving holidays up to 2026: a due moment
    /// in 2027 may still move, one in 2026 may not.
    #[test]
    fn a_due_moment_in_a_year_not_entered_is_provisional() {
        let calendar = WorkingCalendar::new(&CalendarData::parse(crate::CALENDAR_JSON).unwrap()).unwrap();
        let due = |s: &str| Some(s.to_owned());
        assert!(!provisional(&calendar, [&due("2026-12-30T18:00:00+05:00"), &None]));
        assert!(provisional(&calendar, [&due("2026-12-30T18:00:00+05:00"), &due("2027-01-12T18:00:00+05:00")]));
        assert!(provisional(&calendar, [&None, &due("2027-05-17T18:00:00+05:00")]));
        assert!(!provisional(&calendar, [&None, &None]));
        assert!(!provisional(&calendar, [&due("not a moment"), &None]), "an unreadable moment is not guessed at");
    }
}
