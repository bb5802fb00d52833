//! Name search through the trigram index, and the worklist read status by
//! status, on either engine (`KENSE_TEST_ENGINE=postgres` for the server):
//! the answers are exactly those of a full scan, computed here from what
//! was registered — folded for case and Kazakh letters, for text too short
//! for trigrams, after corrections and outside edits, newest first and cut
//! at the limit; the worklist in order of deadline whatever the limit.

mod common;

use chrono::{DateTime, Duration, FixedOffset};
use common::office::{at, office, Office, PW};
use kense_domain::access::{Actor, Role};
use kense_domain::application::{search_key, ApplicationDraft, NewApplication};
use kense_domain::user::NewUser;
use kense_domain::workflow::{Command, Outcome, Status};
use kense_storage::{ApplicationQuery, Due};

const NOW: &str = "2026-11-24T10:00:00+05:00";

fn now() -> DateTime<FixedOffset> {
    at(NOW)
}

fn application(o: &Office, applicant: &str, child: &str) -> NewApplication {
    let d = ApplicationDraft {
        service_code: "preschool_queue".into(),
        applicant_iin: "900101300007".into(),
        applicant_name: applicant.into(),
        applicant_phone: "+7 701 000 11 22".into(),
        child_iin: "150315500015".into(),
        child_name: child.into(),
        child_birth_date: "2022-05-04".into(),
        documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
        consent: true,
        duplicate_reason: "сынақ".into(),
        ..Default::default()
    };
    NewApplication::validate(&d, &o.catalog, now().date_naive()).unwrap()
}

/// Registers one application; its id and the folded text a full scan reads.
fn register(o: &mut Office, applicant: &str, child: &str) -> (i64, String) {
    let app = application(o, applicant, child);
    let id = o.r.register_application(&o.clerk, &app, Due::default(), now()).unwrap().id;
    (id, search_key(&format!("{applicant} {child}")))
}

fn search(o: &mut Office, text: &str, limit: u32) -> Vec<i64> {
    let q = ApplicationQuery { text: Some(text.into()), limit, ..Default::default() };
    o.r.search(&o.clerk.clone(), &q, now()).unwrap().iter().map(|s| s.id).collect()
}

/// What a full scan answers: every application whose folded names hold
/// the folded text, newest first, cut at the limit.
fn scan(registered: &[(i64, String)], text: &str, limit: u32) -> Vec<i64> {
    let key = search_key(text.trim()).replace(['%', '_'], "");
    let mut ids: Vec<i64> = registered.iter().filter(|(_, folded)| folded.contains(&key)).map(|(id, _)| *id).collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.truncate(limit as usize);
    ids
}

#[test]
fn names_are_found_whatever_the_case_and_kazakh_letters() {
    let mut o = office(NOW);
    let (a, _) = register(&mut o, "Нұрланова Әйгерім", "Нұрланов Ерасыл");
    let (b, _) = register(&mut o, "НУРЛАНОВА АЙГЕРИМ", "Иванов Пётр");
    let (c, _) = register(&mut o, "Қасымов Ғалымжан", "Қасымова Өміргүл");
    let (d, _) = register(&mut o, "Ivanov Sergei", "Ivanova Anna");
    let (e, _) = register(&mut o, "Жұмабаев Һашим", "Жұмабаева Іңкәр");
    for (text, expected) in [
        ("нурланова", vec![b, a]),
        ("НҰРЛАНОВА ӘЙГЕРІМ", vec![b, a]),
        ("нұрланова әйгерім", vec![b, a]),
        ("Айгерим Нурланов", vec![a]),
        ("әйгерім нұрланов ерасыл", vec![a]),
        ("ғалым", vec![c]),
        ("ГАЛЫМ", vec![c]),
        ("өмір", vec![c]),
        ("омиргул", vec![c]),
        ("ivanov", vec![d]),
        ("IVANOVA", vec![d]),
        ("Иванов", vec![b]),
        ("пётр", vec![b]),
        ("петр", vec![b]),
        ("ІҢКӘР", vec![e]),
        ("инкар", vec![e]),
        ("һашим", vec![e]),
        ("хашим", vec![e]),
        ("ов", vec![c, b, a]),
        ("Ә", vec![e, c, b, a]),
        ("ш", vec![e]),
        ("ерасыл иванов", vec![]),
        ("zzz", vec![]),
    ] {
        assert_eq!(search(&mut o, text, 50), expected, "{text:?}");
    }
}

#[test]
fn a_name_search_answers_as_a_full_scan_would() {
    let mut o = office(NOW);
    let surnames = ["Нұрланов", "Қасымов", "Өтегенов", "Сүлейменов", "Ғабдуллин", "Иванов", "Әбілқайыров", "O'Brien"];
    let given = ["Нұрлан", "Әйгерім", "Ерлан", "Гүлжан", "Дәурен", "Ұлан", "Smith-Jones"];
    let mut registered = Vec::new();
    for i in 0..40 {
        let (s, g) = (surnames[i % surnames.len()], given[(i / 3) % given.len()]);
        let child = format!("{s} {}", given[(i + 2) % given.len()]);
        registered.push(register(&mut o, &format!("{s} {g}"), &child));
    }
    let texts = [
        "н",
        "Ә",
        "ов",
        "ОВ",
        "нұр",
        "нур",
        "лан",
        "ерлан",
        "рлан ",
        " ер",
        "ов е",
        "әйгерім",
        "ӘБІЛҚАЙЫРОВ",
        "абилкайыров нурлан",
        "  ерлан   дәурен ",
        "o'b",
        "O'BRIEN",
        "'",
        "\"",
        "ов\"",
        "\"ов\"",
        "smith-jones",
        "%",
        "_",
        "%ов",
        "о_в",
        "ов%ер",
        "zzz",
        "ий",
        "улан",
        "лан ула",
        "a b",
        "ӘӘӘ",
        "нұрланов нұрлан нұрланов",
    ];
    for text in texts {
        for limit in [1, 3, 50] {
            assert_eq!(search(&mut o, text, limit), scan(&registered, text, limit), "{text:?}, limit {limit}");
        }
    }
}

#[test]
fn the_index_follows_corrections_and_outside_edits() {
    let mut o = office(NOW);
    let (other, _) = register(&mut o, "Ерланова Сәуле", "Ерланов Арман");
    let (id, _) = register(&mut o, "Қасымов Ерлан", "Қасымова Дана");
    assert_eq!(search(&mut o, "қасымов", 50), vec![id]);
    let corrected = application(&o, "Жұмабаев Ерлан", "Жұмабаева Дана");
    let clerk = o.clerk.clone();
    o.r.correct_application(&clerk, id, Status::Accepted, &corrected, "Тегі қате жазылған", now()).unwrap();
    assert_eq!(search(&mut o, "қасымов", 50), Vec::<i64>::new(), "the old name is gone from the index");
    assert_eq!(search(&mut o, "касымова", 50), Vec::<i64>::new());
    assert_eq!(search(&mut o, "жұмабаев", 50), vec![id], "the new name is found");
    assert_eq!(search(&mut o, "ерлан", 50), vec![id, other], "once each");
    assert_eq!(search(&mut o, "ЖҰМАБАЕВА ДАНА", 50), vec![id]);

    // Back again, and a second correction of the same record.
    let back = application(&o, "Қасымов Ерлан", "Қасымова Дана");
    o.r.correct_application(&clerk, id, Status::Accepted, &back, "Қате түзетілді", now()).unwrap();
    assert_eq!(search(&mut o, "жумабаев", 50), Vec::<i64>::new());
    assert_eq!(search(&mut o, "касымов ерлан", 50), vec![id]);

    // Written behind Kense's back: the triggers keep the index in step
    // whoever writes (the evidence check is what reports such an edit).
    assert!(!o.place.refuses(&format!("UPDATE applications SET search_text = 'сырттан жазылған' WHERE id = {id}")));
    assert_eq!(search(&mut o, "сырттан", 50), vec![id]);
    assert_eq!(search(&mut o, "касымов", 50), Vec::<i64>::new());
}

/// A registration taken through the workflow to `steps` steps, each step
/// entered with `due` as its deadline.
fn advance(o: &mut Office, id: i64, steps: usize, executor: &Actor, due: Option<DateTime<FixedOffset>>) {
    let (clerk, head) = (o.clerk.clone(), o.head.clone());
    let path: [(Actor, Status, Command); 4] = [
        (clerk, Status::Accepted, Command::SendToHead),
        (head.clone(), Status::WithHead, Command::AssignExecutor { executor_id: executor.user_id }),
        (executor.clone(), Status::WithExecutor, Command::PrepareResult { outcome: Outcome::positive(0) }),
        (head, Status::ResultPrepared, Command::Sign),
    ];
    for (who, from, command) in path.into_iter().take(steps) {
        o.r.take_step(&who, id, from, &command, Due { step: due, whole: None }, now()).unwrap();
    }
}

fn person(o: &mut Office, login: &str, roles: Vec<Role>) -> Actor {
    let admin = o.admin.clone();
    let u = NewUser::validate(login, "Қызметкер Сынақ", roles).unwrap();
    o.r.create_user(&admin, &u, PW, PW, now()).unwrap();
    o.r.log_in(login, PW, now()).unwrap()
}

/// An application as the registry holds it: id, status, step deadline,
/// executor, folded names.
type Held = (i64, Status, Option<String>, Option<i64>, String);

#[test]
fn a_worklist_page_is_the_first_by_deadline_whatever_its_length() {
    let mut o = office(NOW);
    let second = person(&mut o, "exec2", vec![Role::Executor]);
    let both = person(&mut o, "both", vec![Role::Clerk, Role::Head]);
    let executor = o.executor.clone();
    let dues =
        [None, Some(now() + Duration::days(1)), Some(now() - Duration::hours(2)), Some(now() + Duration::days(3))];
    let mut ids = Vec::new();
    for i in 0..30usize {
        let name = if i % 4 == 0 {
            format!("Ерланов Дәурен {i}")
        } else {
            format!("Сәрсенова Айгүл {i}")
        };
        let (id, _) = register(&mut o, &name, "Бала Дана");
        // Ties of deadline in every status, some without one.
        let due = dues[(i * 7 / 3) % dues.len()];
        let who = if i % 2 == 0 { &executor } else { &second };
        advance(&mut o, id, i % 5, who, due);
        ids.push(id);
    }
    // Each record as the registry holds it, read one by one.
    let head = o.head.clone();
    let records: Vec<Held> = ids
        .iter()
        .map(|&id| {
            let r = o.r.application(&head, id, now()).unwrap();
            (id, r.status, r.step_due_at, r.executor_id, search_key(&format!("{} {}", r.applicant_name, "Бала Дана")))
        })
        .collect();
    let waits_for = |actor: &Actor, status: Status, executor_id: Option<i64>| match status {
        Status::Accepted | Status::Signed => actor.has(Role::Clerk),
        Status::WithHead | Status::ResultPrepared => actor.has(Role::Head),
        Status::WithExecutor => actor.has(Role::Executor) && executor_id == Some(actor.user_id),
        _ => false,
    };
    // Today's one query: ORDER BY step_due_at IS NULL, step_due_at, id.
    let expected = |actor: &Actor, keep: &dyn Fn(&Held) -> bool| {
        let mut rows: Vec<_> =
            records.iter().filter(|r| waits_for(actor, r.1, r.3) && keep(r)).map(|r| (r.2.clone(), r.0)).collect();
        rows.sort_by(|a, b| (a.0.is_none(), &a.0, a.1).cmp(&(b.0.is_none(), &b.0, b.1)));
        rows.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    let actors = [o.clerk.clone(), o.head.clone(), executor.clone(), second.clone(), both.clone()];
    for actor in &actors {
        let all = expected(actor, &|_| true);
        for limit in [1, 2, 5, 50] {
            let q = ApplicationQuery { worklist: true, limit, ..Default::default() };
            let page: Vec<i64> = o.r.search(actor, &q, now()).unwrap().iter().map(|s| s.id).collect();
            let want: Vec<i64> = all.iter().copied().take(limit as usize).collect();
            assert_eq!(page, want, "{} limit {limit}", actor.login);
        }
        // With a name: the same order, only those names.
        let q =
            ApplicationQuery { worklist: true, text: Some("ерланов".into()), limit: 50, ..Default::default() };
        let page: Vec<i64> = o.r.search(actor, &q, now()).unwrap().iter().map(|s| s.id).collect();
        assert_eq!(page, expected(actor, &|r| r.4.contains("ерланов")), "{} by name", actor.login);
        // Overdue: cut at the limit among those with a deadline, then the
        // ones past it kept.
        for limit in [2, 50] {
            let q = ApplicationQuery { worklist: true, overdue: true, limit, ..Default::default() };
            let page: Vec<i64> = o.r.search(actor, &q, now()).unwrap().iter().map(|s| s.id).collect();
            let want: Vec<i64> = expected(actor, &|r| r.2.is_some())
                .into_iter()
                .take(limit as usize)
                .filter(|id| records.iter().any(|r| r.0 == *id && r.2.as_deref().is_some_and(|d| d < NOW)))
                .collect();
            assert_eq!(page, want, "{} overdue, limit {limit}", actor.login);
        }
    }
    assert!(!expected(&both, &|_| true).is_empty() && !expected(&second, &|_| true).is_empty(), "every part has rows");
}

#[test]
fn a_registry_upgraded_from_schema_10_finds_its_names_and_knows_requests() {
    if common::engine::on_server() {
        return; // the file's upgrade; the server's is in tests/server.rs
    }
    // An office's file as the release before the index left it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema10.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    for n in 1..=10 {
        let file = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{n:04}_")))
            .unwrap();
        conn.execute_batch(&std::fs::read_to_string(file).unwrap()).unwrap();
    }
    conn.execute_batch(
        "PRAGMA user_version = 10;
         INSERT INTO users (id, login, full_name, password_hash, roles, created_at)
             VALUES (1, 'clerk', 'Тіркеуші', 'x', 'clerk', '2025-01-10T09:00:00+05:00');
         INSERT INTO catalog_versions VALUES (1, '{}', 'ab', '2025-01-10T09:00:00+05:00');",
    )
    .unwrap();
    for (id, folded) in [(1, "нурланова айгерим бала"), (2, "касымов ерлан"), (3, "нурланов даурен")]
    {
        conn.execute(
            "INSERT INTO applications (id, number, series, year, seq, registered_at, registered_by, catalog_version,
                 service_code, service_name_kk, service_name_ru, channel, status, applicant_iin, applicant_name,
                 applicant_phone, applicant_address, consent, notes, search_text)
             VALUES (?1, '01-2025-0000' || ?1, '01', 2025, ?1, '2025-01-10T10:00:00+05:00', 1, 1, 'free_meals',
                     'Тамақ', 'Питание', 'office', 'accepted', '900101300007', 'Өтініш Беруші', '', '', 1, '', ?2)",
            rusqlite::params![id, folded],
        )
        .unwrap();
    }
    drop(conn);
    let mut r = kense_storage::Registry::open(&path).unwrap();
    let clerk =
        Actor { user_id: 1, login: "clerk".into(), full_name: "Тіркеуші".into(), roles: vec![Role::Clerk] };
    let mut found = |text: &str| {
        let q = ApplicationQuery { text: Some(text.into()), limit: 50, ..Default::default() };
        r.search(&clerk, &q, now()).unwrap().iter().map(|s| s.id).collect::<Vec<_>>()
    };
    assert_eq!(found("Нұрланов"), vec![3, 1]);
    assert_eq!(found("ерлан"), vec![2]);
    assert_eq!(found("ДӘУРЕН"), vec![3]);
    // A registration names its request (sent again after its answer was
    // lost, it finds the one that committed): schema 10 as it landed had
    // no column for it, and 11 adds it.
    r.install_catalog(common::CATALOG, now()).unwrap();
    let mut app = common::application(1);
    app.request_id = Some("desk-a:0001".into());
    let first = r.register_application(&clerk, &app, Due::default(), now()).unwrap();
    let again = r.register_application(&clerk, &app, Due::default(), now()).unwrap();
    assert_eq!((first.id, again.id), (4, 4), "one application for one request");
}
