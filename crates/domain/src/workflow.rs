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

use crate::catalog::Channel;

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
    /// Signed by the head and ready to hand over; where the act is the
    /// akimat's (service 2), ready once the akimat's act is recorded.
    Signed,
    /// The head's approved draft went to the akimat, whose resolution the
    /// office waits for (service 2: the act is not the office's own).
    AtAkimat,
    /// Handed to the applicant or sent to the State Corporation. Final.
    Issued,
    /// Withdrawn by the applicant. Final.
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Accepted,
        Status::RefusedAtIntake,
        Status::WithHead,
        Status::WithExecutor,
        Status::ResultPrepared,
        Status::Signed,
        Status::AtAkimat,
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
            Status::AtAkimat => "at_akimat",
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
            Status::AtAkimat => ("әкімдікте", "в акимате"),
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
    /// The signed draft of an act that is the akimat's goes to the akimat.
    SendToAkimat,
    /// The akimat's act came back: its number and date are recorded.
    RecordAkimatAct,
    Issue,
    Withdraw,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Step::SendToHead,
        Step::AssignExecutor,
        Step::PrepareResult,
        Step::Sign,
        Step::ReturnToExecutor,
        Step::SendToAkimat,
        Step::RecordAkimatAct,
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
            Step::SendToAkimat => "send_to_akimat",
            Step::RecordAkimatAct => "record_akimat_act",
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
        (S::Signed, Step::SendToAkimat) => Some(S::AtAkimat),
        (S::AtAkimat, Step::RecordAkimatAct) => Some(S::Signed),
        (S::Signed, Step::Issue) => Some(S::Issued),
        (S::Accepted | S::WithHead | S::WithExecutor | S::ResultPrepared | S::Signed | S::AtAkimat, Step::Withdraw) => {
            Some(S::Withdrawn)
        }
        (
            S::Accepted
            | S::RefusedAtIntake
            | S::WithHead
            | S::WithExecutor
            | S::ResultPrepared
            | S::Signed
            | S::AtAkimat
            | S::Issued
            | S::Withdrawn,
            _,
        ) => None,
    }
}

/// Where the positive act is the akimat's (service 2: its resolution), what
/// the akimat's part allows: the signed draft goes to the akimat once, and
/// nothing is handed over until the akimat's act is recorded. A reasoned
/// refusal is the office's own and goes out as any other.
/// `akimat_decides`: the service's path has the akimat's step;
/// `positive`: the signed result is positive; `act_recorded`: the akimat's
/// number and date are in.
pub fn akimat_part(step: Step, akimat_decides: bool, positive: bool, act_recorded: bool) -> Result<(), crate::Error> {
    let awaits = akimat_decides && positive;
    match step {
        Step::SendToAkimat if !awaits || act_recorded => Err(crate::Error::NoAkimatPart),
        Step::Issue if awaits && !act_recorded => Err(crate::Error::AkimatActMissing),
        _ => Ok(()),
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
    /// Sent as an electronic document to the applicant's personal cabinet
    /// on the e-government portal; `received_by` then holds the portal's
    /// reference when there is one.
    PortalCabinet,
}

impl Handover {
    pub fn code(self) -> &'static str {
        match self {
            Handover::InPerson => "in_person",
            Handover::StateCorporation => "state_corporation",
            Handover::PortalCabinet => "portal_cabinet",
        }
    }

    /// How a result goes back on the channel its application came in by:
    /// the Standards give each channel its own (the office's counter, the
    /// State Corporation, the portal's personal cabinet). The stricter
    /// reading is kept: no other hand-over is recorded, so the journal's
    /// hand-over column always says where the applicant was told to look.
    pub fn of_channel(channel: Channel) -> Handover {
        match channel {
            Channel::Office => Handover::InPerson,
            Channel::StateCorporation => Handover::StateCorporation,
            Channel::Portal => Handover::PortalCabinet,
        }
    }
}

/// A step with its data, as a person asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    SendToHead,
    AssignExecutor {
        executor_id: i64,
    },
    PrepareResult {
        outcome: Outcome,
    },
    Sign,
    ReturnToExecutor {
        comment: String,
    },
    SendToAkimat,
    /// `date` as the clerk typed it (ДД.ММ.ГГГГ or ISO).
    RecordAkimatAct {
        number: String,
        date: String,
    },
    Issue {
        handover: Handover,
        received_by: String,
    },
    Withdraw {
        reason: String,
    },
}

pub const MAX_COMMENT: usize = 1000;
/// The longest act number ("№ 125-қ", "12/3456").
pub const MAX_ACT_NUMBER: usize = 50;

impl Command {
    pub fn step(&self) -> Step {
        match self {
            Command::SendToHead => Step::SendToHead,
            Command::AssignExecutor { .. } => Step::AssignExecutor,
            Command::PrepareResult { .. } => Step::PrepareResult,
            Command::Sign => Step::Sign,
            Command::ReturnToExecutor { .. } => Step::ReturnToExecutor,
            Command::SendToAkimat => Step::SendToAkimat,
            Command::RecordAkimatAct { .. } => Step::RecordAkimatAct,
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
                    Handover::StateCorporation | Handover::PortalCabinet => {
                        optional_text(Field::ReceivedBy, &received_by, 200)?
                    }
                };
                Command::Issue { handover, received_by }
            }
            Command::PrepareResult { outcome: Outcome::Positive { form, fields } } => {
                let spec = forms.get(form).ok_or(Error::UnknownResultForm)?;
                let fields = crate::result_fields::check_values(&spec.fields, &fields)?;
                Command::PrepareResult { outcome: Outcome::Positive { form, fields } }
            }
            Command::RecordAkimatAct { number, date } => {
                let number = required_text(Field::ActNumber, &number, MAX_ACT_NUMBER)?;
                let date = crate::result_fields::date(date.trim())
                    .ok_or(Error::DateFormat(Field::ActDate))?
                    .format("%Y-%m-%d")
                    .to_string();
                Command::RecordAkimatAct { number, date }
            }
            other @ (Command::SendToHead | Command::AssignExecutor { .. } | Command::Sign | Command::SendToAkimat) => {
                other
            }
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
    fn an_akimats_act_goes_out_and_comes_back_before_the_hand_over() {
        use crate::Error;
        assert_eq!(next(Status::Signed, Step::SendToAkimat), Some(Status::AtAkimat));
        assert_eq!(next(Status::AtAkimat, Step::RecordAkimatAct), Some(Status::Signed));
        assert_eq!(next(Status::AtAkimat, Step::Issue), None, "nothing leaves while at the akimat");
        assert_eq!(next(Status::AtAkimat, Step::Withdraw), Some(Status::Withdrawn));
        // (step, akimat decides, positive, act recorded)
        assert_eq!(akimat_part(Step::Issue, true, true, false), Err(Error::AkimatActMissing));
        assert_eq!(akimat_part(Step::Issue, true, true, true), Ok(()));
        assert_eq!(akimat_part(Step::Issue, true, false, false), Ok(()), "a reasoned refusal is the office's own");
        assert_eq!(akimat_part(Step::SendToAkimat, true, true, false), Ok(()));
        assert_eq!(akimat_part(Step::SendToAkimat, true, true, true), Err(Error::NoAkimatPart), "already back");
        assert_eq!(akimat_part(Step::SendToAkimat, false, true, false), Err(Error::NoAkimatPart));
        assert_eq!(akimat_part(Step::Issue, false, true, false), Ok(()));
        let catalog = crate::catalog::Catalog::parse(include_str!("../../../assets/catalog/services.json")).unwrap();
        let deciders: Vec<&str> =
            catalog.services.iter().filter(|s| s.akimat_decides()).map(|s| s.code.as_str()).collect();
        assert_eq!(deciders, ["establish_guardianship"]);
        let act = |number: &str, date: &str| {
            Command::RecordAkimatAct { number: number.into(), date: date.into() }.validate(&[], &[])
        };
        assert_eq!(
            act(" 125-қ ", "20.11.2026"),
            Ok(Command::RecordAkimatAct { number: "125-қ".into(), date: "2026-11-20".into() })
        );
        assert_eq!(act("", "20.11.2026"), Err(Error::Required(crate::Field::ActNumber)));
        assert_eq!(act("125", "31.13.2026"), Err(Error::DateFormat(crate::Field::ActDate)));
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
