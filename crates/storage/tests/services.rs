//! Every service of the shipped catalog, walked through every path its
//! catalog data declares, on the engine the suite runs on: on each channel
//! it is offered, a package refused at intake and one accepted; each
//! positive result form prepared, signed and handed over (the first after
//! a return for rework; where the act is the akimat's, through the akimat);
//! a reasoned refusal on the service's first ground,
//! its wording kept with the decision. Generated from the catalog itself: a service added to
//! the catalog is walked without new test code.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use kense_domain::application::{ApplicationDraft, NewApplication};
use kense_domain::catalog::{Channel, Service, Subject};
use kense_domain::queue::{QueueClaim, QueueClaimDraft};
use kense_domain::workflow::{Command, Handover, Outcome, Status};
use kense_storage::Due;

mod common;

use common::office::{child_iin, office, Office};

/// One walk's registration: the service on a channel, with every document
/// of its checklist presented (`complete`) or none.
fn draft(service: &Service, channel: Channel, n: u32, complete: bool) -> ApplicationDraft {
    let born = NaiveDate::from_ymd_opt(2022, 5, 4).unwrap();
    let child = service.subject == Subject::Child;
    ApplicationDraft {
        service_code: service.code.clone(),
        channel: Some(channel),
        applicant_iin: "900101300007".into(),
        applicant_name: format!("Өтініш Беруші {n}"),
        applicant_phone: "+7 701 000 11 22".into(),
        child_iin: if child { child_iin(born, n) } else { String::new() },
        child_name: if child { format!("Бала {n}") } else { String::new() },
        child_birth_date: if child { born.to_string() } else { String::new() },
        documents: if complete { service.documents_for(channel).map(|d| d.code.clone()).collect() } else { vec![] },
        consent: true,
        // Every walk is its own application of the same applicant.
        duplicate_reason: format!("сынақ жолы {n}"),
        // Where the office takes part in several paths (service 15), the
        // walks take them in turn.
        variant: {
            let variants: Vec<&str> = service.office_paths(channel).filter_map(|p| p.variant.as_deref()).collect();
            variants.get(n as usize % variants.len().max(1)).copied().unwrap_or_default().to_owned()
        },
        queue: (service.code == kense_domain::queue::QUEUE_SERVICE)
            .then(|| QueueClaimDraft { category: "general".into(), ..Default::default() }),
        ..Default::default()
    }
}

/// Where a result goes on a channel: back the way the application came (the
/// State Corporation, the portal's personal cabinet, the office's counter).
fn handover(channel: Channel) -> Command {
    match channel {
        Channel::StateCorporation => {
            Command::Issue { handover: Handover::StateCorporation, received_by: String::new() }
        }
        Channel::Portal => Command::Issue { handover: Handover::PortalCabinet, received_by: String::new() },
        Channel::Office => Command::Issue {
            handover: Handover::InPerson,
            received_by: "Өтініш Беруші, жеке куәлігі".into(),
        },
    }
}

struct Walk<'a> {
    o: &'a mut Office,
    now: DateTime<FixedOffset>,
    n: u32,
}

impl Walk<'_> {
    fn tick(&mut self) -> DateTime<FixedOffset> {
        self.now += Duration::minutes(1);
        self.now
    }

    fn register(&mut self, service: &Service, channel: Channel, complete: bool) -> (i64, Status) {
        self.n += 1;
        let d = draft(service, channel, self.n, complete);
        let today = self.now.date_naive();
        let mut app = NewApplication::validate(&d, &self.o.catalog, today)
            .unwrap_or_else(|e| panic!("{} on {channel:?}: {e:?}", service.code));
        let decided = app.intake();
        app.queue = QueueClaim::for_application(&app, d.queue.as_ref(), &self.o.rules, today).unwrap();
        let now = self.tick();
        let reg = self.o.r.register_application(&self.o.clerk, &app, Due::default(), now).unwrap();
        assert_eq!(reg.status, decided, "{} on {channel:?}: the registry keeps the intake's decision", service.code);
        (reg.id, reg.status)
    }

    fn step(&mut self, id: i64, from: Status, who: &str, command: Command) -> Status {
        let actor = match who {
            "clerk" => self.o.clerk.clone(),
            "head" => self.o.head.clone(),
            _ => self.o.executor.clone(),
        };
        let now = self.tick();
        let taken = self.o.r.take_step(&actor, id, from, &command, Due::default(), now);
        taken.unwrap_or_else(|e| panic!("{command:?} from {from:?}: {e:?}")).to
    }

    /// Accepted → with the head → with the executor.
    fn assign(&mut self, id: i64) {
        assert_eq!(self.step(id, Status::Accepted, "clerk", Command::SendToHead), Status::WithHead);
        let assign = Command::AssignExecutor { executor_id: self.o.executor.user_id };
        assert_eq!(self.step(id, Status::WithHead, "head", assign), Status::WithExecutor);
    }

    /// Prepared → signed → handed over on the channel. Where the positive
    /// act is the akimat's (service 2), nothing is handed over before it:
    /// the approved draft goes to the akimat, and its act is recorded when
    /// it comes back.
    fn sign_and_hand_over(&mut self, service: &Service, id: i64, channel: Channel, positive: bool) {
        assert_eq!(self.step(id, Status::ResultPrepared, "head", Command::Sign), Status::Signed);
        let send = Command::SendToAkimat;
        if service.akimat_decides() && positive {
            let (clerk, now) = (self.o.clerk.clone(), self.tick());
            let early = self.o.r.take_step(&clerk, id, Status::Signed, &handover(channel), Due::default(), now);
            assert_eq!(early.unwrap_err(), kense_domain::Error::AkimatActMissing, "{}", service.code);
            assert_eq!(self.step(id, Status::Signed, "clerk", send), Status::AtAkimat);
            let act = Command::RecordAkimatAct { number: "125-қ".into(), date: "2026-11-20".into() };
            assert_eq!(self.step(id, Status::AtAkimat, "clerk", act), Status::Signed);
        } else {
            let (clerk, now) = (self.o.clerk.clone(), self.tick());
            let none = self.o.r.take_step(&clerk, id, Status::Signed, &send, Due::default(), now);
            assert_eq!(none.unwrap_err(), kense_domain::Error::NoAkimatPart, "{}", service.code);
        }
        // Another channel's hand-over is refused, and nothing is recorded.
        let wrong = match channel {
            Channel::Office => Handover::PortalCabinet,
            _ => Handover::InPerson,
        };
        let wrong = Command::Issue { handover: wrong, received_by: "Басқа біреу".into() };
        let (clerk, now) = (self.o.clerk.clone(), self.tick());
        let refused = self.o.r.take_step(&clerk, id, Status::Signed, &wrong, Due::default(), now);
        assert_eq!(refused.unwrap_err(), kense_domain::Error::HandoverChannel { channel }, "{}", service.code);
        assert_eq!(self.step(id, Status::Signed, "clerk", handover(channel)), Status::Issued);
    }
}

#[test]
fn every_service_walks_every_path_its_catalog_declares() {
    let mut o = office("2026-11-02T09:00:00+05:00");
    let catalog = o.catalog.clone();
    let mut walk = Walk { o: &mut o, now: common::office::at("2026-11-02T09:00:00+05:00"), n: 0 };
    let (mut refused_at_intake, mut issued, mut refusals) = (0, 0, 0);
    for service in &catalog.services {
        // The catalog's own grounds, the service's first.
        let ground = catalog.grounds_for(&service.code).first().cloned();
        let ground = ground.unwrap_or_else(|| panic!("{}: no ground of refusal", service.code));
        for &channel in &service.channels {
            // A package without its documents.
            let (_, status) = walk.register(service, channel, false);
            refused_at_intake += usize::from(status == Status::RefusedAtIntake);

            // Each positive result form; the first comes back for rework once.
            let forms = service.workflow_results();
            assert!(!forms.is_empty(), "{}: no result to issue", service.code);
            for (form, spec) in forms.iter().enumerate() {
                let (id, status) = walk.register(service, channel, true);
                assert_eq!(status, Status::Accepted, "{} on {channel:?}: a complete package", service.code);
                walk.assign(id);
                // Every fact the form declares, filled as the executor's
                // form would send it and checked as the desk checks it.
                let typed = sample_fields(&spec.fields);
                let fields = kense_domain::result_fields::check_values(&spec.fields, &typed)
                    .unwrap_or_else(|e| panic!("{} form {form}: {e:?}", service.code));
                let prepare = Command::PrepareResult { outcome: Outcome::Positive { form, fields: fields.clone() } };
                assert_eq!(walk.step(id, Status::WithExecutor, "executor", prepare.clone()), Status::ResultPrepared);
                if form == 0 {
                    let rework = Command::ReturnToExecutor { comment: "Күнін тексеріңіз".into() };
                    assert_eq!(walk.step(id, Status::ResultPrepared, "head", rework), Status::WithExecutor);
                    assert_eq!(walk.step(id, Status::WithExecutor, "executor", prepare), Status::ResultPrepared);
                }
                walk.sign_and_hand_over(service, id, channel, true);
                let record = walk.o.r.application(&walk.o.clerk.clone(), id, walk.now).unwrap();
                let result = record.result.expect("the issued result");
                assert_eq!(result.fields, fields, "{}: the result keeps its facts", service.code);
                assert_eq!(result.akimat_act.is_some(), service.akimat_decides(), "{}", service.code);
                assert_eq!(
                    result.version,
                    if form == 0 { 2 } else { 1 },
                    "{}: a returned result is kept",
                    service.code
                );
                issued += 1;
            }

            // A reasoned refusal on the service's first ground.
            let (id, _) = walk.register(service, channel, true);
            walk.assign(id);
            let refuse = Command::PrepareResult {
                outcome: Outcome::Refusal {
                    reason_code: ground.code.clone(), explanation: "Негіздеме".into()
                },
            };
            assert_eq!(walk.step(id, Status::WithExecutor, "executor", refuse), Status::ResultPrepared);
            walk.sign_and_hand_over(service, id, channel, false);
            let record = walk.o.r.application(&walk.o.clerk.clone(), id, walk.now).unwrap();
            let result = record.result.expect("the refusal");
            assert_eq!(result.reason, Some(ground.name.clone()), "{}: the ground's wording is kept", service.code);
            refusals += 1;
        }
    }
    let channels: usize = catalog.services.iter().map(|s| s.channels.len()).sum();
    assert_eq!(catalog.services.len(), 16, "the sixteen services");
    assert_eq!(refusals, channels, "a reasoned refusal on every service and channel");
    assert!(issued >= channels, "every positive result on every channel");
    assert!(refused_at_intake > 0, "packages without documents are refused at intake");
    assert_eq!(o.r.verify_audit_chain().unwrap().first_bad, None);
    let evidence = o.r.check_evidence(None).unwrap();
    assert!(evidence.findings.is_empty(), "{:?}", evidence.findings);
}

/// A value of each declared kind, as a person types it.
fn sample_fields(specs: &[kense_domain::result_fields::FieldSpec]) -> kense_domain::result_fields::FieldValues {
    use kense_domain::result_fields::ValueKind;
    specs
        .iter()
        .map(|f| {
            let v = match f.kind {
                ValueKind::Text => "Шиелі ауданы, № 3 мектеп",
                ValueKind::Number => "5",
                ValueKind::Money => "45 000,50",
                ValueKind::Date => "02.11.2026",
                ValueKind::Period => "01.12.2026/31.05.2027",
            };
            (f.key.clone(), v.to_owned())
        })
        .collect()
}

/// A reasoned refusal cites a ground of the catalog in force when it is
/// decided, even for an application registered under an older version, and
/// keeps the ground's wording after the office changes or removes it.
#[test]
fn a_refusal_cites_the_ground_in_force_and_keeps_its_wording() {
    use kense_domain::catalog_edit::GroundDraft;
    use kense_storage::CatalogOrigin;

    let mut o = office("2026-11-02T09:00:00+05:00");
    let shipped = o.catalog.clone();
    let service = shipped.service("free_meals").unwrap().clone();
    let mut walk = Walk { o: &mut o, now: common::office::at("2026-11-02T09:00:00+05:00"), n: 0 };
    let (first, _) = walk.register(&service, Channel::Office, true);
    let (second, _) = walk.register(&service, Channel::Office, true);
    let (kk, ru) = ("Оқушы басқа ауданға көшті", "Обучающийся переехал в другой район");
    let own = vec![GroundDraft { code: None, name_kk: kk.into(), name_ru: ru.into() }];
    let edited = shipped.with_grounds(Some("free_meals"), own).unwrap();
    let now = walk.tick();
    walk.o.r.save_catalog(&walk.o.admin, shipped.version, &edited, CatalogOrigin::Edited, now).unwrap();
    assert_eq!(walk.o.r.refusal_grounds("free_meals").unwrap()[0].name.ru, ru);

    let refusal = |code: &str| Command::PrepareResult {
        outcome: Outcome::Refusal {
            reason_code: code.into(), explanation: "Көшу туралы анықтама".into()
        },
    };
    walk.assign(first);
    assert_eq!(walk.step(first, Status::WithExecutor, "executor", refusal("office_ground_1")), Status::ResultPrepared);

    // The office takes the ground out again: the decision keeps its words,
    // and the ground can no longer be cited.
    let without = edited.with_grounds(Some("free_meals"), vec![]).unwrap();
    let now = walk.tick();
    walk.o.r.save_catalog(&walk.o.admin, edited.version, &without, CatalogOrigin::Edited, now).unwrap();
    let stored = walk.o.place.read(&format!("SELECT reason_ru FROM results WHERE application_id = {first}"));
    assert_eq!(stored, ru);
    walk.assign(second);
    let (executor, now) = (walk.o.executor.clone(), walk.tick());
    let gone =
        walk.o.r.take_step(&executor, second, Status::WithExecutor, &refusal("office_ground_1"), Due::default(), now);
    assert_eq!(gone.unwrap_err(), kense_domain::Error::UnknownReason("office_ground_1".into()));
}
