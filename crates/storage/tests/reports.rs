//! A period's figures on a real registry (either engine), compared with
//! what the registry's own rows say: applications by service, status and
//! channel within the period only, an open application past its deadline,
//! a package refused at intake, the queue by birth year and category, the
//! referrals issued in the period and what became of them, the quality
//! questionnaires recorded at the counter.

use chrono::NaiveDate;
use kense_domain::application::{ApplicationDraft, NewApplication};
use kense_domain::catalog::Channel;
use kense_domain::survey::{Question, Rating, Survey, SurveyDraft};
use kense_domain::workflow::Status;
use kense_domain::Error;
use kense_storage::Due;

mod common;

use common::office::{at, child_iin, office};

#[test]
fn a_months_figures_are_the_registrys() {
    let mut o = office("2026-11-02T09:00:00+05:00");
    o.populated();
    let born = NaiveDate::from_ymd_opt(2019, 6, 1).unwrap();
    // The whole checklist, whatever the catalog lists for it.
    let package: Vec<String> = o
        .catalog
        .service("guardianship_certificate")
        .unwrap()
        .documents_for(Channel::StateCorporation)
        .map(|d| d.code.clone())
        .collect();
    let mut register = |n: u32, documents: Vec<String>, when: &str, due: Due| {
        let d = ApplicationDraft {
            service_code: "guardianship_certificate".into(),
            channel: Some(Channel::StateCorporation),
            applicant_iin: "900101300007".into(),
            applicant_name: format!("Қамқоршы {n}"),
            applicant_phone: "+7 701 000 11 22".into(),
            child_iin: child_iin(born, n),
            child_name: format!("Бала {n}"),
            child_birth_date: born.to_string(),
            documents,
            consent: true,
            ..Default::default()
        };
        let app = NewApplication::validate(&d, &o.catalog, at(when).date_naive()).unwrap();
        o.r.register_application(&o.clerk, &app, due, at(when)).unwrap()
    };
    let refused = register(11, vec![], "2026-11-05T10:00:00+05:00", Due::default());
    assert_eq!(refused.status, Status::RefusedAtIntake);
    let due = Due { step: None, whole: Some(at("2026-11-10T18:00:00+05:00")) };
    register(12, package.clone(), "2026-11-05T11:00:00+05:00", due);
    register(13, package.clone(), "2026-12-01T11:00:00+05:00", Due::default());

    // Questionnaires given at the counter: three in November, one in December.
    let clerk = o.clerk.clone();
    for (quality, information, when) in [
        (3, 3, "2026-11-05T10:30:00+05:00"),
        (3, 2, "2026-11-06T10:30:00+05:00"),
        (1, 2, "2026-11-07T10:30:00+05:00"),
        (1, 1, "2026-12-01T10:30:00+05:00"),
    ] {
        let d = SurveyDraft { service_code: "preschool_queue".into(), medium: "paper".into(), quality, information };
        o.r.record_survey(&clerk, &Survey::validate(&d, &o.catalog).unwrap(), at(when)).unwrap();
    }
    let d = SurveyDraft { service_code: "preschool_queue".into(), medium: "screen".into(), quality: 2, information: 2 };
    let executor = o.executor.clone();
    assert_eq!(
        o.r.record_survey(&executor, &Survey::validate(&d, &o.catalog).unwrap(), at("2026-11-08T10:00:00+05:00")),
        Err(Error::Forbidden)
    );

    let (from, to) = (NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    let now = at("2026-12-02T10:00:00+05:00");
    let head = o.head.clone();
    let report = o.r.period_report(&head, from, to, now).unwrap();

    // Every application of November, and none of December.
    let in_period: i64 = o
        .place
        .read("SELECT COUNT(*) FROM applications WHERE registered_at >= '2026-11-01' AND registered_at < '2026-12-01'")
        .parse()
        .unwrap();
    assert_eq!(report.applications.iter().map(|a| a.count).sum::<i64>(), in_period);
    assert_eq!(in_period, 5);
    let cells: Vec<(&str, Status, &str, i64)> =
        report.applications.iter().map(|a| (a.service_code.as_str(), a.status, a.channel.as_str(), a.count)).collect();
    assert_eq!(
        cells,
        vec![
            ("guardianship_certificate", Status::Accepted, "state_corporation", 1),
            ("guardianship_certificate", Status::RefusedAtIntake, "state_corporation", 1),
            ("guardianship_certificate", Status::Issued, "state_corporation", 1),
            ("preschool_queue", Status::Accepted, "office", 2),
        ]
    );
    let overdue: Vec<_> =
        report.overdue.iter().map(|o| (o.service_code.as_str(), o.with_deadline, o.overdue)).collect();
    assert_eq!(overdue, vec![("guardianship_certificate", 1, 1)]);
    let refusals: Vec<_> =
        report.refusals.iter().map(|r| (r.service_code.as_str(), r.ground.as_str(), r.count)).collect();
    assert_eq!(refusals, vec![("guardianship_certificate", "refused_at_intake", 1)]);
    let queue: Vec<_> = report.queue.iter().map(|q| (q.birth_year, q.category.as_str(), q.waiting)).collect();
    assert_eq!(queue, vec![(2022, "general", 1)]);
    assert_eq!((report.referrals.issued, report.referrals.used, report.referrals.expired), (1, 1, 0));

    let survey: Vec<_> = report.survey.iter().map(|s| (s.question, s.rating, s.count)).collect();
    assert_eq!(
        survey,
        vec![
            (Question::Quality, Rating::NotSatisfied, 1),
            (Question::Quality, Rating::Satisfied, 2),
            (Question::Information, Rating::Partly, 2),
            (Question::Information, Rating::Satisfied, 1),
        ]
    );

    // October has none of it; the clerk may not read the figures.
    let october =
        o.r.period_report(
            &head,
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            now,
        )
        .unwrap();
    assert!(october.applications.is_empty() && october.refusals.is_empty());
    assert_eq!(october.referrals.issued, 0);
    assert_eq!(o.r.period_report(&clerk, from, to, now), Err(Error::Forbidden));
}
