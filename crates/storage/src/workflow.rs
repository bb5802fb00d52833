//! Taking workflow steps: one transaction that checks the actor against the
//! application's current facts, moves its status, records the step's data
//! (assignment, result version, signature, hand-over) and its history, and
//! appends the audit event.

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{authorize, Action, Actor, Role};
use kense_domain::catalog::{Channel, Service};
use kense_domain::workflow::{next, Command, Facts, Outcome, Status, Step};
use kense_domain::Error;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::applications::Due;
use crate::audit::{append, Entry};
use crate::{db_err, timestamp, Registry};

fn facts(conn: &rusqlite::Connection, id: i64) -> Result<Facts, Error> {
    let (status, registered_by, executor): (String, i64, Option<i64>) = conn
        .query_row("SELECT status, registered_by, executor_id FROM applications WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()
        .map_err(db_err)?
        .ok_or(Error::NotFound)?;
    let status = Status::parse(&status).ok_or_else(|| Error::Storage(format!("unknown status {status:?}")))?;
    Ok(Facts { status, registered_by, executor })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepTaken {
    pub id: i64,
    pub from: Status,
    pub to: Status,
}

impl Registry {
    /// Whether `actor` may take `step` on the application as it stands (a
    /// preview of what the step would produce asks first). Not audited: the
    /// step itself is, when taken.
    pub fn may_take_step(&self, actor: &Actor, application_id: i64, step: Step) -> Result<(), Error> {
        authorize(actor, Action::Workflow(step), Some(&facts(&self.conn, application_id)?)).map(|_| ())
    }

    /// The service an application was registered for, as the catalog
    /// version it was registered under describes it: a step is checked
    /// against the rules the application was accepted with.
    pub fn service_spec(&self, application_id: i64) -> Result<Service, Error> {
        let (version, code): (u32, String) = self
            .conn
            .query_row("SELECT catalog_version, service_code FROM applications WHERE id = ?1", [application_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(db_err)?
            .ok_or(Error::NotFound)?;
        self.installed_catalog(version)?.service(&code).cloned().ok_or(Error::UnknownService(code))
    }

    /// The service and channel an application was registered for.
    pub fn service_of(&self, application_id: i64) -> Result<(String, Channel), Error> {
        let (service, channel): (String, String) = self
            .conn
            .query_row("SELECT service_code, channel FROM applications WHERE id = ?1", [application_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(db_err)?
            .ok_or(Error::NotFound)?;
        let channel = Channel::parse(&channel).ok_or_else(|| Error::Storage(format!("unknown channel {channel:?}")))?;
        Ok((service, channel))
    }

    /// Takes one step of the workflow. `expected` is the status the person
    /// saw: if the application moved meanwhile (another workstation), the
    /// step is refused as stale rather than applied to something else.
    pub fn take_step(
        &mut self,
        actor: &Actor,
        application_id: i64,
        expected: Status,
        command: &Command,
        due: Due,
        now: DateTime<FixedOffset>,
    ) -> Result<StepTaken, Error> {
        let at = timestamp(now);
        let step = command.step();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let facts = facts(&tx, application_id)?;
        let decision = if facts.status != expected {
            Err(Error::InvalidState)
        } else {
            authorize(actor, Action::Workflow(step), Some(&facts))
        };
        let role = match decision {
            Ok(role) => role,
            Err(e) => {
                drop(tx);
                if matches!(e, Error::Forbidden | Error::FourEyes | Error::NotAssigned) {
                    self.audit_only(
                        &format!("denied:{}", step.code()),
                        Some(actor.user_id),
                        "application",
                        Some(application_id.to_string()),
                        &at,
                    )?;
                }
                return Err(e);
            }
        };
        let to = next(facts.status, step).ok_or(Error::InvalidState)?;

        let mut comment = String::new();
        let mut detail = serde_json::Map::new();
        match command {
            Command::SendToHead | Command::Sign => {}
            Command::AssignExecutor { executor_id } => {
                let roles: Option<(String, bool)> = tx
                    .query_row("SELECT roles, active FROM users WHERE id = ?1", [executor_id], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()
                    .map_err(db_err)?;
                match roles {
                    Some((roles, true)) if roles.split(',').any(|r| r == Role::Executor.code()) => {}
                    _ => return Err(Error::NotAnExecutor),
                }
                tx.execute(
                    "UPDATE applications SET executor_id = ?1 WHERE id = ?2",
                    params![executor_id, application_id],
                )
                .map_err(db_err)?;
                detail.insert("executor_id".into(), (*executor_id).into());
            }
            Command::PrepareResult { outcome } => {
                let (kind, form, reason, explanation) = match outcome {
                    Outcome::Positive { form } => ("positive", *form, None, ""),
                    Outcome::Refusal { reason_code, explanation } => {
                        ("refusal", 0, Some(reason_code.as_str()), explanation.as_str())
                    }
                };
                let version: i64 = tx
                    .query_row(
                        "SELECT COALESCE(MAX(version), 0) + 1 FROM results WHERE application_id = ?1",
                        [application_id],
                        |r| r.get(0),
                    )
                    .map_err(db_err)?;
                tx.execute(
                    "INSERT INTO results (application_id, version, outcome, form, reason_code, explanation, prepared_by, prepared_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![application_id, version, kind, form as i64, reason, explanation, actor.user_id, at],
                )
                .map_err(db_err)?;
                detail.insert("result".into(), serde_json::json!({"version": version, "outcome": outcome}));
            }
            Command::ReturnToExecutor { comment: c } => comment = c.clone(),
            Command::Withdraw { reason: c } => {
                comment = c.clone();
                Registry::withdraw_from_queue(&tx, &self.queue_rules, application_id, &at)?;
            }
            Command::Issue { handover, received_by } => {
                tx.execute(
                    "INSERT INTO issuances (application_id, handover, received_by, issued_at, issued_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![application_id, handover.code(), received_by, at, actor.user_id],
                )
                .map_err(db_err)?;
                detail.insert("handover".into(), handover.code().into());
                detail.insert("received_by".into(), received_by.clone().into());
            }
        }
        if let Command::Sign = command {
            let n = tx
                .execute(
                    "UPDATE results SET signed_by = ?1, signed_at = ?2
                     WHERE application_id = ?3 AND version = (SELECT MAX(version) FROM results WHERE application_id = ?3)
                       AND signed_by IS NULL",
                    params![actor.user_id, at, application_id],
                )
                .map_err(db_err)?;
            if n != 1 {
                return Err(Error::InvalidState);
            }
        }
        tx.execute(
            "UPDATE applications SET status = ?1, step_due_at = ?2 WHERE id = ?3",
            params![to.code(), due.step.map(timestamp), application_id],
        )
        .map_err(db_err)?;
        tx.execute(
            "INSERT INTO workflow_events (application_id, step, from_status, to_status, actor_id, actor_role, at, comment)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![application_id, step.code(), facts.status.code(), to.code(), actor.user_id, role.code(), at, comment],
        )
        .map_err(db_err)?;
        if !comment.is_empty() {
            detail.insert("comment".into(), comment.into());
        }
        append(
            &tx,
            Entry {
                at: &at,
                actor_id: Some(actor.user_id),
                actor_role: Some(role.code()),
                action: step.code(),
                entity: "application",
                entity_id: Some(application_id.to_string()),
                before: Some(serde_json::json!({"status": facts.status.code()}).to_string()),
                after: Some(serde_json::json!({"status": to.code(), "detail": detail}).to_string()),
                reason: None,
            },
        )?;
        tx.commit().map_err(db_err)?;
        Ok(StepTaken { id: application_id, from: facts.status, to })
    }
}
