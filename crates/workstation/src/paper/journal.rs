//! The registration journal of a period and the daily register (a period of
//! one day) as a landscape PDF with totals per status.

use chrono::{Datelike, NaiveDate};
use kense_documents::{Journal, JournalRow};
use kense_domain::access::{Actor, Role};
use kense_domain::workflow::{outcome_name, Status};
use kense_domain::Error;

use super::{file, requisites, signer, text, Printed};
use crate::{clock, Workstation};

/// A year of rows is the most a journal prints at once; longer periods are
/// printed year by year.
const MAX_DAYS: i64 = 366;

pub fn print(station: &Workstation, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<Printed, Error> {
    if to < from || (to - from).num_days() >= MAX_DAYS {
        return Err(Error::OutOfRange { field: kense_domain::Field::Period, min: 1, max: MAX_DAYS });
    }
    let now = clock::now();
    let (lines, office) = station.with_registry(|reg| Ok((reg.journal(actor, from, to, now)?, reg.office()?)))?;
    let totals = Status::ALL
        .iter()
        .map(|s| (text(&s.name()), lines.iter().filter(|l| l.status == *s).count() as u32))
        .filter(|(_, n)| *n > 0)
        .collect();
    let rows = lines
        .iter()
        .map(|l| JournalRow {
            number: l.number.clone(),
            registered_at: l.registered_at.naive_local(),
            applicant_name: l.applicant_name.clone(),
            applicant_iin: l.applicant_iin.clone(),
            service: text(&l.service_name),
            channel: text(&l.channel.name()),
            status: text(&l.status.name()),
            outcome: outcome_name(l.status, l.outcome.as_deref()).map(|o| text(&o)),
            executor: l.executor.clone(),
            due: l.due_at.map(|d| d.date_naive()),
            closed_on: l.closed_at.map(|d| d.date_naive()),
        })
        .collect();
    let doc = Journal {
        office: requisites(&office),
        from,
        to,
        generated_at: now.naive_local(),
        rows,
        totals,
        signer: signer(&actor.full_name, actor.has(Role::Head)),
    };
    let bytes = station.typesetter()?.journal(&doc).map_err(|e| Error::Document(e.to_string()))?;
    let name = if from == to { format!("register-{from}") } else { format!("journal-{from}-{to}") };
    // Not recorded as a print: the journal lists what the registry holds
    // and vouches for nothing of its own.
    let (path, sha256) = file(station, from.year(), &name, &now.format("%Y%m%d-%H%M%S").to_string(), &bytes)?;
    Ok(Printed {
        path: path.display().to_string(),
        kind: "journal",
        copy: 1,
        sha256,
        verification: String::new(),
        opened: false,
        printer: None,
    })
}

/// The period the window asked for, from ISO dates; an empty one is the
/// office's today (the office clock, not the workstation's).
pub fn period(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), Error> {
    let today = clock::now().date_naive();
    let day = |s: &str| match s.trim() {
        "" => Ok(today),
        s => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| Error::DateFormat(kense_domain::Field::Period)),
    };
    Ok((day(from)?, day(to)?))
}
