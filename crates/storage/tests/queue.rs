//! The preschool queue on a real registry: registration queues the child,
//! confirmed priority moves it ahead with the cause recorded, free places
//! are declared within capacity, a previewed distribution is committed as
//! referrals, an unpresented referral expires on the calendar into the stop
//! list and the child comes back to its original place. Every change of a
//! child's standing is one row of its history, whether or not it moved the
//! child's number.

use chrono::{Duration, NaiveDate};
use kense_domain::application::{ApplicationDraft, NewApplication};
use kense_domain::calendar::WorkingCalendar;
use kense_domain::queue::{
    Assignment, Cause, Group, GroupDraft, Kindergarten, KindergartenDraft, Places, PlacesDraft, QueueClaim,
    QueueClaimDraft, ReferralStatus, ReferralStep, Tier,
};
use kense_domain::workflow::{Command, Status};
use kense_domain::Error;
use kense_storage::Due;

mod common;

use common::office::{at, child_iin, office as office_at, Office, CALENDAR};

fn office() -> Office {
    office_at("2026-11-02T09:00:00+05:00")
}

impl Office {
    fn register(
        &mut self,
        n: u32,
        born: &str,
        category: &str,
        prefs: Vec<i64>,
        when: &str,
    ) -> Result<(i64, Option<u32>), Error> {
        self.register_with_reason(n, born, category, prefs, when, "")
    }

    /// A registration that states why a second open application for the
    /// same child is made (a transfer, for instance).
    fn register_with_reason(
        &mut self,
        n: u32,
        born: &str,
        category: &str,
        prefs: Vec<i64>,
        when: &str,
        reason: &str,
    ) -> Result<(i64, Option<u32>), Error> {
        let born = NaiveDate::parse_from_str(born, "%Y-%m-%d").unwrap();
        let now = at(when);
        let d = ApplicationDraft {
            service_code: "preschool_queue".into(),
            applicant_iin: "900101300007".into(),
            applicant_name: format!("Ата-ана {n}"),
            applicant_phone: "+7 701 000 11 22".into(),
            child_iin: child_iin(born, n),
            child_name: format!("Бала Әлихан {n}"),
            child_birth_date: born.to_string(),
            documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
            consent: true,
            queue: Some(QueueClaimDraft { category: category.into(), preferences: prefs, ..Default::default() }),
            duplicate_reason: reason.into(),
            ..Default::default()
        };
        let mut app = NewApplication::validate(&d, &self.catalog, now.date_naive())?;
        app.queue = QueueClaim::for_application(&app, d.queue.as_ref(), &self.rules, now.date_naive())?;
        let reg = self.r.register_application(&self.clerk, &app, Due::default(), now)?;
        Ok((reg.id, reg.queue_position))
    }

    fn kindergarten(&mut self, name: &str, year: i32, capacity: i64) -> (i64, i64) {
        let now = at("2026-11-02T09:30:00+05:00");
        let k = Kindergarten::validate(&KindergartenDraft {
            name_kk: format!("«{name}» балабақшасы"),
            name_ru: format!("Детский сад «{name}»"),
            address_kk: "Қандыағаш қ.".into(),
            address_ru: "г. Кандыагаш".into(),
            ownership: "state".into(),
        })
        .unwrap();
        let kg = self.r.add_kindergarten(&self.head, &k, now).unwrap();
        let g = Group::validate(
            &GroupDraft {
                kindergarten_id: kg,
                name: "Балдырған".into(),
                birth_year: year,
                language: "kk".into(),
                special: false,
                capacity,
            },
            now.date_naive(),
        )
        .unwrap();
        (kg, self.r.add_group(&self.admin, &g, now).unwrap())
    }
}

#[test]
fn queue_distribution_referral_expiry_and_return() {
    let mut o = office();
    let (kg_a, group_a) = o.kindergarten("Күншуақ", 2022, 25);
    let (kg_b, _group_b) = o.kindergarten("Айгөлек", 2022, 25);

    // Three children born in 2022: a general one first, then a large family
    // (first priority, once confirmed), then another general one.
    let (g1, p1) = o.register(1, "2022-03-01", "", vec![kg_a], "2026-11-02T10:00:00+05:00").unwrap();
    let (pr, p2) = o.register(2, "2022-04-01", "large_family", vec![kg_a, kg_b], "2026-11-02T10:05:00+05:00").unwrap();
    let (g2, p3) = o.register(3, "2022-05-01", "", vec![], "2026-11-02T10:05:00+05:00").unwrap();
    assert_eq!((p1, p2, p3), (Some(1), Some(2), Some(3)), "unconfirmed priority stands in the general queue");

    // The same child cannot be queued twice.
    let again = o.register(1, "2022-03-01", "", vec![], "2026-11-02T11:00:00+05:00");
    assert!(matches!(again, Err(Error::AlreadyQueued { .. })), "{again:?}");
    // Too old by calendar year: born 2020 is 6 in 2026.
    assert!(matches!(
        o.register(4, "2020-12-31", "", vec![], "2026-11-02T11:00:00+05:00"),
        Err(Error::AgeLimit { upper: 6 })
    ));

    // A clerk may not confirm priority; an executor may, and the child moves
    // ahead of the general child registered earlier.
    let now = at("2026-11-03T09:00:00+05:00");
    let issued = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    assert_eq!(
        o.r.confirm_priority(&o.clerk, pr, "Көп балалы отбасы куәлігі № 15", issued, now),
        Err(Error::Forbidden)
    );
    let row = o.r.confirm_priority(&o.executor, pr, "Көп балалы отбасы куәлігі № 15", issued, now).unwrap();
    assert_eq!((row.tier, row.position), (Tier::First, Some(1)));
    let h = o.r.position_history(&o.clerk, g1, now).unwrap();
    let last = h.last().unwrap();
    assert_eq!((last.from, last.to, last.cause, last.own), (Some(1), Some(2), Cause::PriorityConfirmed, false));
    assert!(last.subject_number.is_some(), "the history names the application that moved the number");

    // Places: capacity bounds the declaration.
    let too_many =
        Places::validate(&PlacesDraft { group_id: group_a, count: 26, protocol: "Хаттама № 7".into() }).unwrap();
    assert_eq!(o.r.declare_places(&o.executor, &too_many, now), Err(Error::PlacesExceedCapacity { free: 25 }));
    assert!(
        Places::validate(&PlacesDraft { group_id: group_a, count: 2, protocol: " ".into() }).is_err(),
        "a protocol is required"
    );
    let two = Places::validate(&PlacesDraft { group_id: group_a, count: 2, protocol: "Хаттама № 7".into() }).unwrap();
    assert_eq!(o.r.declare_places(&o.clerk, &two, now), Err(Error::Forbidden));
    o.r.declare_places(&o.executor, &two, now).unwrap();
    let k = o.r.kindergartens(&o.clerk, now).unwrap();
    let ga = k.iter().flat_map(|k| &k.groups).find(|g| g.id == group_a).unwrap();
    assert_eq!((ga.free, ga.held), (2, 0));
    let overfull =
        Places::validate(&PlacesDraft { group_id: group_a, count: 24, protocol: "Хаттама № 8".into() }).unwrap();
    assert_eq!(o.r.declare_places(&o.executor, &overfull, now), Err(Error::PlacesExceedCapacity { free: 23 }));

    // Preview, then commit exactly what was seen: the priority child and the
    // first general child, both of whom named kindergarten A; the third
    // (any kindergarten) waits, as only two places exist.
    let preview = o.r.preview_distribution(&o.executor, now).unwrap();
    let seen: Vec<Assignment> =
        preview.iter().map(|p| Assignment { place: p.place_id, entry: p.application_id }).collect();
    assert_eq!(seen.iter().map(|a| a.entry).collect::<Vec<_>>(), vec![pr, g1]);
    assert_eq!(
        o.r.distribute(&o.executor, &seen, &WorkingCalendar::parse(CALENDAR).unwrap(), now),
        Err(Error::Forbidden)
    );
    let stale = vec![seen[0]];
    let cal = WorkingCalendar::parse(CALENDAR).unwrap();
    assert_eq!(o.r.distribute(&o.head, &stale, &cal, now), Err(Error::DistributionChanged));
    let refs = o.r.distribute(&o.head, &seen, &cal, now).unwrap();
    assert_eq!(refs.len(), 2);
    assert_eq!(refs[0].number, "Ж-2026-00001");
    // Issued Tuesday 3 November 2026: five working days end Tuesday 10th.
    assert_eq!(refs[0].valid_until, "2026-11-10");
    assert_eq!(o.r.queue_entry(&o.clerk, g2, now).unwrap().unwrap().position, Some(1), "the third child moved up");
    let h = o.r.position_history(&o.clerk, g2, now).unwrap();
    assert_eq!(h.last().map(|c| (c.cause, c.distribution_id.is_some(), c.own)), Some((Cause::Referred, true, false)));
    let h = o.r.position_history(&o.clerk, g1, now).unwrap();
    assert_eq!(
        h.last().map(|c| (c.cause, c.to, c.own)),
        Some((Cause::Referred, None, true)),
        "the referred child's own event"
    );

    // The kindergarten finds the referral by number and the child's IIN; a
    // wrong IIN is "not found".
    let r1 = &refs[1];
    assert_eq!(o.r.find_referral(&o.executor, &r1.number, &r1.child_iin, now).unwrap().id, r1.id);
    assert_eq!(o.r.find_referral(&o.executor, &r1.number, "900101300007x", now), Err(Error::NotFound));

    // The priority child is presented and enrolled: the place is filled.
    let r0 = refs[0].id;
    o.r.referral_step(&o.executor, r0, ReferralStatus::Issued, ReferralStep::Present, "", now).unwrap();
    let enrolled = o.r.referral_step(&o.executor, r0, ReferralStatus::Presented, ReferralStep::Enrol, "", now).unwrap();
    assert_eq!(enrolled.status, ReferralStatus::Enrolled);
    assert_eq!(
        o.r.referral_step(&o.executor, r0, ReferralStatus::Presented, ReferralStep::Enrol, "", now),
        Err(Error::InvalidState),
        "a stale screen is refused"
    );

    // The other referral is never presented. On its last valid day nothing
    // happens; the next day it expires and the child is stop-listed until
    // 20 November, returning on the 21st to number 1, ahead of the third child.
    let report = o.r.sweep_queue(at("2026-11-10T17:00:00+05:00")).unwrap();
    assert_eq!(report.referrals_expired, 0);
    let report = o.r.sweep_queue(at("2026-11-11T09:00:00+05:00")).unwrap();
    assert_eq!(report.referrals_expired, 1);
    let row = o.r.queue_entry(&o.clerk, g1, at("2026-11-11T09:00:00+05:00")).unwrap().unwrap();
    assert_eq!(
        (row.state.as_str(), row.stop_until.as_deref(), row.position),
        ("stop_listed", Some("2026-11-20"), None)
    );
    // The child had no number to lose, yet its history says why it is on
    // the stop list, and until when.
    let stop_listed = o.r.position_history(&o.clerk, g1, at("2026-11-11T09:00:00+05:00")).unwrap();
    let last = stop_listed.last().unwrap();
    assert_eq!(
        (last.from, last.to, last.cause, last.own, last.until.as_deref(), last.at.as_str()),
        (None, None, Cause::ReferralExpired, true, Some("2026-11-20"), "2026-11-11T09:00:00+05:00")
    );
    // The enrolled priority child's history ends with its enrolment.
    let enrolled_history = o.r.position_history(&o.clerk, pr, now).unwrap();
    let causes: Vec<_> = enrolled_history.iter().map(|c| (c.from, c.to, c.cause, c.own)).collect();
    assert_eq!(
        causes,
        vec![
            (None, Some(2), Cause::Registered, true),
            (Some(2), Some(1), Cause::PriorityConfirmed, true),
            (Some(1), None, Cause::Referred, true),
            (None, None, Cause::Enrolled, true)
        ],
        "one row per event: the confirmation moved the number and is not written twice"
    );
    assert_eq!(o.r.sweep_queue(at("2026-11-20T12:00:00+05:00")).unwrap().returned_from_stop_list, 0);
    let report = o.r.sweep_queue(at("2026-11-21T08:00:00+05:00")).unwrap();
    assert_eq!(report.returned_from_stop_list, 1);
    let later = at("2026-11-21T08:00:00+05:00");
    assert_eq!(o.r.queue_entry(&o.clerk, g1, later).unwrap().unwrap().position, Some(1));
    assert_eq!(o.r.queue_entry(&o.clerk, g2, later).unwrap().unwrap().position, Some(2));
    let own = o.r.position_history(&o.clerk, g1, later).unwrap();
    let causes: Vec<_> = own.iter().map(|c| (c.cause, c.own)).collect();
    assert_eq!(
        causes,
        vec![
            (Cause::Registered, true),
            (Cause::PriorityConfirmed, false),
            (Cause::Referred, true),
            (Cause::ReferralExpired, true),
            (Cause::ReturnedFromStopList, true)
        ]
    );
    assert!(own.iter().all(|c| c.until.is_none()), "the stop list has ended: its return row says when");
    assert_eq!((own[4].from, own[4].to), (None, Some(1)));
    let expired = o.r.referral(&o.clerk, r1.id, later).unwrap();
    assert_eq!(expired.status, ReferralStatus::Expired);
    let ga =
        o.r.kindergartens(&o.clerk, later)
            .unwrap()
            .into_iter()
            .flat_map(|k| k.groups)
            .find(|g| g.id == group_a)
            .unwrap();
    assert_eq!((ga.occupied, ga.free, ga.held), (1, 1, 0), "the expired referral's place is free again");

    let stats = o.r.queue_statistics(&o.head, later).unwrap();
    assert_eq!(stats.queue.iter().map(|q| q.2).sum::<i64>(), 2);
    assert_eq!(stats.referrals.len(), 2);

    // Withdrawing the application takes the child out and moves the other up.
    let (clerk, head) = (o.clerk.clone(), o.head.clone());
    let _ = head;
    o.r.take_step(
        &clerk,
        g1,
        Status::Accepted,
        &Command::Withdraw { reason: "Ата-анасы бас тартты".into() },
        Due::default(),
        later,
    )
    .unwrap();
    assert_eq!(o.r.queue_entry(&o.clerk, g2, later).unwrap().unwrap().position, Some(1));
    assert_eq!(o.r.position_history(&o.clerk, g2, later).unwrap().last().map(|c| c.cause), Some(Cause::Withdrawn));
    let withdrawn: Vec<_> =
        o.r.position_history(&o.clerk, g1, later)
            .unwrap()
            .into_iter()
            .filter(|c| c.cause == Cause::Withdrawn)
            .collect();
    assert_eq!(withdrawn.len(), 1, "the reorder's row is the withdrawal's one row: {withdrawn:?}");
    assert_eq!((withdrawn[0].from, withdrawn[0].to, withdrawn[0].own), (Some(1), None, true));
    let audit = o.r.verify_audit_chain_as(&o.admin, later).unwrap();
    assert!(audit.first_bad.is_none());
}

#[test]
fn expired_work_certificate_falls_back_to_general() {
    let mut o = office();
    let (g, _) = o.register(1, "2023-01-10", "", vec![], "2026-11-02T10:00:00+05:00").unwrap();
    let (t, _) = o.register(2, "2023-02-10", "teacher_child", vec![], "2026-11-02T10:01:00+05:00").unwrap();
    let now = at("2026-11-02T12:00:00+05:00");
    // A certificate older than a month is refused outright.
    let old = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    assert_eq!(o.r.confirm_priority(&o.head, t, "Анықтама № 3", old, now).map(|r| r.tier), Err(Error::EvidenceExpired));
    let fresh = NaiveDate::from_ymd_opt(2026, 10, 20).unwrap();
    assert_eq!(o.r.confirm_priority(&o.head, t, "Анықтама № 3", fresh, now).unwrap().position, Some(1));
    // Valid for 30 days: through 19 November.
    assert_eq!(o.r.sweep_queue(at("2026-11-19T18:00:00+05:00")).unwrap().priorities_expired, 0);
    let report = o.r.sweep_queue(at("2026-11-20T09:00:00+05:00")).unwrap();
    assert_eq!(report.priorities_expired, 1);
    let later = at("2026-11-20T09:00:00+05:00");
    let row = o.r.queue_entry(&o.clerk, t, later).unwrap().unwrap();
    assert_eq!((row.tier, row.position), (Tier::General, Some(2)));
    assert_eq!(
        o.r.position_history(&o.clerk, t, later).unwrap().last().map(|c| (c.cause, c.own)),
        Some((Cause::PriorityExpired, true))
    );
    assert_eq!(o.r.queue_entry(&o.clerk, g, later).unwrap().unwrap().position, Some(1));
}

#[test]
fn new_year_ages_children_out() {
    let mut o = office();
    let (old, _) = o.register(1, "2021-06-01", "", vec![], "2026-11-02T10:00:00+05:00").unwrap();
    let (young, _) = o.register(2, "2022-06-01", "", vec![], "2026-11-02T10:00:00+05:00").unwrap();
    assert_eq!(o.r.sweep_queue(at("2026-12-31T18:00:00+05:00")).unwrap().aged_out, 0);
    let report = o.r.sweep_queue(at("2027-01-01T09:00:00+05:00") + Duration::hours(1)).unwrap();
    assert_eq!(report.aged_out, 1, "born 2021 turns 6 by calendar year in 2027");
    let now = at("2027-01-01T10:00:00+05:00");
    assert_eq!(o.r.queue_entry(&o.clerk, old, now).unwrap().unwrap().state, "removed");
    assert_eq!(o.r.queue_entry(&o.clerk, young, now).unwrap().unwrap().position, Some(1));
    let aged: Vec<_> =
        o.r.position_history(&o.clerk, old, now).unwrap().into_iter().map(|c| (c.from, c.to, c.cause)).collect();
    assert_eq!(aged, vec![(None, Some(1), Cause::Registered), (Some(1), None, Cause::AgedOut)]);
}

/// The rows of one child's history: numbers, cause, whose event.
fn rows(
    o: &mut Office,
    id: i64,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Vec<(Option<u32>, Option<u32>, Cause, bool)> {
    o.r.position_history(&o.clerk, id, now).unwrap().iter().map(|c| (c.from, c.to, c.cause, c.own)).collect()
}

#[test]
fn every_change_of_standing_without_a_number_is_one_row_of_the_childs_history() {
    let mut o = office();
    let (kg, group) = o.kindergarten("Күншуақ", 2021, 25);
    let cal = WorkingCalendar::parse(CALENDAR).unwrap();
    // Four children born in 2021 (5 this year, 6 — too old — next year).
    let mut ids = Vec::new();
    for n in 1..=4 {
        let (id, _) = o.register(n, "2021-06-01", "", vec![kg], &format!("2026-11-02T10:0{n}:00+05:00")).unwrap();
        ids.push(id);
    }
    let (cancelled, refused, expired, aging) = (ids[0], ids[1], ids[2], ids[3]);
    let now = at("2026-11-03T09:00:00+05:00");
    let places = Places::validate(&PlacesDraft { group_id: group, count: 3, protocol: "Хаттама № 2".into() }).unwrap();
    o.r.declare_places(&o.executor, &places, now).unwrap();
    let seen: Vec<Assignment> =
        o.r.preview_distribution(&o.head, now)
            .unwrap()
            .iter()
            .map(|p| Assignment { place: p.place_id, entry: p.application_id })
            .collect();
    let refs = o.r.distribute(&o.head, &seen, &cal, now).unwrap();
    assert_eq!(refs.iter().map(|r| r.application_id).collect::<Vec<_>>(), vec![cancelled, refused, expired]);

    // The head cancels one: the child is back in the queue, and the reorder's
    // row is the cancellation's one row.
    o.r.referral_step(&o.head, refs[0].id, ReferralStatus::Issued, ReferralStep::Cancel, "Қате тарату", now).unwrap();
    assert_eq!(
        rows(&mut o, cancelled, now),
        vec![
            (None, Some(1), Cause::Registered, true),
            (Some(1), None, Cause::Referred, true),
            (None, Some(1), Cause::ReferralCancelled, true)
        ]
    );
    // A parent refuses: under the shipped rules the child leaves the queue.
    o.r.referral_step(&o.executor, refs[1].id, ReferralStatus::Issued, ReferralStep::RefuseByParent, "Басқа қала", now)
        .unwrap();
    assert_eq!(rows(&mut o, refused, now).last(), Some(&(None, None, Cause::RemovedByRefusal, true)));
    assert_eq!(o.r.queue_entry(&o.clerk, refused, now).unwrap().unwrap().state, "removed");

    // A referral expires; the stop-listed child's application is withdrawn.
    let swept = at("2026-11-11T09:00:00+05:00");
    assert_eq!(o.r.sweep_queue(swept).unwrap().referrals_expired, 1);
    o.r.take_step(
        &o.clerk.clone(),
        expired,
        Status::Accepted,
        &Command::Withdraw { reason: "Ата-анасы бас тартты".into() },
        Due::default(),
        swept,
    )
    .unwrap();
    let history = rows(&mut o, expired, swept);
    assert_eq!(
        history[history.len() - 2..],
        [(None, None, Cause::ReferralExpired, true), (None, None, Cause::Withdrawn, true)]
    );

    // The fourth child is referred in December; its referral expires and the
    // new year finds it on the stop list, past the age limit.
    let december = at("2026-12-21T09:00:00+05:00");
    let more = Places::validate(&PlacesDraft { group_id: group, count: 1, protocol: "Хаттама № 3".into() }).unwrap();
    o.r.declare_places(&o.executor, &more, december).unwrap();
    // The cancelled child stands first and takes the place; a second one
    // goes to the fourth child.
    let seen: Vec<Assignment> =
        o.r.preview_distribution(&o.head, december)
            .unwrap()
            .iter()
            .map(|p| Assignment { place: p.place_id, entry: p.application_id })
            .collect();
    assert_eq!(seen.iter().map(|a| a.entry).collect::<Vec<_>>(), vec![cancelled, aging]);
    let late = o.r.distribute(&o.head, &seen, &cal, december).unwrap();
    o.r.referral_step(&o.executor, late[0].id, ReferralStatus::Issued, ReferralStep::Enrol, "", december).unwrap();
    assert_eq!(rows(&mut o, cancelled, december).last(), Some(&(None, None, Cause::Enrolled, true)));
    let valid_until = NaiveDate::parse_from_str(&late[1].valid_until, "%Y-%m-%d").unwrap();
    let after = valid_until.succ_opt().unwrap().format("%Y-%m-%dT09:00:00+05:00").to_string();
    assert_eq!(o.r.sweep_queue(at(&after)).unwrap().referrals_expired, 1);
    let report = o.r.sweep_queue(at("2027-01-01T10:00:00+05:00")).unwrap();
    assert_eq!((report.aged_out, report.returned_from_stop_list), (1, 0), "still on the stop list at new year");
    let new_year = at("2027-01-01T10:00:00+05:00");
    let history = rows(&mut o, aging, new_year);
    assert_eq!(
        history[history.len() - 2..],
        [(None, None, Cause::ReferralExpired, true), (None, None, Cause::AgedOut, true)]
    );
    assert!(
        o.r.position_history(&o.clerk, aging, new_year).unwrap().iter().all(|c| c.until.is_none()),
        "a child out of the queue has no stop list to end"
    );
    // The rows went through the write path: sealed, nothing reads as
    // written behind Kense's back.
    let evidence = o.r.verify_evidence(&mut |_| true).unwrap();
    assert!(evidence.holds(), "{:?}", evidence.findings);
    assert!(o.r.check_evidence(None).unwrap().holds());
}

#[test]
fn queue_claims_outside_the_queue_service_are_refused() {
    let o = office();
    let d = ApplicationDraft {
        service_code: "guardianship_certificate".into(),
        applicant_iin: "900101300007".into(),
        applicant_name: "Ата-ана".into(),
        applicant_phone: "+7 701 000 11 22".into(),
        consent: true,
        queue: Some(QueueClaimDraft::default()),
        ..Default::default()
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    if let Ok(app) = NewApplication::validate(&d, &o.catalog, today) {
        assert_eq!(QueueClaim::for_application(&app, d.queue.as_ref(), &o.rules, today), Err(Error::NotQueueService));
    }
    let too_many = QueueClaimDraft { preferences: vec![1, 2, 3, 4, 5], ..Default::default() };
    let d = ApplicationDraft {
        service_code: "preschool_queue".into(),
        child_iin: child_iin(NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(), 1),
        child_name: "Бала".into(),
        child_birth_date: "2023-01-01".into(),
        documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
        queue: Some(too_many),
        ..d
    };
    let app = NewApplication::validate(&d, &o.catalog, today).unwrap();
    assert_eq!(
        QueueClaim::for_application(&app, d.queue.as_ref(), &o.rules, today),
        Err(Error::TooManyPreferences { max: 4 })
    );
}

#[test]
fn a_corrected_birth_date_moves_the_child_to_its_year_with_the_cause() {
    let mut o = office();
    let (a, _) = o.register(1, "2022-03-01", "", vec![], "2026-11-02T10:00:00+05:00").unwrap();
    let (b, _) = o.register(2, "2022-04-01", "", vec![], "2026-11-02T10:01:00+05:00").unwrap();
    let (c, _) = o.register(3, "2023-04-01", "", vec![], "2026-11-02T10:02:00+05:00").unwrap();
    // The first child was really born in 2023: it joins that queue ahead of
    // the child registered later, and the 2022 queue moves up.
    let born = NaiveDate::from_ymd_opt(2023, 3, 1).unwrap();
    let d = ApplicationDraft {
        service_code: "preschool_queue".into(),
        applicant_iin: "900101300007".into(),
        applicant_name: "Ата-ана 1".into(),
        applicant_phone: "+7 701 000 11 22".into(),
        child_iin: child_iin(born, 1),
        child_name: "Бала Әлихан 1".into(),
        child_birth_date: born.to_string(),
        documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
        consent: true,
        ..Default::default()
    };
    let now = at("2026-11-03T09:00:00+05:00");
    let app = NewApplication::validate(&d, &o.catalog, now.date_naive()).unwrap();
    o.r.correct_application(&o.clerk, a, Status::Accepted, &app, "Туу туралы куәлік бойынша", now).unwrap();
    let row = o.r.queue_entry(&o.clerk, a, now).unwrap().unwrap();
    assert_eq!((row.birth_year, row.position), (2023, Some(1)));
    assert_eq!(o.r.queue_entry(&o.clerk, b, now).unwrap().unwrap().position, Some(1));
    assert_eq!(o.r.queue_entry(&o.clerk, c, now).unwrap().unwrap().position, Some(2));
    let own = o.r.position_history(&o.clerk, a, now).unwrap();
    let moves: Vec<_> = own.iter().map(|h| (h.from, h.to, h.cause, h.own)).collect();
    assert_eq!(
        moves,
        vec![
            (None, Some(1), Cause::Registered, true),
            (Some(1), None, Cause::Corrected, true),
            (None, Some(1), Cause::Corrected, true)
        ]
    );
    assert_eq!(
        o.r.position_history(&o.clerk, b, now).unwrap().last().map(|h| (h.cause, h.own)),
        Some((Cause::Corrected, false))
    );
}

#[test]
fn a_transfer_is_queued_like_any_application_and_frees_the_old_place_on_enrolment() {
    let mut o = office();
    let (kg_a, group_a) = o.kindergarten("Күншуақ", 2022, 25);
    let (kg_b, group_b) = o.kindergarten("Айгөлек", 2022, 25);
    let cal = WorkingCalendar::parse(CALENDAR).unwrap();
    let now = at("2026-11-03T09:00:00+05:00");
    let declare = |o: &mut Office, group: i64| {
        let p = Places::validate(&PlacesDraft { group_id: group, count: 1, protocol: "Хаттама № 1".into() }).unwrap();
        o.r.declare_places(&o.executor, &p, now).unwrap();
    };
    let enrol_all = |o: &mut Office| {
        let seen: Vec<Assignment> =
            o.r.preview_distribution(&o.executor, now)
                .unwrap()
                .iter()
                .map(|p| Assignment { place: p.place_id, entry: p.application_id })
                .collect();
        for r in o.r.distribute(&o.head, &seen, &cal, now).unwrap() {
            o.r.referral_step(&o.executor, r.id, ReferralStatus::Issued, ReferralStep::Enrol, "", now).unwrap();
        }
    };
    let (first, _) = o.register(1, "2022-03-01", "", vec![kg_a], "2026-11-02T10:00:00+05:00").unwrap();
    declare(&mut o, group_a);
    enrol_all(&mut o);
    assert_eq!(o.r.queue_entry(&o.clerk, first, now).unwrap().unwrap().state, "enrolled");

    // The parent asks for kindergarten B: a new application, queued by the same rules.
    let again = o.register(1, "2022-03-01", "", vec![kg_b], "2026-11-03T10:00:00+05:00");
    assert!(matches!(again, Err(Error::Duplicate { .. })), "the open application is named: {again:?}");
    let (transfer, position) = o
        .register_with_reason(
            1,
            "2022-03-01",
            "",
            vec![kg_b],
            "2026-11-03T10:00:00+05:00",
            "Басқа балабақшаға ауыстыру",
        )
        .unwrap();
    assert_eq!(position, Some(1));
    declare(&mut o, group_b);
    enrol_all(&mut o);
    let groups: Vec<_> = o.r.kindergartens(&o.clerk, now).unwrap().into_iter().flat_map(|k| k.groups).collect();
    let a = groups.iter().find(|g| g.id == group_a).unwrap();
    let b = groups.iter().find(|g| g.id == group_b).unwrap();
    assert_eq!((a.occupied, a.free), (0, 1), "the old place is free again for the next distribution");
    assert_eq!(b.occupied, 1);
    assert_eq!(o.r.queue_entry(&o.clerk, first, now).unwrap().unwrap().state, "removed");
    assert_eq!(o.r.queue_entry(&o.clerk, transfer, now).unwrap().unwrap().state, "enrolled");
    // Both histories say so: the first ends with the transfer, named by the
    // application that took it elsewhere; the second with its enrolment.
    let first_history = o.r.position_history(&o.clerk, first, now).unwrap();
    let last = first_history.last().unwrap();
    assert_eq!((last.from, last.to, last.cause, last.own), (None, None, Cause::Transferred, false));
    let transfer_number = o.r.application(&o.clerk, transfer, now).unwrap().number;
    assert_eq!(last.subject_number.as_deref(), Some(transfer_number.as_str()));
    assert_eq!(
        first_history.iter().map(|c| c.cause).collect::<Vec<_>>(),
        vec![Cause::Registered, Cause::Referred, Cause::Enrolled, Cause::Transferred]
    );
    assert_eq!(
        o.r.position_history(&o.clerk, transfer, now).unwrap().iter().map(|c| c.cause).collect::<Vec<_>>(),
        vec![Cause::Registered, Cause::Referred, Cause::Enrolled]
    );
}

/// A queue list, a child's entry and history, and the referrals name
/// children and parents: opening them is access to personal data, audited
/// with who looked (Law No. 94-V), as a search by name is.
#[test]
fn opening_queue_lists_entries_and_referrals_is_audited() {
    let mut o = office();
    let (child, _) = o.register(1, "2023-04-05", "general", vec![], "2026-11-02T10:00:00+05:00").unwrap();
    let now = at("2026-11-02T11:00:00+05:00");
    let clerk = o.clerk.clone();
    assert_eq!(o.r.queue(&clerk, 2023, 50, now).unwrap().len(), 1);
    assert!(o.r.queue_entry(&clerk, child, now).unwrap().is_some());
    o.r.position_history(&clerk, child, now).unwrap();
    o.r.referrals(&clerk, None, 50, now).unwrap();
    let seen = o.place.rows(&format!(
        "SELECT action, entity_id FROM audit_events WHERE actor_id = {} AND action LIKE 'view_%' ORDER BY seq",
        clerk.user_id
    ));
    let id = child.to_string();
    assert_eq!(
        seen,
        [
            [Some("view_queue".to_owned()), Some("2023".to_owned())],
            [Some("view_queue_entry".to_owned()), Some(id.clone())],
            [Some("view_position_history".to_owned()), Some(id)],
            [Some("view_referrals".to_owned()), None],
        ]
    );
    // Counts by birth year name nobody: not audited.
    o.r.queue_years(&clerk, now).unwrap();
    assert_eq!(o.place.rows("SELECT seq FROM audit_events WHERE action = 'view_queue_years'").len(), 0);
}

/// The office's catalog changes the queue's shares (one priority child per
/// general child instead of one per three): the preview says how many
/// numbers will move, saving moves them in the same transaction with the
/// rules as the cause, and the full check then finds every number where the
/// rules in force put it.
#[test]
fn new_queue_rules_renumber_the_queue_with_their_cause() {
    use kense_domain::catalog_edit::QueueRulesDraft;
    use kense_storage::CatalogOrigin;

    let mut o = office();
    let mut general = Vec::new();
    for n in 0..4 {
        general
            .push(o.register(n, "2023-05-10", "general", vec![], &format!("2026-11-02T09:0{n}:00+05:00")).unwrap().0);
    }
    let mut priority = Vec::new();
    for n in 4..6 {
        let (id, _) =
            o.register(n, "2023-05-10", "large_family", vec![], &format!("2026-11-02T09:1{n}:00+05:00")).unwrap();
        let issued = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        o.r.confirm_priority(&o.executor, id, "Көп балалы отбасы куәлігі", issued, at("2026-11-02T10:00:00+05:00"))
            .unwrap();
        priority.push(id);
    }
    let now = at("2026-11-02T11:00:00+05:00");
    let number = |o: &mut Office, id: i64| o.r.queue_entry(&o.clerk, id, now).unwrap().unwrap().position;
    assert_eq!(number(&mut o, priority[1]), Some(5), "one priority child per three general ones");

    let rules = o.catalog.queue_rules().unwrap();
    let draft = QueueRulesDraft { mixing_priority: 1, mixing_general: 1, ..QueueRulesDraft::from(&rules) };
    let next = o.catalog.with_queue_rules(draft).unwrap();
    let preview = o.r.preview_catalog(&o.admin, o.catalog.version, &next, now).unwrap();
    assert_eq!(preview.queue_moves, 3, "{:?}", preview.items.queue);
    assert_eq!(number(&mut o, priority[1]), Some(5), "a preview moves nobody");

    o.r.save_catalog(&o.admin, o.catalog.version, &next, CatalogOrigin::Edited, now).unwrap();
    assert_eq!(o.r.queue_rules().unwrap().mixing_general, 1);
    assert_eq!(number(&mut o, priority[1]), Some(3));
    let history = o.r.position_history(&o.clerk, priority[1], now).unwrap();
    let last = history.last().unwrap();
    assert_eq!((last.from, last.to, last.cause), (Some(5), Some(3), Cause::RulesChanged));
    let evidence = o.r.verify_evidence(&mut |_| true).unwrap();
    assert!(evidence.findings.is_empty(), "{:?}", evidence.findings);

    // Saving the same rules again moves nobody.
    let again = next
        .with_checklist(
            "preschool_queue",
            next.service("preschool_queue")
                .unwrap()
                .documents
                .iter()
                .map(kense_domain::catalog_edit::DocumentDraft::from)
                .collect(),
        )
        .unwrap();
    let preview = o.r.preview_catalog(&o.admin, next.version, &again, now).unwrap();
    assert_eq!(preview.queue_moves, 0);
}
