//! Taking workflow steps: one transaction that checks the actor against the
//! application's current facts, moves its status, records the step's data
//! (assignment, result version, signature, hand-over) and its history, and
//! appends the audit event.

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{authorize, Action, Actor, Role};
use kense_domain::application::NewApplication;
use kense_domain::catalog::{Channel, Service};
use kense_domain::workflow::{akimat_part, next, Command, Facts, Handover, Outcome, Status, Step};
use kense_domain::Error;
use serde::Serialize;

use crate::applications::{status_of, Due};
use crate::audit::Event;
use crate::signatures::CertificateSignature;
use crate::sql::{args, Db, Tx};
use crate::{timestamp, Registry};

fn facts(db: &Db, id: i64) -> Result<Facts, Error> {
    let r = db
        .query_opt(
            "SELECT a.status, a.registered_by, a.executor_id,
                    (SELECT r.prepared_by FROM results r WHERE r.application_id = a.id
                     ORDER BY r.version DESC LIMIT 1) AS prepared_by
             FROM applications a WHERE a.id = ?1",
            args![id],
        )?
        .ok_or(Error::NotFound)?;
    Ok(Facts {
        status: status_of(&r.get::<String>("status")?)?,
        registered_by: r.get("registered_by")?,
        executor: r.get("executor_id")?,
        prepared_by: r.get("prepared_by")?,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepTaken {
    pub id: i64,
    pub from: Status,
    pub to: Status,
}

/// See [`Registry::route_of`].
#[derive(Debug, Clone)]
pub struct Route {
    pub catalog: std::sync::Arc<kense_domain::catalog::Catalog>,
    pub service_code: String,
    pub channel: Channel,
    pub variant: Option<String>,
}

impl Route {
    /// The route of an application about to be registered under `catalog`.
    pub fn of_new(catalog: std::sync::Arc<kense_domain::catalog::Catalog>, app: &NewApplication) -> Route {
        Route { catalog, service_code: app.service_code.clone(), channel: app.channel, variant: app.variant.clone() }
    }
}

impl Registry {
    /// Whether `actor` may take `step` on the application as it stands (a
    /// preview of what the step would produce asks first). Not audited: the
    /// step itself is, when taken.
    pub fn may_take_step(&self, actor: &Actor, application_id: i64, step: Step) -> Result<(), Error> {
        authorize(actor, Action::Workflow(step), Some(&facts(&self.db, application_id)?)).map(|_| ())
    }

    /// The service an application was registered for, as the catalog
    /// version it was registered under describes it: a step is checked
    /// against the rules the application was accepted with.
    pub fn service_spec(&self, application_id: i64) -> Result<Service, Error> {
        let r = self
            .db
            .query_opt("SELECT catalog_version, service_code FROM applications WHERE id = ?1", args![application_id])?
            .ok_or(Error::NotFound)?;
        let (version, code): (u32, String) = (r.get("catalog_version")?, r.get("service_code")?);
        self.installed_catalog(version)?.service(&code).cloned().ok_or(Error::UnknownService(code))
    }

    /// The way an application was registered to go: its catalog version's
    /// service, its channel and its path's variant (what its due moments
    /// are counted on).
    pub fn route_of(&self, application_id: i64) -> Result<Route, Error> {
        let r = self
            .db
            .query_opt(
                "SELECT catalog_version, service_code, channel, path_variant FROM applications WHERE id = ?1",
                args![application_id],
            )?
            .ok_or(Error::NotFound)?;
        let channel: String = r.get("channel")?;
        Ok(Route {
            catalog: self.installed_catalog(r.get("catalog_version")?)?,
            service_code: r.get("service_code")?,
            channel: Channel::parse(&channel).ok_or_else(|| Error::Storage(format!("unknown channel {channel:?}")))?,
            variant: r.get("path_variant")?,
        })
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
        self.take_step_with(actor, application_id, expected, command, None, due, now)
    }

    /// The head's Sign step made with his certificate: the step, the
    /// signed PDF with what its certificate says, and the print record of
    /// the copy it is, in one transaction. `now` is the moment the paper
    /// states (taken before the signer's dialog). The certificate's IIN
    /// must be the one on the signing head's account.
    pub fn sign_result_with_certificate(
        &mut self,
        actor: &Actor,
        application_id: i64,
        expected: Status,
        certificate: &CertificateSignature<'_>,
        due: Due,
        now: DateTime<FixedOffset>,
    ) -> Result<StepTaken, Error> {
        self.take_step_with(actor, application_id, expected, &Command::Sign, Some(certificate), due, now)
    }

    #[allow(clippy::too_many_arguments)]
    fn take_step_with(
        &mut self,
        actor: &Actor,
        application_id: i64,
        expected: Status,
        command: &Command,
        certificate: Option<&CertificateSignature<'_>>,
        due: Due,
        now: DateTime<FixedOffset>,
    ) -> Result<StepTaken, Error> {
        let at = timestamp(now);
        let step = command.step();
        // The catalog version it was registered under says whether its act
        // is the akimat's (an installed version never changes).
        let service = self.service_spec(application_id)?;
        let akimat_decides = service.akimat_decides();
        // A refusal cites a ground of the catalog in force today.
        let grounds = match command {
            Command::PrepareResult { outcome: Outcome::Refusal { .. } } => self.refusal_grounds(&service.code)?,
            _ => Vec::new(),
        };
        let rules = &self.rules_in_force()?;
        let taken = self.db.audited(&at, |tx| {
            let facts = facts(tx, application_id)?;
            let role = if facts.status != expected {
                return Err(Error::InvalidState);
            } else {
                authorize(actor, Action::Workflow(step), Some(&facts))?
            };
            let to = next(facts.status, step).ok_or(Error::InvalidState)?;
            // What the akimat's part allows depends on the signed result.
            let (positive, recorded) = match akimat_decides {
                false => (false, false),
                true => tx
                    .query_opt(
                        "SELECT outcome, akimat_act_number FROM results WHERE application_id = ?1
                         ORDER BY version DESC LIMIT 1",
                        args![application_id],
                    )?
                    .map(|r| -> Result<(bool, bool), Error> {
                        let act: Option<String> = r.get("akimat_act_number")?;
                        Ok((r.get::<String>("outcome")? == "positive", act.is_some()))
                    })
                    .transpose()?
                    .unwrap_or((false, false)),
            };
            akimat_part(step, akimat_decides, positive, recorded)?;
            let (comment, mut detail) = record_step(tx, rules, &grounds, actor, application_id, command, &at)?;
            if let Some(c) = certificate {
                detail.extend(crate::signatures::record(tx, actor, application_id, c, &at)?);
            }
            tx.execute(
                "UPDATE applications SET status = ?1, step_due_at = ?2 WHERE id = ?3",
                args![to.code(), due.step.map(timestamp), application_id],
            )?;
            tx.execute(
                "INSERT INTO workflow_events (application_id, step, from_status, to_status, actor_id, actor_role, at,
                                              comment)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                args![
                    application_id,
                    step.code(),
                    facts.status.code(),
                    to.code(),
                    actor.user_id,
                    role.code(),
                    at,
                    comment
                ],
            )?;
            let event = Event::new(step.code(), "application")
                .by(actor.user_id, Some(role.code()))
                .id(application_id)
                .before(serde_json::json!({"status": facts.status.code()}).to_string())
                .after(serde_json::json!({"status": to.code(), "detail": detail}).to_string());
            Ok((StepTaken { id: application_id, from: facts.status, to }, event))
        });
        if let Err(Error::Forbidden | Error::FourEyes | Error::NotAssigned) = &taken {
            let event =
                Event::new(format!("denied:{}", step.code()), "application").by(actor.user_id, None).id(application_id);
            self.db.record(&at, event)?;
        }
        taken
    }
}

/// What a step records besides the status move: the assignment, the
/// result version, the signature, the hand-over. The comment for the
/// history and the details for the audit event come back.
#[allow(clippy::too_many_arguments)]
fn record_step(
    tx: &Tx<'_>,
    rules: &crate::queue::RulesOfVersion,
    grounds: &[kense_domain::reasons::Reason],
    actor: &Actor,
    application_id: i64,
    command: &Command,
    at: &str,
) -> Result<(String, serde_json::Map<String, serde_json::Value>), Error> {
    let mut comment = String::new();
    let mut detail = serde_json::Map::new();
    match command {
        Command::SendToHead => {}
        Command::Sign => {
            let n = tx.execute(
                "UPDATE results SET signed_by = ?1, signed_at = ?2
                 WHERE application_id = ?3 AND version = (SELECT MAX(version) FROM results WHERE application_id = ?3)
                   AND signed_by IS NULL",
                args![actor.user_id, at, application_id],
            )?;
            if n != 1 {
                return Err(Error::InvalidState);
            }
        }
        Command::AssignExecutor { executor_id } => {
            let executor = tx.query_opt("SELECT roles, active FROM users WHERE id = ?1", args![executor_id])?;
            let is_executor = match executor {
                Some(r) => {
                    r.get::<bool>("active")? && r.get::<String>("roles")?.split(',').any(|r| r == Role::Executor.code())
                }
                None => false,
            };
            if !is_executor {
                return Err(Error::NotAnExecutor);
            }
            tx.execute("UPDATE applications SET executor_id = ?1 WHERE id = ?2", args![executor_id, application_id])?;
            detail.insert("executor_id".into(), (*executor_id).into());
        }
        Command::PrepareResult { outcome } => {
            let (kind, form, reason, explanation, fields) = match outcome {
                Outcome::Positive { form, fields } => ("positive", *form, None, "", fields),
                Outcome::Refusal { reason_code, explanation } => {
                    ("refusal", 0, Some(reason_code.as_str()), explanation.as_str(), &Default::default())
                }
            };
            // NULL when the form states nothing, as every result before
            // migration 16 reads.
            let fields = (!fields.is_empty())
                .then(|| serde_json::to_string(fields))
                .transpose()
                .map_err(|e| Error::Storage(e.to_string()))?;
            // The ground's wording as it stands now goes with the decision:
            // the reasoned refusal cites it even after the list changes.
            let wording = match reason {
                Some(code) => {
                    let ground = grounds.iter().find(|r| r.code == code);
                    Some(ground.ok_or_else(|| Error::UnknownReason(code.to_owned()))?.name.clone())
                }
                None => None,
            };
            let version: i64 = tx.value(
                "SELECT COALESCE(MAX(version), 0) + 1 AS next FROM results WHERE application_id = ?1",
                args![application_id],
            )?;
            tx.execute(
                "INSERT INTO results (application_id, version, outcome, form, reason_code, explanation, prepared_by,
                                      prepared_at, reason_kk, reason_ru, fields)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                args![
                    application_id,
                    version,
                    kind,
                    form,
                    reason,
                    explanation,
                    actor.user_id,
                    at,
                    wording.as_ref().map(|w| w.kk.as_str()),
                    wording.as_ref().map(|w| w.ru.as_str()),
                    fields
                ],
            )?;
            detail.insert("result".into(), serde_json::json!({"version": version, "outcome": outcome}));
        }
        Command::ReturnToExecutor { comment: c } => comment = c.clone(),
        // The moment it went is the step's own.
        Command::SendToAkimat => {}
        Command::RecordAkimatAct { number, date } => {
            let n = tx.execute(
                "UPDATE results SET akimat_act_number = ?1, akimat_act_date = ?2
                 WHERE application_id = ?3 AND version = (SELECT MAX(version) FROM results WHERE application_id = ?3)
                   AND signed_by IS NOT NULL AND akimat_act_number IS NULL",
                args![number, date, application_id],
            )?;
            if n != 1 {
                return Err(Error::InvalidState);
            }
            // As people read dates: the stored form is ISO.
            let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_or(date.clone(), |d| d.format("%d.%m.%Y").to_string());
            comment = format!("№ {number}, {day}");
            detail.insert("akimat_act".into(), serde_json::json!({"number": number, "date": date}));
        }
        Command::Withdraw { reason: c } => {
            comment = c.clone();
            crate::queue::withdraw(tx, rules, application_id, at)?;
        }
        Command::Issue { handover, received_by } => {
            let channel: String = tx.value("SELECT channel FROM applications WHERE id = ?1", args![application_id])?;
            let channel =
                Channel::parse(&channel).ok_or_else(|| Error::Storage(format!("unknown channel {channel:?}")))?;
            if Handover::of_channel(channel) != *handover {
                return Err(Error::HandoverChannel { channel });
            }
            tx.execute(
                "INSERT INTO issuances (application_id, handover, received_by, issued_at, issued_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                args![application_id, handover.code(), received_by, at, actor.user_id],
            )?;
            detail.insert("handover".into(), handover.code().into());
            detail.insert("received_by".into(), received_by.clone().into());
        }
    }
    if !comment.is_empty() {
        detail.insert("comment".into(), comment.clone().into());
    }
    Ok((comment, detail))
}
