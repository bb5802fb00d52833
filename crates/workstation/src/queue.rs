//! The queue desk: kindergartens, groups and declared places, the
//! birth-year queues and each number's history, priority confirmation,
//! distribution and referrals. Every call first lets the office clock act
//! ([`sweep`]), so that an expired referral or lapsed priority is never
//! shown or acted on as live.

use chrono::NaiveDate;
use kense_domain::access::Actor;
use kense_domain::queue::{Assignment, Category, Group, Kindergarten, Places, ReferralStatus, ReferralStep};
use kense_domain::Error;
use kense_storage::{
    KindergartenRecord, PositionChangeRecord, Proposal, QueueRow, QueueStatistics, ReferralRecord, Registry, YearCount,
};
use serde::Serialize;

use crate::{clock, Workstation};

/// Applies what time changed in the queue (expiries, the stop list, lapsed
/// evidence, the age limit) as the registry's own audited events.
pub fn sweep(station: &Workstation) -> Result<(), Error> {
    station.with_registry(|reg| reg.sweep_queue(clock::now()).map(|_| ()))
}

/// Runs `f` on the registry after the office clock's sweep, in one lock.
fn swept<T>(station: &Workstation, f: impl FnOnce(&mut Registry) -> Result<T, Error>) -> Result<T, Error> {
    station.with_registry(|reg| {
        reg.sweep_queue(clock::now())?;
        f(reg)
    })
}

/// What the registration form and the queue desk need of the rules.
#[derive(Serialize)]
pub struct QueueSettings {
    categories: Vec<Category>,
    max_preferences: usize,
    referral_valid_working_days: u32,
    stop_list_days: u32,
}

pub fn settings(station: &Workstation, _logged_in: &Actor) -> Result<QueueSettings, Error> {
    swept(station, |reg| {
        let r = reg.queue_rules()?;
        Ok(QueueSettings {
            categories: r.categories.clone(),
            max_preferences: r.max_preferences,
            referral_valid_working_days: r.referral_valid_working_days,
            stop_list_days: r.stop_list_days,
        })
    })
}

pub fn kindergartens(station: &Workstation, actor: &Actor) -> Result<Vec<KindergartenRecord>, Error> {
    swept(station, |reg| reg.kindergartens(actor, clock::now()))
}

pub fn add_kindergarten(station: &Workstation, actor: &Actor, k: &Kindergarten) -> Result<i64, Error> {
    swept(station, |reg| reg.add_kindergarten(actor, k, clock::now()))
}

pub fn add_group(station: &Workstation, actor: &Actor, g: &Group) -> Result<i64, Error> {
    swept(station, |reg| reg.add_group(actor, g, clock::now()))
}

pub fn declare_places(station: &Workstation, actor: &Actor, p: &Places) -> Result<i64, Error> {
    swept(station, |reg| reg.declare_places(actor, p, clock::now()))
}

/// The birth years with children queued, and how many wait in each.
pub fn years(station: &Workstation, actor: &Actor) -> Result<Vec<YearCount>, Error> {
    swept(station, |reg| reg.queue_years(actor, clock::now()))
}

/// At most this many rows reach the window at once; the desk pages.
const QUEUE_PAGE: u32 = 500;

/// One birth year's queue in order, at most [`QUEUE_PAGE`] rows.
pub fn list(station: &Workstation, actor: &Actor, birth_year: i32, limit: Option<u32>) -> Result<Vec<QueueRow>, Error> {
    swept(station, |reg| reg.queue(actor, birth_year, limit.unwrap_or(QUEUE_PAGE).min(QUEUE_PAGE), clock::now()))
}

#[derive(Serialize)]
pub struct EntryView {
    entry: Option<QueueRow>,
    history: Vec<PositionChangeRecord>,
}

/// One application's queue entry and the history of its number.
pub fn entry(station: &Workstation, actor: &Actor, application_id: i64) -> Result<EntryView, Error> {
    swept(station, |reg| {
        let now = clock::now();
        let entry = reg.queue_entry(actor, application_id, now)?;
        let history = if entry.is_some() { reg.position_history(actor, application_id, now)? } else { Vec::new() };
        Ok(EntryView { entry, history })
    })
}

/// The evidence of a claimed priority, seen by an executor or the head.
pub fn confirm_priority(
    station: &Workstation,
    actor: &Actor,
    application_id: i64,
    document: &str,
    issued_on: NaiveDate,
) -> Result<QueueRow, Error> {
    swept(station, |reg| reg.confirm_priority(actor, application_id, document, issued_on, clock::now()))
}

pub fn preview_distribution(station: &Workstation, actor: &Actor) -> Result<Vec<Proposal>, Error> {
    swept(station, |reg| reg.preview_distribution(actor, clock::now()))
}

/// Commits exactly the `assignments` the head saw in the preview, or nothing.
pub fn distribute(
    station: &Workstation,
    actor: &Actor,
    assignments: &[Assignment],
) -> Result<Vec<ReferralRecord>, Error> {
    swept(station, |reg| {
        let cal = station.calendar(reg)?;
        reg.distribute(actor, assignments, &cal, clock::now())
    })
}

/// How many referrals a list shows at most.
const REFERRALS_SHOWN: u32 = 500;

pub fn referrals(
    station: &Workstation,
    actor: &Actor,
    distribution_id: Option<i64>,
) -> Result<Vec<ReferralRecord>, Error> {
    swept(station, |reg| reg.referrals(actor, distribution_id, REFERRALS_SHOWN, clock::now()))
}

/// The kindergarten's check of a presented referral.
pub fn find_referral(station: &Workstation, actor: &Actor, number: &str, iin: &str) -> Result<ReferralRecord, Error> {
    swept(station, |reg| reg.find_referral(actor, number, iin, clock::now()))
}

/// A step of a referral the person saw in `expected_status`; a moved
/// referral is refused as stale.
pub fn referral_step(
    station: &Workstation,
    actor: &Actor,
    id: i64,
    expected_status: ReferralStatus,
    step: ReferralStep,
    reason: &str,
) -> Result<ReferralRecord, Error> {
    swept(station, |reg| reg.referral_step(actor, id, expected_status, step, reason, clock::now()))
}

pub fn statistics(station: &Workstation, actor: &Actor) -> Result<QueueStatistics, Error> {
    swept(station, |reg| reg.queue_statistics(actor, clock::now()))
}
