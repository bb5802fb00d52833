//! The registry on a real SQLite file: migrations, durability across
//! reopening, numbering, authorization and the audit chain.

use chrono::{DateTime, FixedOffset, NaiveDate};
use kense_domain::access::{Actor, Role};
use kense_domain::application::{ApplicationDraft, NewApplication, Status};
use kense_domain::catalog::Catalog;
use kense_domain::user::NewUser;
use kense_domain::Error;
use kense_storage::{Due, Registry};
use rusqlite::Connection;

mod common;

use common::engine::Place;

const CATALOG: &str = include_str!("../../../assets/catalog/services.json");

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn now() -> DateTime<FixedOffset> {
    at("2026-11-24T10:15:30+05:00")
}

fn draft() -> ApplicationDraft {
    ApplicationDraft {
        service_code: "preschool_queue".into(),
        applicant_iin: "900101300007".into(),
        applicant_name: "Сәрсенбаева Гүлнұр Қайратқызы".into(),
        applicant_phone: "+7 701 000 11 22".into(),
        child_iin: "150315500015".into(),
        child_name: "Сәрсенбаев Әлихан".into(),
        child_birth_date: "2022-05-04".into(),
        documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
        consent: true,
        ..Default::default()
    }
}

fn application(d: &ApplicationDraft) -> NewApplication {
    let catalog = Catalog::parse(CATALOG).unwrap();
    NewApplication::validate(d, &catalog, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()).unwrap()
}

/// A registry with its catalog and a first administrator who is also a
/// clerk, on the engine the suite runs on (see `common::engine`).
fn fresh(place: &Place) -> (Registry, Actor) {
    let mut r = place.open();
    r.seal_after_upgrade(now()).unwrap();
    r.install_catalog(CATALOG, now()).unwrap();
    let user = NewUser::validate("admin", "Әкімші Бақытжан", vec![Role::Administrator, Role::Clerk]).unwrap();
    let actor = r.create_first_administrator(&user, "құпия сөз 2026", "құпия сөз 2026", now()).unwrap();
    (r, actor)
}

#[test]
fn migrations_build_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    let r = Registry::open(&path).unwrap();
    assert!(!r.has_users().unwrap());
    drop(r);
    let conn = Connection::open(&path).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, kense_storage::SCHEMA_VERSION);
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('applications','audit_events','users')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 3);
    // Reopening an up-to-date file changes nothing.
    drop(conn);
    Registry::open(&path).unwrap();
}

// A broken migration rolling back whole is tested beside the migrations
// (src/migrations.rs), which are not part of the registry's API.

#[test]
fn a_database_from_a_newer_kense_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    drop(Registry::open(&path).unwrap());
    let newer = kense_storage::SCHEMA_VERSION + 1;
    Connection::open(&path).unwrap().pragma_update(None, "user_version", newer).unwrap();
    match Registry::open(&path) {
        Err(Error::DatabaseNewer { found, supported }) => {
            assert_eq!(found, newer);
            assert_eq!(supported, newer - 1);
        }
        other => panic!("expected DatabaseNewer, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_registration_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let place = Place::new(dir.path());
    let (mut r, actor) = fresh(&place);
    let reg = r.register_application(&actor, &application(&draft()), Due::default(), now()).unwrap();
    assert_eq!(reg.number, "01-2026-00001");
    assert_eq!(reg.status, Status::Accepted);
    drop(r);

    let mut r = place.open();
    let actor = r.log_in("admin", "құпия сөз 2026", now()).unwrap();
    let rec = r.application(&actor, reg.id, now()).unwrap();
    assert_eq!(rec.number, "01-2026-00001");
    assert_eq!(rec.registered_at, now());
    assert_eq!(rec.applicant_name, "Сәрсенбаева Гүлнұр Қайратқызы");
    assert_eq!(rec.child_iin.as_deref(), Some("150315500015"));
    assert_eq!(rec.registered_by, "Әкімші Бақытжан");
    assert_eq!(rec.documents.iter().filter(|d| d.presented).count(), 3);
    assert_eq!(r.verify_audit_chain().unwrap().first_bad, None);
}

#[test]
fn numbers_are_sequential_per_year_and_refusals_take_a_number_too() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, actor) = fresh(&Place::new(dir.path()));
    let a = r.register_application(&actor, &application(&draft()), Due::default(), now()).unwrap();
    let mut incomplete = draft();
    incomplete.documents = vec!["application".into()];
    let b = r.register_application(&actor, &application(&incomplete), Due::default(), now()).unwrap();
    assert_eq!(b.status, Status::RefusedAtIntake);
    let mut again = draft();
    again.duplicate_reason = "Ата-анасы екінші рет жүгінді".into();
    let c =
        r.register_application(&actor, &application(&again), Due::default(), at("2027-01-05T09:00:00+05:00")).unwrap();
    assert_eq!([a.number, b.number, c.number], ["01-2026-00001", "01-2026-00002", "01-2027-00001"]);
}

#[test]
fn a_second_open_application_for_the_same_child_needs_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, actor) = fresh(&Place::new(dir.path()));
    let first = r.register_application(&actor, &application(&draft()), Due::default(), now()).unwrap();
    let before = r.verify_audit_chain().unwrap().events;
    assert_eq!(
        r.register_application(&actor, &application(&draft()), Due::default(), now()),
        Err(Error::Duplicate { number: first.number.clone() })
    );
    assert_eq!(r.verify_audit_chain().unwrap().events, before, "nothing written");
    let mut again = draft();
    again.duplicate_reason = "Бірінші өтініш қате тіркелген".into();
    let second = r.register_application(&actor, &application(&again), Due::default(), now()).unwrap();
    assert_eq!(second.number, "01-2026-00002");
}

/// A service about no child (an adopter's registration) allows one open
/// application per applicant; a second needs a reason, as for a child.
#[test]
fn a_second_open_application_of_the_same_applicant_needs_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, actor) = fresh(&Place::new(dir.path()));
    let catalog = Catalog::parse(CATALOG).unwrap();
    let channel = kense_domain::catalog::Channel::Office;
    let service = catalog.service("adopter_registration").unwrap();
    let adopter = |reason: &str| ApplicationDraft {
        service_code: service.code.clone(),
        channel: Some(channel),
        applicant_iin: "900101300007".into(),
        applicant_name: "Асыраушы Гүлжан".into(),
        applicant_phone: "+7 701 000 11 22".into(),
        documents: service.documents_for(channel).map(|d| d.code.clone()).collect(),
        consent: true,
        duplicate_reason: reason.into(),
        ..Default::default()
    };
    let first = r.register_application(&actor, &application(&adopter("")), Due::default(), now()).unwrap();
    assert_eq!(first.status, Status::Accepted);
    let before = r.verify_audit_chain().unwrap().events;
    assert_eq!(
        r.register_application(&actor, &application(&adopter("")), Due::default(), now()),
        Err(Error::Duplicate { number: first.number.clone() })
    );
    assert_eq!(r.verify_audit_chain().unwrap().events, before, "nothing written");
    let second =
        r.register_application(&actor, &application(&adopter("Жұбайы бөлек өтініш берді")), Due::default(), now());
    assert!(second.is_ok(), "{second:?}");
}

#[test]
fn only_a_clerk_registers_and_a_refusal_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, actor) = fresh(&Place::new(dir.path()));
    let admin_only = Actor { roles: vec![Role::Administrator], ..actor };
    let before = r.verify_audit_chain().unwrap().events;
    assert_eq!(
        r.register_application(&admin_only, &application(&draft()), Due::default(), now()),
        Err(Error::Forbidden)
    );
    let after = r.verify_audit_chain().unwrap();
    assert_eq!(after.events, before + 1, "the denial is in the audit");
    assert_eq!(after.first_bad, None);
}

#[test]
fn first_run_cannot_be_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = fresh(&Place::new(dir.path()));
    let user = NewUser::validate("intruder", "Intruder", vec![Role::Administrator]).unwrap();
    assert_eq!(
        r.create_first_administrator(&user, "password123", "password123", now()).unwrap_err(),
        Error::AlreadyInitialised
    );
}

#[test]
fn wrong_passwords_lock_the_account_with_back_off() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = fresh(&Place::new(dir.path()));
    for _ in 0..4 {
        assert_eq!(r.log_in("admin", "wrong password", now()).unwrap_err(), Error::BadCredentials);
    }
    assert_eq!(r.log_in("admin", "wrong password", now()).unwrap_err(), Error::AccountLocked { minutes: 1 });
    // Even the right password waits out the lock.
    assert!(matches!(r.log_in("admin", "құпия сөз 2026", now()), Err(Error::AccountLocked { .. })));
    let later = at("2026-11-24T10:17:00+05:00");
    assert!(r.log_in("ADMIN", "құпия сөз 2026", later).is_ok(), "login is case-insensitive; lock expired");
    assert_eq!(r.log_in("nobody", "whatever", later).unwrap_err(), Error::BadCredentials);
    assert_eq!(r.verify_audit_chain().unwrap().first_bad, None);
}

#[test]
fn audit_rows_cannot_be_changed_through_sql_and_outside_edits_are_found() {
    // The file's own test: the server's twin is in tests/server.rs.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let (mut r, actor) = fresh(&Place::File(path.clone()));
    for i in 0..3 {
        let mut d = draft();
        d.duplicate_reason = format!("сынақ {i}");
        r.register_application(&actor, &application(&d), Due::default(), now()).unwrap();
    }
    let status = r.verify_audit_chain().unwrap();
    assert_eq!(status.first_bad, None);
    assert_eq!(status.head, r.audit_head().unwrap());
    drop(r);

    let conn = Connection::open(&path).unwrap();
    let err = conn.execute("UPDATE audit_events SET actor_id = 99 WHERE seq = 3", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(conn.execute("DELETE FROM audit_events WHERE seq = 3", []).is_err());

    // Someone with the file and a SQLite shell drops the trigger first.
    conn.execute_batch("DROP TRIGGER audit_events_no_update;").unwrap();
    conn.execute("UPDATE audit_events SET after = replace(after, 'Сәрсенбаева', 'Иванова') WHERE seq = 4", []).unwrap();
    drop(conn);
    let r = Registry::open(&path).unwrap();
    assert_eq!(r.verify_audit_chain().unwrap().first_bad, Some(4));
}

#[test]
fn a_deleted_audit_row_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let (mut r, actor) = fresh(&Place::File(path.clone()));
    for i in 0..3 {
        let mut d = draft();
        d.duplicate_reason = format!("сынақ {i}");
        r.register_application(&actor, &application(&d), Due::default(), now()).unwrap();
    }
    drop(r);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 3;").unwrap();
    drop(conn);
    assert_eq!(Registry::open(&path).unwrap().verify_audit_chain().unwrap().first_bad, Some(3));
}

#[test]
fn the_administrator_sets_the_office_series_and_first_number() {
    use kense_domain::office::{OfficeData, OfficeDraft};
    let dir = tempfile::tempdir().unwrap();
    let (mut r, actor) = fresh(&Place::new(dir.path()));
    let data = OfficeData::validate(&OfficeDraft {
        name_kk: "Шиелі ауданының білім бөлімі".into(),
        name_ru: "Отдел образования Шиелийского района".into(),
        address_kk: "Шиелі к., 1".into(),
        address_ru: "пос. Шиели, 1".into(),
        phone: "8 72432 41234".into(),
        series: "ШБ".into(),
        start_number: 1250,
        bin: "123456789013".into(),
    })
    .unwrap();
    let clerk_only = Actor { roles: vec![Role::Clerk], ..actor.clone() };
    assert_eq!(r.update_office(&clerk_only, &data, now()).unwrap_err(), Error::Forbidden);
    r.update_office(&actor, &data, now()).unwrap();
    assert_eq!(r.office().unwrap().name.ru, "Отдел образования Шиелийского района");
    assert_eq!(r.office().unwrap().bin.as_deref(), Some("123456789013"));
    let reg = r.register_application(&actor, &application(&draft()), Due::default(), now()).unwrap();
    assert_eq!(reg.number, "ШБ-2026-01250", "a paper journal carried on");
    assert_eq!(r.verify_audit_chain().unwrap().first_bad, None);
}

#[test]
fn a_correction_keeps_the_earlier_wording_as_a_version() {
    let dir = tempfile::tempdir().unwrap();
    let place = Place::new(dir.path());
    let (mut r, actor) = fresh(&place);
    let reg = r.register_application(&actor, &application(&draft()), Due::default(), now()).unwrap();
    let mut fixed = draft();
    fixed.applicant_name = "Сәрсенбаева Гүлнұр Қайратқызы-Түзетілген".into();
    fixed.representative_iin = "150315500607".into();
    fixed.representative_name = "Өкіл Ержан".into();
    fixed.poa_number = "12-345".into();
    fixed.poa_date = "2026-11-01".into();
    let app = application(&fixed);
    assert_eq!(
        r.correct_application(&actor, reg.id, Status::Accepted, &app, "  ", now()),
        Err(Error::Required(kense_domain::Field::CorrectionReason))
    );
    assert_eq!(
        r.correct_application(&actor, reg.id, Status::WithHead, &app, "Тегі қате жазылған", now()),
        Err(Error::InvalidState),
        "a stale screen"
    );
    assert_eq!(r.correct_application(&actor, reg.id, Status::Accepted, &app, "Тегі қате жазылған", now()), Ok(1));
    let rec = r.application(&actor, reg.id, now()).unwrap();
    assert_eq!(rec.applicant_name, "Сәрсенбаева Гүлнұр Қайратқызы-Түзетілген");
    assert_eq!(rec.corrections, 1);
    assert_eq!(rec.representative.unwrap().poa_number, "12-345");
    assert_eq!(rec.number, reg.number, "the number never changes");
    drop(r);
    let previous = place.read(&format!("SELECT previous FROM application_versions WHERE application_id = {}", reg.id));
    assert!(previous.contains("\"Сәрсенбаева Гүлнұр Қайратқызы\""), "{previous}");
    assert!(place.refuses("DELETE FROM application_versions"), "versions are append-only");
    assert_eq!(place.open().verify_audit_chain().unwrap().first_bad, None);
}

#[test]
fn calendar_years_entered_by_the_administrator_persist() {
    use kense_domain::calendar::{Transfer, YearRules};
    let dir = tempfile::tempdir().unwrap();
    let place = Place::new(dir.path());
    let (mut r, actor) = fresh(&place);
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let rules = YearRules {
        kurban_ait: d("2027-05-17"),
        transfers: vec![Transfer { day_off: d("2027-01-08"), working_day: d("2027-01-09"), decree: "№ 1".into() }],
    };
    let clerk_only = Actor { roles: vec![Role::Clerk], ..actor.clone() };
    let same = |_: &kense_storage::OpenDue| Due::default();
    assert_eq!(r.set_calendar_year(&clerk_only, 2027, &rules, now(), &same), Err(Error::Forbidden));
    assert_eq!(r.set_calendar_year(&actor, 2026, &rules, now(), &same), Err(Error::CalendarYear));
    assert_eq!(r.set_calendar_year(&actor, 2027, &rules, now(), &same), Ok(0), "nothing open");
    drop(r);
    let r = place.open();
    let years = r.calendar_years().unwrap();
    assert_eq!(years.len(), 1);
    assert_eq!(years[0].0, 2027);
    assert_eq!(years[0].1.transfers[0].decree, "№ 1");
}

/// Due moments that fall in a year whose moving days were not entered are
/// provisional: entering the year computes them again, in the same audited
/// transaction, for open applications only, from the moment each entered
/// its status.
#[test]
fn entering_a_year_computes_its_due_moments_again() {
    use kense_domain::calendar::YearRules;
    let dir = tempfile::tempdir().unwrap();
    let place = Place::new(dir.path());
    let (mut r, actor) = fresh(&place);
    let due = |s: &str| Due { step: Some(at(s)), whole: Some(at(s)) };
    let in_2027 =
        r.register_application(&actor, &application(&draft()), due("2027-01-05T18:00:00+05:00"), now()).unwrap();
    let mut other = draft();
    other.child_iin = "220315500605".into();
    other.child_birth_date = "2022-03-15".into();
    let in_2026 =
        r.register_application(&actor, &application(&other), due("2026-12-28T18:00:00+05:00"), now()).unwrap();
    let rules: YearRules = serde_json::from_str(r#"{"kurban_ait": "2027-05-17", "transfers": []}"#).unwrap();
    let seen = std::cell::RefCell::new(Vec::new());
    let moved = r
        .set_calendar_year(&actor, 2027, &rules, now(), &|open| {
            seen.borrow_mut().push((open.id, open.status, open.entered_at, open.service_code.clone()));
            Due { step: Some(at("2027-01-06T18:00:00+05:00")), whole: Some(at("2027-01-07T18:00:00+05:00")) }
        })
        .unwrap();
    assert_eq!(moved, 1);
    assert_eq!(seen.into_inner(), [(in_2027.id, Status::Accepted, now(), "preschool_queue".to_owned())]);
    let dues = |id: i64| place.rows(&format!("SELECT step_due_at, due_at FROM applications WHERE id = {id}"));
    assert_eq!(
        dues(in_2027.id),
        [[Some("2027-01-06T18:00:00+05:00".to_owned()), Some("2027-01-07T18:00:00+05:00".to_owned())]]
    );
    assert_eq!(
        dues(in_2026.id),
        [[Some("2026-12-28T18:00:00+05:00".to_owned()), Some("2026-12-28T18:00:00+05:00".to_owned())]],
        "a due moment before the year stays"
    );
    let event = place.read("SELECT after FROM audit_events WHERE action = 'set_calendar_year'");
    assert!(event.contains("\"due_moments_recomputed\":1"), "{event}");
    assert_eq!(r.verify_audit_chain().unwrap().first_bad, None);
    let e = r.check_evidence(None).unwrap();
    assert!(e.findings.is_empty(), "the new due moments are sealed with the event: {:?}", e.findings);
}

/// A checklist keeps each document's kind and the clerk's marks, on either
/// engine: school meals with the birth certificate found in the IS, the
/// targeted-assistance condition applying (and its certificate missing),
/// and the identity document expired. The evidence check holds over the
/// marks as over the checklist.
#[test]
fn a_checklist_keeps_its_kinds_and_marks() {
    use kense_domain::catalog::DocumentKind;
    let dir = tempfile::tempdir().unwrap();
    let place = Place::new(dir.path());
    let (mut r, actor) = fresh(&place);
    let mut d = draft();
    d.service_code = "free_meals".into();
    d.documents = vec!["application".into(), "identity_document".into()];
    d.found_in_is = vec!["birth_certificate".into()];
    d.conditions_apply = vec!["asp_certificate".into()];
    d.expired = vec!["identity_document".into()];
    let reg = r.register_application(&actor, &application(&d), Due::default(), now()).unwrap();
    assert_eq!(reg.status, Status::RefusedAtIntake);
    drop(r);

    let mut r = place.open();
    let actor = r.log_in("admin", "құпия сөз 2026", now()).unwrap();
    let rec = r.application(&actor, reg.id, now()).unwrap();
    let line = |code: &str| rec.documents.iter().find(|l| l.code == code).unwrap().clone();
    let birth = line("birth_certificate");
    assert_eq!(birth.kind, DocumentKind::RequiredUnlessInIs);
    assert!(birth.found_in_is && !birth.required && !birth.presented);
    let asp = line("asp_certificate");
    assert_eq!(asp.kind.condition().map(|c| c.ru.contains("адресную социальную помощь")), Some(true));
    assert!(asp.condition_applies && asp.required && !asp.presented);
    assert!(line("identity_document").expired);
    assert_eq!(line("income").kind.code(), "conditional");
    assert!(!line("income").required, "a condition not marked does not apply");
    let grounds: Vec<&str> = rec.documents.iter().filter(|l| l.ground().is_some()).map(|l| l.code.as_str()).collect();
    assert_eq!(grounds, ["identity_document", "asp_certificate"]);
    assert!(r.verify_evidence(&mut |_| true).unwrap().holds());
}
