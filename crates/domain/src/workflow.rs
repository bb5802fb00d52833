//! The regulated workflow of an application (seeds-digest §1.6): the clerk
//! registers and passes it to the head, the head names an executor, the
//! executor prepares the result or a reasoned refusal, the head signs it or
//! returns it, the clerk hands it over. The applicant may withdraw at any
//! point before the result is handed over.
//!
//! [`next`] is the state machine; [`crate::access::authorize`] decides who
//! may take a step. Both match exhaustively, so a new state or step does not
//! compile until every rule about it is written.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered with a complete package; waiting to go to the head.
    Accepted,
    /// Incomplete package: registered and refused at intake (Law on public
    /// services art. 20 p. 2). Final.
    RefusedAtIntake,
    WithHead,
    WithExecutor,
    /// A positive result or a reasoned refusal waits for the head's signature.
    ResultPrepared,
    Signed,
    /// Handed to the applicant or sent to the State Corporation. Final.
    Issued,
    /// Withdrawn by the applicant. Final.
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Accepted,
        Status::RefusedAtIntake,
        Status::WithHead,
        Status::WithExecutor,
        Status::ResultPrepared,
        Status::Signed,
        Status::Issued,
        Status::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Accepted => "accepted",
            Status::RefusedAtIntake => "refused_at_intake",
            Status::WithHead => "with_head",
            Status::WithExecutor => "with_executor",
            Status::ResultPrepared => "result_prepared",
            Status::Signed => "signed",
            Status::Issued => "issued",
            Status::Withdrawn => "withdrawn",
        }
    }

    /// The status as printed in journals (the window has the same words in
    /// its dictionaries).
    pub fn name(self) -> crate::Bilingual {
        let (kk, ru) = match self {
            Status::Accepted => ("қабылданды", "принято"),
            Status::RefusedAtIntake => ("қабылдаудан бас тартылды", "отказано в приёме"),
            Status::WithHead => ("басшыда", "у руководителя"),
            Status::WithExecutor => ("орындаушыда", "у исполнителя"),
            Status::ResultPrepared => ("нәтиже қол қоюды күтуде", "результат ждёт подписи"),
            Status::Signed => ("қол қойылды", "подписано"),
            Status::Issued => ("берілді", "выдано"),
            Status::Withdrawn => ("кері қайтарылды", "отозвано"),
        };
        crate::Bilingual::new(kk, ru)
    }

    pub fn parse(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn is_final(self) -> bool {
        matches!(self, Status::RefusedAtIntake | Status::Issued | Status::Withdrawn)
    }
}

/// A step of the workflow, without its data (who, which reason…): what the
/// state machine and the role matrix need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    SendToHead,
    AssignExecutor,
    PrepareResult,
    Sign,
    ReturnToExecutor,
    Issue,
    Withdraw,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::SendToHead,
        Step::AssignExecutor,
        Step::PrepareResult,
        Step::Sign,
        Step::ReturnToExecutor,
        Step::Issue,
        Step::Withdraw,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::SendToHead => "send_to_head",
            Step::AssignExecutor => "assign_executor",
            Step::PrepareResult => "prepare_result",
            Step::Sign => "sign",
            Step::ReturnToExecutor => "return_to_executor",
            Step::Issue => "issue",
            Step::Withdraw => "withdraw",
        }
    }
}

/// Where `step` leads from `status`, or `None` when it does not apply there.
pub fn next(status: Status, step: Step) -> Option<Status> {
    use Status as S;
    match (status, step) {
        (S::Accepted, Step::SendToHead) => Some(S::WithHead),
        // The head may also move an application to another executor.
        (S::WithHead | S::WithExecutor, Step::AssignExecutor) => Some(S::WithExecutor),
        (S::WithExecutor, Step::PrepareResult) => Some(S::ResultPrepared),
        (S::ResultPrepared, Step::Sign) => Some(S::Signed),
        (S::ResultPrepared, Step::ReturnToExecutor) => Some(S::WithExecutor),
        (S::Signed, Step::Issue) => Some(S::Issued),
        (S::Accepted | S::WithHead | S::WithExecutor | S::ResultPrepared | S::Signed, Step::Withdraw) => {
            Some(S::Withdrawn)
        }
        (
            S::Accepted
            | S::RefusedAtIntake
            | S::WithHead
            | S::WithExecutor
            | S::ResultPrepared
            | S::Signed
            | S::Issued
            | S::Withdrawn,
            _,
        ) => None,
    }
}

/// What a prepared result says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// `form` is the index of the result among the service's
    /// [`crate::catalog::Service::workflow_results`]: several services issue
    /// one of several certificates, contracts or notifications.
    Positive {
        #[serde(default)]
        form: usize,
        /// The facts the form declares, by key (see [`crate::result_fields`]).
        #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        fields: crate::result_fields::FieldValues,
    },
    /// A reasoned refusal: a reason from the service's controlled list plus
    /// an optional explanation in the executor's words.
    Refusal { reason_code: String, explanation: String },
}

impl Outcome {
    /// A positive result of form `form` stating no fields.
    pub fn positive(form: usize) -> Outcome {
        Outcome::Positive { form, fields: Default::default() }
    }
}

/// What came of an application, as a journal's column reads it: its status
/// and the outcome of its latest signed result (`positive`, `refusal`).
/// `None` while it is open.
pub fn outcome_name(status: Status, outcome: Option<&str>) -> Option<crate::lang::Bilingual> {
    use crate::lang::Bilingual;
    match (status, outcome) {
        (Status::RefusedAtIntake, _) => Some(Bilingual::new("қабылдаудан бас тартылды", "отказ в приёме")),
        (_, Some("positive")) => Some(Bilingual::new("оң нәтиже", "положительный результат")),
        (_, Some("refusal")) => Some(Bilingual::new("дәлелді бас тарту", "мотивированный отказ")),
        (Status::Withdrawn, _) => Some(Bilingual::new("кері қайтарылды", "отозвано")),
        _ => None,
    }
}

/// What the authorization of a step needs to know about the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub status: Status,
    pub registered_by: i64,
    pub executor: Option<i64>,
    /// Who prepared the result now awaiting signature, if one is prepared.
    pub prepared_by: Option<i64>,
}

/// Where a result went when it was handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handover {
    /// To the applicant (or the representative) at the office.
    InPerson,
    /// Sent to the State Corporation, which hands it over.
    StateCorporation,
}

impl Handover {
    pub fn code(self) -> &'static str {
        match self {
            Handover::InPerson => "in_person",
            Handover::StateCorporation => "state_corporation",
        }
    }
}

/// A step with its data, as a person asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    SendToHead,
    AssignExecutor { executor_id: i64 },
    PrepareResult { outcome: Outcome },
    Sign,
    ReturnToExecutor { comment: String },
    Issue { handover: Handover, received_by: String },
    Withdraw { reason: String },
}

pub const MAX_COMMENT: usize = 1000;

impl Command {
    pub fn step(&self) -> Step {
        match self {
            Command::SendToHead => Step::SendToHead,
            Command::AssignExecutor { .. } => Step::AssignExecutor,
            Command::PrepareResult { .. } => Step::PrepareResult,
            Command::Sign => Step::Sign,
            Command::ReturnToExecutor { .. } => Step::ReturnToExecutor,
            Command::Issue { .. } => Step::Issue,
            Command::Withdraw { .. } => Step::Withdraw,
        }
    }

    /// Checks the data a step carries; `reasons` are the service's
    /// controlled refusal reasons and `forms` how many positive results it
    /// has. Free text is normalised.
    /// Checks the step's data against the service: its refusal grounds
    /// (`reasons`) and its result forms (`forms`, with the fields each
    /// states).
    pub fn validate(self, reasons: &[&str], forms: &[&crate::catalog::ResultSpec]) -> Result<Command, crate::Error> {
        use crate::application::{optional_text, required_text};
        use crate::error::{Error, Field};
        Ok(match self {
            Command::PrepareResult { outcome: Outcome::Refusal { reason_code, explanation } } => {
                if !reasons.contains(&reason_code.as_str()) {
                    return Err(Error::UnknownReason(reason_code));
                }
                let explanation = optional_text(Field::Comment, &explanation, MAX_COMMENT)?;
                Command::PrepareResult { outcome: Outcome::Refusal { reason_code, explanation } }
            }
            Command::ReturnToExecutor { comment } => {
                Command::ReturnToExecutor { comment: required_text(Field::Comment, &comment, MAX_COMMENT)? }
            }
            Command::Withdraw { reason } => {
                Command::Withdraw { reason: required_text(Field::Comment, &reason, MAX_COMMENT)? }
            }
            Command::Issue { handover, received_by } => {
                let received_by = match handover {
                    Handover::InPerson => required_text(Field::ReceivedBy, &received_by, 200)?,
                    Handover::StateCorporation => optional_text(Field::ReceivedBy, &received_by, 200)?,
                };
                Command::Issue { handover, received_by }
            }
            Command::PrepareResult { outcome: Outcome::Positive { form, fields } } => {
                let spec = forms.get(form).ok_or(Error::UnknownResultForm)?;
                let fields = crate::result_fields::check_values(&spec.fields, &fields)?;
                Command::PrepareResult { outcome: Outcome::Positive { form, fields } }
            }
            other @ (Command::SendToHead | Command::AssignExecutor { .. } | Command::Sign) => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_positive_result_names_one_of_the_services_forms() {
        let catalog = crate::catalog::Catalog::parse(include_str!("../../../assets/catalog/services.json")).unwrap();
        let three = catalog.service("minors_property_certificate").unwrap().workflow_results();
        let positive = |form| Command::PrepareResult { outcome: Outcome::positive(form) };
        let property = |form: usize| Command::PrepareResult {
            outcome: Outcome::Positive {
                form,
                fields: [("property".to_owned(), "Пәтер, Шиелі к., 5-үй".to_owned())].into(),
            },
        };
        assert_eq!(property(2).validate(&[], &three), Ok(property(2)));
        assert_eq!(property(3).validate(&[], &three), Err(crate::Error::UnknownResultForm));
        assert_eq!(positive(0).validate(&[], &[]), Err(crate::Error::UnknownResultForm), "a service with none");
        assert!(
            matches!(positive(0).validate(&[], &three), Err(crate::Error::ResultFieldMissing { .. })),
            "the form's facts are required"
        );
        // A payload from before forms were named means the first.
        let old: Command = serde_json::from_str(r#"{"step":"prepare_result","outcome":{"kind":"positive"}}"#).unwrap();
        assert_eq!(old, positive(0));
    }

    #[test]
    fn the_queue_prepares_its_notification_only() {
        let catalog = crate::catalog::Catalog::parse(include_str!("../../../assets/catalog/services.json")).unwrap();
        let forms = |code: &str| catalog.service(code).unwrap().workflow_results().len();
        assert_eq!(forms(crate::queue::QUEUE_SERVICE), 1, "its referral comes from a distribution");
        assert_eq!(forms("minors_property_certificate"), 3);
        assert_eq!(forms("guardianship_certificate"), 1);
    }
}
