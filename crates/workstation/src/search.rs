//! Finding applications: the search and the journal on screen (by number,
//! IIN, name, status, service, executor, dates, overdue; with `worklist`,
//! what waits for this person), one application's record, and the office's
//! figures for the head's and executors' dashboard.

use kense_domain::access::Actor;
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
    station.with_registry(|reg| reg.search(actor, &query, clock::now()))
}

/// One application's record; opening it is audited as access to personal data.
pub fn application(station: &Workstation, actor: &Actor, id: i64) -> Result<ApplicationRecord, Error> {
    station.with_registry(|reg| reg.application(actor, id, clock::now()))
}

/// The head's and executors' figures of the office.
pub fn dashboard(station: &Workstation, actor: &Actor) -> Result<Dashboard, Error> {
    station.with_registry(|reg| reg.dashboard(actor, clock::now()))
}
