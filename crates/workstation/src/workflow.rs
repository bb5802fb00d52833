//! The regulated steps of an application: a step's data checked against the
//! application's service as its catalog version describes it, the due
//! moments of where the step leads, the refusal grounds a service offers and
//! the executors the head may name. Whether a step may be taken at all is
//! the registry's decision (roles, four eyes, the status the person saw).

use chrono::{DateTime, FixedOffset};
use kense_domain::access::Actor;
use kense_domain::reasons::Reason;
use kense_domain::workflow::{next, Command, Outcome, Status, Step};
use kense_domain::Error;
use kense_storage::{Due, Registry, StepTaken, UserSummary};

use crate::{clock, Workstation};

/// A step's data checked against the application's service as its catalog
/// version describes it: its refusal grounds and its result forms.
fn validated(station: &Workstation, reg: &Registry, id: i64, command: Command) -> Result<Command, Error> {
    let service = reg.service_spec(id)?;
    let grounds = reg.refusal_grounds(&service.code)?;
    let codes: Vec<&str> = grounds.iter().map(|r| r.code.as_str()).collect();
    let command = command.validate(&codes, &service.workflow_results())?;
    // What will be printed once signed must be printable now.
    let typesetter = station.typesetter()?;
    match &command {
        Command::PrepareResult { outcome: Outcome::Positive { form, fields } } => {
            let specs = service.workflow_results().get(*form).map(|r| r.fields.clone()).unwrap_or_default();
            for spec in specs {
                let value = fields.get(&spec.key).map(String::as_str).unwrap_or_default();
                if let Some(ch) = typesetter.undrawable(value) {
                    return Err(Error::Undrawable { label: spec.label, ch });
                }
            }
        }
        Command::PrepareResult { outcome: Outcome::Refusal { explanation, .. } } => {
            if let Some(ch) = typesetter.undrawable(explanation) {
                let label = kense_domain::Bilingual::new("Түсіндірме", "Пояснение");
                return Err(Error::Undrawable { label, ch });
            }
        }
        _ => {}
    }
    Ok(command)
}

/// An outcome the executor proposes, checked like the step that would send it.
pub fn validated_outcome(station: &Workstation, id: i64, outcome: Outcome) -> Result<Outcome, Error> {
    match station.with_registry(|reg| validated(station, reg, id, Command::PrepareResult { outcome }))? {
        Command::PrepareResult { outcome } => Ok(outcome),
        _ => Err(Error::MalformedRequest("outcome".into())),
    }
}

/// Takes a step on the application `id`, which the person saw in
/// `expected_status`; a moved application is refused as stale.
pub fn take_step(
    station: &Workstation,
    actor: &Actor,
    id: i64,
    expected_status: Status,
    command: Command,
) -> Result<StepTaken, Error> {
    let now = clock::now();
    station.with_registry(|reg| {
        let command = validated(station, reg, id, command)?;
        let due = due_after(station, reg, id, expected_status, command.step(), now)?;
        reg.take_step(actor, id, expected_status, &command, due, now)
    })
}

/// Deadlines for where `step` would lead from `from`; whether it may be
/// taken at all is the registry's decision, with the real reason.
pub(crate) fn due_after(
    station: &Workstation,
    reg: &Registry,
    id: i64,
    from: Status,
    step: Step,
    now: DateTime<FixedOffset>,
) -> Result<Due, Error> {
    // On the catalog version and path the application was registered
    // under, never the version in force now.
    match next(from, step) {
        Some(to) => station.due_on_entering(reg, &reg.route_of(id)?, to, now),
        None => Ok(Due::default()),
    }
}

/// The refusal grounds a service offers today (the catalog in force), for
/// a logged-in person.
pub fn refusal_reasons(station: &Workstation, _logged_in: &Actor, service_code: &str) -> Result<Vec<Reason>, Error> {
    station.with_registry(|reg| reg.refusal_grounds(service_code))
}

/// The executors the head may name.
pub fn executors(station: &Workstation, actor: &Actor) -> Result<Vec<UserSummary>, Error> {
    station.with_registry(|reg| reg.executors(actor, clock::now()))
}
