//! The three desks' reads on a real registry: the dashboard's figures for
//! the week and the month by service and status, overdue and waiting work,
//! the queue by birth year and the referrals of each month; and the clerk's
//! look-up of a known applicant by IIN, which is audited.

use chrono::NaiveDate;
use kense_domain::application::{ApplicationDraft, NewApplication};
use kense_domain::calendar::WorkingCalendar;
use kense_domain::catalog::Channel;
use kense_domain::iin::Iin;
use kense_domain::queue::{
    Assignment, Group, GroupDraft, Kindergarten, KindergartenDraft, Places, PlacesDraft, QueueClaim, QueueClaimDraft,
    QueueRules, ReferralStatus, ReferralStep,
};
use kense_domain::workflow::{Command, Outcome, Status};
use kense_domain::{Error, Field};
use kense_storage::Due;

mod common;

use common::office::{at, child_iin, office as office_at, Office, CALENDAR};

fn office() -> Office {
    office_at("2026-10-01T09:00:00+05:00")
}

impl Office {
    /// Registers a preschool-queue application (queued when complete) or a
    /// guardianship certificate; `due` is the step's due moment.
    fn register(
        &mut self,
        n: u32,
        service: &str,
        applicant: (&str, &str),
        complete: bool,
        when: &str,
        due: Option<&str>,
    ) -> i64 {
        let now = at(when);
        let born = NaiveDate::from_ymd_opt(2022, 3, 1).unwrap();
        let queue = service == "preschool_queue" && complete;
        let documents = match (service, complete) {
            ("preschool_queue", true) => vec!["application", "birth_certificate", "identity_document"],
            ("preschool_queue", false) => vec!["application"],
            // The guardianship certificate at the State Corporation.
            _ => vec!["application", "identity_document", "birth_certificate"],
        };
        let d = ApplicationDraft {
            service_code: service.into(),
            channel: (service == "guardianship_certificate").then_some(Channel::StateCorporation),
            applicant_iin: applicant.0.into(),
            applicant_name: applicant.1.into(),
            applicant_phone: format!("+7 701 000 11 {n:02}"),
            applicant_address: format!("Шиелі, {n}-үй"),
            child_iin: child_iin(born, n),
            child_name: format!("Бала {n}"),
            child_birth_date: born.to_string(),
            documents: documents.into_iter().map(String::from).collect(),
            consent: true,
            queue: queue.then(QueueClaimDraft::default),
            ..Default::default()
        };
        let mut app = NewApplication::validate(&d, &self.catalog, now.date_naive()).unwrap();
        app.queue =
            QueueClaim::for_application(&app, d.queue.as_ref(), &QueueRules::shipped().unwrap(), now.date_naive())
                .unwrap();
        let due = Due { step: due.map(at), whole: None };
        self.r.register_application(&self.clerk, &app, due, now).unwrap().id
    }
}

const PARENT: (&str, &str) = ("900101300007", "Жұмабаева Әйгерім");
const OTHER: (&str, &str) = ("150315500015", "Қасымов Ерлан");

#[test]
fn the_dashboard_counts_the_week_the_month_the_queue_and_referrals() {
    let mut o = office();
    // October: one application (neither this week nor this month).
    o.register(1, "preschool_queue", PARENT, true, "2026-10-20T10:00:00+05:00", None);
    // Earlier this month, Tuesday 10 November: month only.
    let signed = o.register(2, "guardianship_certificate", OTHER, true, "2026-11-10T10:00:00+05:00", None);
    // This week (Monday 23 November onwards): three, one refused at intake;
    // one was due yesterday and is overdue, one is due today.
    o.register(3, "preschool_queue", PARENT, true, "2026-11-23T09:00:00+05:00", Some("2026-11-23T18:00:00+05:00"));
    o.register(4, "preschool_queue", OTHER, false, "2026-11-24T09:00:00+05:00", None);
    o.register(
        5,
        "guardianship_certificate",
        PARENT,
        true,
        "2026-11-24T09:30:00+05:00",
        Some("2026-11-24T18:00:00+05:00"),
    );

    // The guardianship application of the 10th is signed: ready to hand out.
    let (clerk, head, executor) = (o.clerk.clone(), o.head.clone(), o.executor.clone());
    let t = at("2026-11-11T10:00:00+05:00");
    o.r.take_step(&clerk, signed, Status::Accepted, &Command::SendToHead, Due::default(), t).unwrap();
    let assign = Command::AssignExecutor { executor_id: executor.user_id };
    o.r.take_step(&head, signed, Status::WithHead, &assign, Due::default(), t).unwrap();
    let prepare = Command::PrepareResult { outcome: Outcome::positive(0) };
    o.r.take_step(&executor, signed, Status::WithExecutor, &prepare, Due::default(), t).unwrap();
    o.r.take_step(&head, signed, Status::ResultPrepared, &Command::Sign, Due::default(), t).unwrap();

    // Two referrals issued in November for the 2022 queue: one presented.
    let now = at("2026-11-24T12:00:00+05:00");
    let k = Kindergarten::validate(&KindergartenDraft {
        name_kk: "«Күншуақ» балабақшасы".into(),
        name_ru: "Детский сад «Кюншуак»".into(),
        address_kk: "Шиелі".into(),
        address_ru: "Шиели".into(),
        ownership: "state".into(),
    })
    .unwrap();
    let kg = o.r.add_kindergarten(&o.head, &k, t).unwrap();
    let g = Group::validate(
        &GroupDraft {
            kindergarten_id: kg,
            name: "Балдырған".into(),
            birth_year: 2022,
            language: "kk".into(),
            special: false,
            capacity: 25,
        },
        t.date_naive(),
    )
    .unwrap();
    let admin = o.admin.clone();
    let group = o.r.add_group(&admin, &g, t).unwrap();
    let places = Places::validate(&PlacesDraft { group_id: group, count: 1, protocol: "Хаттама № 3".into() }).unwrap();
    o.r.declare_places(&executor, &places, now).unwrap();
    let seen: Vec<Assignment> =
        o.r.preview_distribution(&executor, now)
            .unwrap()
            .iter()
            .map(|p| Assignment { place: p.place_id, entry: p.application_id })
            .collect();
    let refs = o.r.distribute(&head, &seen, &WorkingCalendar::parse(CALENDAR).unwrap(), now).unwrap();
    assert_eq!(refs.len(), 1);
    o.r.referral_step(&executor, refs[0].id, ReferralStatus::Issued, ReferralStep::Present, "", now).unwrap();

    // A clerk and an administrator do not see the dashboard; the refusal is audited.
    assert_eq!(o.r.dashboard(&clerk, now), Err(Error::Forbidden));
    assert_eq!(o.r.dashboard(&admin, now), Err(Error::Forbidden));
    let d = o.r.dashboard(&executor, now).unwrap();
    assert_eq!(d, o.r.dashboard(&head, now).unwrap(), "the head and executors see the same figures");

    assert_eq!(
        (d.today.to_string(), d.week_from.to_string(), d.month_from.to_string()),
        ("2026-11-24".into(), "2026-11-23".into(), "2026-11-01".into())
    );
    let services: Vec<(&str, i64, i64)> =
        d.by_service.iter().map(|s| (s.service_code.as_str(), s.week, s.month)).collect();
    assert_eq!(services, vec![("preschool_queue", 2, 2), ("guardianship_certificate", 1, 2)]);
    assert!(d.by_service[0].service_name.kk.starts_with("Мектепке дейінгі"));
    let statuses: Vec<(Status, i64, i64)> = d.by_status.iter().map(|s| (s.status, s.week, s.month)).collect();
    assert_eq!(
        statuses,
        vec![(Status::Accepted, 2, 2), (Status::RefusedAtIntake, 1, 1), (Status::Signed, 0, 1)],
        "this month's registrations by their status now, in the workflow's order"
    );
    // Open: October's, the 23rd's, the 24th's guardianship and the signed one.
    assert_eq!((d.open, d.overdue, d.due_today, d.awaiting_signature, d.ready_to_issue), (4, 1, 1, 0, 1));
    // Two complete preschool applications queued for 2022; one was referred.
    assert_eq!(d.queue_by_year.iter().map(|y| (y.birth_year, y.waiting)).collect::<Vec<_>>(), vec![(2022, 1)]);
    assert_eq!(d.referrals_by_month.len(), 1);
    let m = &d.referrals_by_month[0];
    assert_eq!((m.month.as_str(), m.issued, m.used, m.expired), ("2026-11", 1, 1, 0));
}

#[test]
fn the_clerk_finds_a_known_applicant_by_iin_and_the_look_up_is_audited() {
    let mut o = office();
    let iin = Iin::parse(Field::ApplicantIin, PARENT.0).unwrap();
    let clerk = o.clerk.clone();
    assert_eq!(o.r.person_by_iin(&clerk, &iin, at("2026-11-24T09:00:00+05:00")).unwrap(), None, "nobody yet");
    o.register(1, "preschool_queue", PARENT, true, "2026-11-24T09:10:00+05:00", None);
    o.register(
        2,
        "guardianship_certificate",
        (PARENT.0, "Жұмабаева Әйгерім Серікқызы"),
        true,
        "2026-11-24T09:20:00+05:00",
        None,
    );
    let p = o.r.person_by_iin(&clerk, &iin, at("2026-11-24T09:30:00+05:00")).unwrap().unwrap();
    assert_eq!(
        (p.name.as_str(), p.phone.as_str(), p.address.as_str()),
        ("Жұмабаева Әйгерім Серікқызы", "+7 701 000 11 02", "Шиелі, 2-үй")
    );
    assert!(p.number.ends_with("00002"), "from the latest application: {}", p.number);

    // Only the clerk looks people up for a registration.
    let head = o.head.clone();
    assert_eq!(o.r.person_by_iin(&head, &iin, at("2026-11-24T09:31:00+05:00")), Err(Error::Forbidden));

    let events =
        o.place.rows("SELECT action, reason, after FROM audit_events WHERE action LIKE '%person_by_iin' ORDER BY seq");
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!((events[0][1].as_deref(), events[0][2].as_deref()), (Some(PARENT.0), Some(r#"{"found":null}"#)));
    assert!(events[1][2].as_deref().unwrap_or("").contains(&p.number));
    assert_eq!(events[2][0].as_deref(), Some("denied:person_by_iin"));
}

#[test]
fn today_means_the_registry_clock_s_day() {
    let mut o = office();
    o.register(1, "guardianship_certificate", PARENT, true, "2026-11-23T17:00:00+05:00", None);
    let today = o.register(2, "guardianship_certificate", OTHER, true, "2026-11-24T09:00:00+05:00", None);
    let q = kense_storage::ApplicationQuery { today: true, limit: 10, ..Default::default() };
    let clerk = o.clerk.clone();
    let rows = o.r.search(&clerk, &q, at("2026-11-24T12:00:00+05:00")).unwrap();
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![today]);
}
