//! The workflow on a real registry: three people take an application from
//! registration to hand-over; wrong roles, the registrar signing, a stale
//! screen and a wrong executor are refused, and every refusal is audited.

use chrono::{DateTime, FixedOffset, NaiveDate};
use kense_domain::access::{Actor, Role};
use kense_domain::application::{ApplicationDraft, NewApplication};
use kense_domain::catalog::Catalog;
use kense_domain::user::NewUser;
use kense_domain::workflow::{Command, Handover, Outcome, Status};
use kense_domain::Error;
use kense_storage::{ApplicationQuery, Due, Registry, Urgency};

mod common;

const CATALOG: &str = include_str!("../../../assets/catalog/services.json");
const PW: &str = "құпия сөз 2026";

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-24T10:15:30+05:00").unwrap()
}

struct Office {
    r: Registry,
    clerk: Actor,
    head: Actor,
    executor: Actor,
    place: common::engine::Place,
    _dir: tempfile::TempDir,
}

fn office() -> Office {
    let dir = tempfile::tempdir().unwrap();
    let place = common::engine::Place::new(dir.path());
    let mut r = place.open();
    r.seal_after_upgrade(now()).unwrap();
    r.install_catalog(CATALOG, now()).unwrap();
    let admin_user = NewUser::validate("admin", "Әкімші", vec![Role::Administrator, Role::Clerk]).unwrap();
    let clerk = r.create_first_administrator(&admin_user, PW, PW, now()).unwrap();
    let mut add = |login: &str, name: &str, roles: Vec<Role>| {
        let u = NewUser::validate(login, name, roles).unwrap();
        r.create_user(&clerk, &u, PW, PW, now()).unwrap();
        r.log_in(login, PW, now()).unwrap()
    };
    let head = add("head", "Басшы Бақыт", vec![Role::Head]);
    let executor = add("exec", "Орындаушы Гүлнар", vec![Role::Executor]);
    Office { r, clerk, head, executor, place, _dir: dir }
}

fn register(o: &mut Office, name: &str, due: Due) -> i64 {
    let d = ApplicationDraft {
        service_code: "preschool_queue".into(),
        applicant_iin: "900101300007".into(),
        applicant_name: name.into(),
        applicant_phone: "+7 701 000 11 22".into(),
        child_iin: "150315500015".into(),
        child_name: "Бала Әлихан".into(),
        child_birth_date: "2022-05-04".into(),
        documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
        consent: true,
        duplicate_reason: "сынақ".into(),
        ..Default::default()
    };
    let catalog = Catalog::parse(CATALOG).unwrap();
    let app = NewApplication::validate(&d, &catalog, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()).unwrap();
    o.r.register_application(&o.clerk, &app, due, now()).unwrap().id
}

#[test]
fn three_people_take_an_application_to_hand_over() {
    let mut o = office();
    let id = register(&mut o, "Сейітқали Нұрлан", Due::default());
    let (clerk, head, executor) = (o.clerk.clone(), o.head.clone(), o.executor.clone());
    let r = &mut o.r;
    r.take_step(&clerk, id, Status::Accepted, &Command::SendToHead, Due::default(), now()).unwrap();
    r.take_step(
        &head,
        id,
        Status::WithHead,
        &Command::AssignExecutor { executor_id: executor.user_id },
        Due::default(),
        now(),
    )
    .unwrap();
    let refusal = Outcome::Refusal { reason_code: "already_queued".into(), explanation: String::new() };
    r.take_step(
        &executor,
        id,
        Status::WithExecutor,
        &Command::PrepareResult { outcome: refusal },
        Due::default(),
        now(),
    )
    .unwrap();
    r.take_step(
        &head,
        id,
        Status::ResultPrepared,
        &Command::ReturnToExecutor { comment: "Кезекті қайта тексеріңіз".into() },
        Due::default(),
        now(),
    )
    .unwrap();
    r.take_step(
        &executor,
        id,
        Status::WithExecutor,
        &Command::PrepareResult { outcome: Outcome::positive(0) },
        Due::default(),
        now(),
    )
    .unwrap();
    r.take_step(&head, id, Status::ResultPrepared, &Command::Sign, Due::default(), now()).unwrap();
    let issued = r
        .take_step(
            &clerk,
            id,
            Status::Signed,
            &Command::Issue { handover: Handover::InPerson, received_by: "Сейітқали Нұрлан".into() },
            Due::default(),
            now(),
        )
        .unwrap();
    assert_eq!(issued.to, Status::Issued);

    let rec = r.application(&clerk, id, now()).unwrap();
    assert_eq!(rec.status, Status::Issued);
    let result = rec.result.unwrap();
    assert_eq!(
        (result.version, result.outcome.as_str()),
        (2, "positive"),
        "the returned version is kept, a new one made"
    );
    assert_eq!(result.signed_by.as_deref(), Some("Басшы Бақыт"));
    let steps: Vec<_> = rec.history.iter().map(|h| h.step.as_str()).collect();
    assert_eq!(
        steps,
        ["send_to_head", "assign_executor", "prepare_result", "return_to_executor", "prepare_result", "sign", "issue"]
    );
    assert_eq!(rec.history[3].comment, "Кезекті қайта тексеріңіз");
    assert_eq!(r.verify_audit_chain().unwrap().first_bad, None);
}

#[test]
fn wrong_people_and_stale_screens_are_refused_and_audited() {
    let mut o = office();
    let id = register(&mut o, "Сейітқали Нұрлан", Due::default());
    let (clerk, head, executor) = (o.clerk.clone(), o.head.clone(), o.executor.clone());
    let r = &mut o.r;
    let events = |r: &Registry| r.verify_audit_chain().unwrap().events;

    r.take_step(&clerk, id, Status::Accepted, &Command::SendToHead, Due::default(), now()).unwrap();
    // A second screen that still shows "accepted" is refused, not applied again.
    assert_eq!(
        r.take_step(&clerk, id, Status::Accepted, &Command::SendToHead, Due::default(), now()),
        Err(Error::InvalidState)
    );
    // Only a head assigns, and only to an executor.
    let before = events(r);
    assert_eq!(
        r.take_step(
            &clerk,
            id,
            Status::WithHead,
            &Command::AssignExecutor { executor_id: executor.user_id },
            Due::default(),
            now()
        ),
        Err(Error::Forbidden)
    );
    assert_eq!(events(r), before + 1, "the denial is audited");
    assert_eq!(
        r.take_step(
            &head,
            id,
            Status::WithHead,
            &Command::AssignExecutor { executor_id: clerk.user_id },
            Due::default(),
            now()
        ),
        Err(Error::NotAnExecutor)
    );
    r.take_step(
        &head,
        id,
        Status::WithHead,
        &Command::AssignExecutor { executor_id: executor.user_id },
        Due::default(),
        now(),
    )
    .unwrap();
    // The head is not the named executor.
    assert_eq!(
        r.take_step(
            &head,
            id,
            Status::WithExecutor,
            &Command::PrepareResult { outcome: Outcome::positive(0) },
            Due::default(),
            now()
        ),
        Err(Error::Forbidden)
    );
    r.take_step(
        &executor,
        id,
        Status::WithExecutor,
        &Command::PrepareResult { outcome: Outcome::positive(0) },
        Due::default(),
        now(),
    )
    .unwrap();
    // A clerk cannot sign.
    assert_eq!(
        r.take_step(&clerk, id, Status::ResultPrepared, &Command::Sign, Due::default(), now()),
        Err(Error::Forbidden)
    );
    assert_eq!(r.application(&clerk, id, now()).unwrap().status, Status::ResultPrepared, "nothing changed");
    assert_eq!(r.verify_audit_chain().unwrap().first_bad, None);
}

#[test]
fn the_registrar_cannot_sign_even_as_head() {
    let mut o = office();
    let u = NewUser::validate("both", "Екі рөлді", vec![Role::Clerk, Role::Head]).unwrap();
    o.r.create_user(&o.clerk.clone(), &u, PW, PW, now()).unwrap();
    let both = o.r.log_in("both", PW, now()).unwrap();
    let clerk = std::mem::replace(&mut o.clerk, both.clone());
    let id = register(&mut o, "Төрт Көз", Due::default());
    o.clerk = clerk;
    let (head, executor) = (o.head.clone(), o.executor.clone());
    let r = &mut o.r;
    r.take_step(&both, id, Status::Accepted, &Command::SendToHead, Due::default(), now()).unwrap();
    r.take_step(
        &both,
        id,
        Status::WithHead,
        &Command::AssignExecutor { executor_id: executor.user_id },
        Due::default(),
        now(),
    )
    .unwrap();
    r.take_step(
        &executor,
        id,
        Status::WithExecutor,
        &Command::PrepareResult { outcome: Outcome::positive(0) },
        Due::default(),
        now(),
    )
    .unwrap();
    assert_eq!(
        r.take_step(&both, id, Status::ResultPrepared, &Command::Sign, Due::default(), now()),
        Err(Error::FourEyes)
    );
    r.take_step(&head, id, Status::ResultPrepared, &Command::Sign, Due::default(), now()).unwrap();
}

/// Today a head who is also an executor could assign himself, prepare and
/// sign: whoever prepared a result cannot sign it, and the refusal is
/// audited; another head signs.
#[test]
fn whoever_prepared_the_result_cannot_sign_it() {
    let mut o = office();
    let u = NewUser::validate("headexec", "Басшы-орындаушы", vec![Role::Head, Role::Executor]).unwrap();
    o.r.create_user(&o.clerk.clone(), &u, PW, PW, now()).unwrap();
    let both = o.r.log_in("headexec", PW, now()).unwrap();
    let id = register(&mut o, "Өзі Қол", Due::default());
    let (clerk, head) = (o.clerk.clone(), o.head.clone());
    let r = &mut o.r;
    r.take_step(&clerk, id, Status::Accepted, &Command::SendToHead, Due::default(), now()).unwrap();
    let assign = Command::AssignExecutor { executor_id: both.user_id };
    r.take_step(&both, id, Status::WithHead, &assign, Due::default(), now()).unwrap();
    let prepare = Command::PrepareResult { outcome: Outcome::positive(0) };
    r.take_step(&both, id, Status::WithExecutor, &prepare, Due::default(), now()).unwrap();
    assert_eq!(
        r.take_step(&both, id, Status::ResultPrepared, &Command::Sign, Due::default(), now()),
        Err(Error::FourEyes)
    );
    assert_eq!(r.application(&clerk, id, now()).unwrap().status, Status::ResultPrepared, "nothing changed");
    let denied = o
        .place
        .rows(&format!("SELECT seq FROM audit_events WHERE action = 'denied:sign' AND actor_id = {}", both.user_id));
    assert_eq!(denied.len(), 1, "the refused signature is audited");
    let r = &mut o.r;
    r.take_step(&head, id, Status::ResultPrepared, &Command::Sign, Due::default(), now()).unwrap();
    assert_eq!(r.verify_audit_chain().unwrap().first_bad, None);
}

/// The overdue search is exact whatever the office's size: the oldest
/// overdue applications come first and are never cut off by newer ones
/// that are not overdue, nor by a due moment written with another offset.
#[test]
fn the_overdue_search_finds_the_oldest_whatever_comes_after() {
    let mut o = office();
    let mut overdue = Vec::new();
    for days in [9, 7, 5, 3] {
        let due = Due { step: Some(now() - chrono::Duration::days(days)), whole: None };
        overdue.push(register(&mut o, &format!("Кешіккен {days}"), due));
    }
    // Written as UTC+6 (before 2024), an hour overdue on the office's clock
    // though its text reads later than now's.
    let six = FixedOffset::east_opt(6 * 3600).unwrap();
    let shifted = Due { step: Some((now() - chrono::Duration::minutes(30)).with_timezone(&six)), whole: None };
    let half_hour = register(&mut o, "Алты сағат белдеуі", shifted);
    for n in 0..12 {
        register(&mut o, &format!("Уақытында {n}"), Due { step: Some(now() + chrono::Duration::days(2)), whole: None });
    }
    let clerk = o.clerk.clone();
    let page = |limit| ApplicationQuery { overdue: true, limit, ..Default::default() };
    let ids = |hits: Vec<kense_storage::ApplicationSummary>| hits.into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(ids(o.r.search(&clerk, &page(3), now()).unwrap()), overdue[..3], "the oldest three first");
    let all = ids(o.r.search(&clerk, &page(50), now()).unwrap());
    assert_eq!(all, [overdue.clone(), vec![half_hour]].concat());
}

#[test]
fn search_by_name_iin_number_and_deadline() {
    let mut o = office();
    let late = Due { step: Some(now() - chrono::Duration::hours(1)), whole: None };
    let a = register(&mut o, "Нұрланова Әйгерім", late);
    register(&mut o, "Иванова Ольга", Due { step: Some(now() + chrono::Duration::days(3)), whole: None });
    let clerk = o.clerk.clone();
    let q = |text: &str| ApplicationQuery { text: Some(text.into()), limit: 50, ..Default::default() };
    let found = |r: &mut Registry, q: &ApplicationQuery| {
        r.search(&clerk, q, now()).unwrap().iter().map(|s| s.id).collect::<Vec<_>>()
    };
    assert_eq!(found(&mut o.r, &q("нурланова")), vec![a], "case and Kazakh letters folded");
    assert_eq!(found(&mut o.r, &q("АЙГЕРИМ")), vec![a]);
    assert_eq!(found(&mut o.r, &q("900101300007")).len(), 2, "by applicant IIN");
    assert_eq!(found(&mut o.r, &q("01-2026-00001")), vec![a]);
    let overdue = ApplicationQuery { overdue: true, limit: 50, ..Default::default() };
    let hits = o.r.search(&clerk, &overdue, now()).unwrap();
    assert_eq!(hits.iter().map(|s| (s.id, s.urgency)).collect::<Vec<_>>(), vec![(a, Urgency::Overdue)]);
}

#[test]
fn the_executor_names_which_of_several_results_is_prepared() {
    let mut o = office();
    let d = ApplicationDraft {
        service_code: "minors_property_certificate".into(),
        channel: Some(kense_domain::catalog::Channel::StateCorporation),
        applicant_iin: "900101300007".into(),
        applicant_name: "Мүлік Иесі".into(),
        applicant_phone: "+7 701 000 11 22".into(),
        child_iin: "150315500015".into(),
        child_name: "Бала Әлихан".into(),
        child_birth_date: "2015-03-15".into(),
        documents: vec!["application".into(), "identity_document".into()],
        consent: true,
        ..Default::default()
    };
    let catalog = Catalog::parse(CATALOG).unwrap();
    let app = NewApplication::validate(&d, &catalog, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()).unwrap();
    let id = o.r.register_application(&o.clerk, &app, Due::default(), now()).unwrap().id;
    let (clerk, head, executor) = (o.clerk.clone(), o.head.clone(), o.executor.clone());
    let r = &mut o.r;
    let service = r.service_spec(id).unwrap();
    assert_eq!(service.workflow_results().len(), 3, "three different certificates");
    r.take_step(&clerk, id, Status::Accepted, &Command::SendToHead, Due::default(), now()).unwrap();
    r.take_step(
        &head,
        id,
        Status::WithHead,
        &Command::AssignExecutor { executor_id: executor.user_id },
        Due::default(),
        now(),
    )
    .unwrap();
    let third = Command::PrepareResult { outcome: Outcome::positive(2) };
    r.take_step(&executor, id, Status::WithExecutor, &third, Due::default(), now()).unwrap();
    let rec = r.application(&head, id, now()).unwrap();
    assert_eq!(rec.result.unwrap().form, 2);
    assert_eq!(rec.result_forms.len(), 3);
    assert_eq!(rec.result_forms[2], service.workflow_results()[2].name);
}

/// The Sign step made with the head's certificate: refused without an IIN
/// on his account and with a certificate naming someone else (nothing
/// changes), then kept with the signed file, its print record and the
/// certificate's facts, in one audited step.
#[test]
fn a_result_signed_with_the_heads_certificate_keeps_the_file_and_its_facts() {
    use kense_domain::iin::Iin;
    use kense_storage::{CertificateSignature, SigningMethod};
    let mut o = office();
    let id = register(&mut o, "Сейітқали Нұрлан", Due::default());
    let (clerk, head, executor) = (o.clerk.clone(), o.head.clone(), o.executor.clone());
    let r = &mut o.r;
    r.take_step(&clerk, id, Status::Accepted, &Command::SendToHead, Due::default(), now()).unwrap();
    let assign = Command::AssignExecutor { executor_id: executor.user_id };
    r.take_step(&head, id, Status::WithHead, &assign, Due::default(), now()).unwrap();
    let positive = Command::PrepareResult { outcome: Outcome::positive(0) };
    r.take_step(&executor, id, Status::WithExecutor, &positive, Due::default(), now()).unwrap();

    let pdf = b"%PDF-1.7 signed result".to_vec();
    let sha = "ab".repeat(32);
    let sig = |iin: &'static str| CertificateSignature {
        method: SigningMethod::KeyFile,
        signer_name: "ЖҰМАБЕКОВ ӘЛИХАН",
        signer_iin: iin,
        signer_bin: Some("123456789013"),
        cert_serial: "1A2B3C4D5E6F",
        cert_issuer: "CN=Test НУЦ РК (RSA), O=Kense test PKI, C=KZ",
        cert_sha256: "CD".repeat(32).leak(),
        base_sha256: "ef".repeat(32).leak(),
        signed_sha256: sha.clone().leak(),
        signed_pdf: pdf.clone().leak(),
        kind: "result",
        copy: 1,
        verification: "KENSE1|test",
        file_name: "А-1-result.pdf",
    };
    let head_iin = "780415300126";
    let sign = |r: &mut Registry, iin| {
        r.sign_result_with_certificate(&head, id, Status::ResultPrepared, &sig(iin), Due::default(), now())
    };
    assert_eq!(sign(r, head_iin), Err(Error::NoSignerIin));
    // Only the administrator enters an IIN on an account.
    let iin = Iin::parse(kense_domain::Field::UserIin, head_iin).unwrap();
    assert_eq!(r.set_user_iin(&head, head.user_id, Some(&iin), now()), Err(Error::Forbidden));
    r.set_user_iin(&clerk, head.user_id, Some(&iin), now()).unwrap();
    assert_eq!(r.user_iin(head.user_id).unwrap().as_deref(), Some(head_iin));
    assert_eq!(sign(r, "900101300007"), Err(Error::CertificateNotHeads { found: Some("900101300007".into()) }));
    let rec = r.application(&clerk, id, now()).unwrap();
    assert_eq!(rec.status, Status::ResultPrepared, "a refused signature changes nothing");
    assert_eq!(r.signed_result_pdf(&head, id, now()), Err(Error::NotFound));

    let taken = sign(r, head_iin).unwrap();
    assert_eq!(taken.to, Status::Signed);
    let rec = r.application(&clerk, id, now()).unwrap();
    let result = rec.result.unwrap();
    assert_eq!(result.signed_by.as_deref(), Some("Басшы Бақыт"));
    let facts = result.certificate.expect("the certificate's facts");
    assert_eq!((facts.signer_iin.as_str(), facts.cert_serial.as_str()), (head_iin, "1A2B3C4D5E6F"));
    assert_eq!((facts.method, facts.copy, facts.signed_sha256.as_str()), (SigningMethod::KeyFile, 1, sha.as_str()));
    assert_eq!(r.signed_result_pdf(&head, id, now()).unwrap(), pdf);
    // The signed file is the result's first copy: the next print is the second.
    assert_eq!(r.next_copy_number(id, "result").unwrap(), 2);
    // Signed once: a second signature is a stale screen.
    assert_eq!(sign(r, head_iin), Err(Error::InvalidState));
    assert_eq!(r.verify_audit_chain().unwrap().first_bad, None);
    assert!(r.verify_evidence(&mut |_| true).unwrap().findings.is_empty());
    let after = o.place.read("SELECT after FROM audit_events WHERE action = 'sign'");
    assert!(after.contains("1A2B3C4D5E6F") && after.contains(&sha), "{after}");
    assert_eq!(o.place.read("SELECT count(*) FROM audit_events WHERE action = 'save_signed_result'"), "1");
}

/// The administrator imports the certificates and lists the verify screen
/// trusts; the same file twice, or anyone else importing, is refused.
#[test]
fn trusted_files_are_the_administrators_and_each_is_imported_once() {
    use kense_storage::NewTrustedFile;
    let mut o = office();
    let (admin, head) = (o.clerk.clone(), o.head.clone());
    let r = &mut o.r;
    let sha = "0F".repeat(32);
    let file = NewTrustedFile {
        kind: "certificate",
        name: "CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)",
        sha256: &sha,
        der: b"\x30\x82 der",
        valid_from: "Jan  1 00:00:00 2020 GMT",
        valid_until: Some("Jan  1 00:00:00 2045 GMT"),
    };
    assert_eq!(r.import_trusted_file(&head, &file, now()), Err(Error::Forbidden));
    let imported = r.import_trusted_file(&admin, &file, now()).unwrap();
    assert_eq!((imported.kind.as_str(), imported.sha256.as_str()), ("certificate", sha.as_str()));
    assert_eq!(r.import_trusted_file(&admin, &file, now()), Err(Error::AlreadyTrusted));
    assert_eq!(r.trusted_files().unwrap().len(), 1);
    assert_eq!(r.trusted_der().unwrap(), vec![("certificate".to_owned(), b"\x30\x82 der".to_vec())]);
    assert_eq!(r.verify_audit_chain().unwrap().first_bad, None);
}
