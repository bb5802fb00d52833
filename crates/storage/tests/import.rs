//! Importing an office's existing queue and register on a real registry
//! (either engine): a file of 5 000 children with 2 % bad rows is dry-run
//! (exactly the bad rows listed, the numbers promised), imported in one
//! transaction under one audit event (the numbers are the ones promised and
//! the ones the file's moments and categories imply), imported again
//! (nothing), and brought back with one row changed (only that row is a
//! conflict). A cancelled import leaves nothing; only the administrator
//! imports. Historical applications keep their old numbers.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use kense_domain::access::Role;
use kense_domain::application::{ApplicationDraft, NewApplication};
use kense_domain::import::history;
use kense_domain::import::queue::{read_sheet, QueueImportContext, QueueSheet, COLUMNS};
use kense_domain::import::Cell;
use kense_domain::queue::{positions, Cause, EntryState, Kindergarten, KindergartenDraft, QueueClaim, QueueEntry};
use kense_domain::Error;
use kense_storage::{Due, ImportFile, IMPORT_SERIES};

mod common;

use common::office::{at, child_iin, office as office_at, Office};

const NOW: &str = "2026-11-24T10:00:00+05:00";

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn header() -> Vec<Cell> {
    COLUMNS.iter().map(|c| t(c.header())).collect()
}

/// One child of the generated file: born 2021–2025, applied some days after
/// birth at a moment of its own.
fn good_row(i: usize) -> Vec<Cell> {
    let born = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap() + Duration::days((i % 1_700) as i64);
    let n = (i / 1_700) as u32 + 1;
    let applied = born.and_hms_opt(9, 0, 0).unwrap()
        + Duration::days(20 + (i * 7 % 300) as i64)
        + Duration::seconds((i * 37 % 28_000) as i64);
    let category = match i % 50 {
        0 => "Әскери қызметшілердің балалары",
        1..=5 => "large_family",
        6 => "Дети-сироты и дети, оставшиеся без попечения родителей",
        _ => "",
    };
    // Half the moments as text, half as Excel serials, as real files mix.
    let applied_cell = if i.is_multiple_of(2) {
        t(applied.format("%d.%m.%Y %H:%M:%S").to_string())
    } else {
        let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap().and_hms_opt(0, 0, 0).unwrap();
        Cell::Number((applied - base).num_seconds() as f64 / 86_400.0)
    };
    vec![
        t(format!("К-{i}")),
        applied_cell,
        t(child_iin(born, n)),
        t(format!("Бала Әлихан {i}")),
        t(born.format("%d.%m.%Y").to_string()),
        t("900101300007"),
        t(format!("Ата-ана Гүлнұр {i}")),
        t("+7 701 000 11 22"),
        t(category),
        if i.is_multiple_of(3) { t("Айгөлек") } else { Cell::Empty },
        if i.is_multiple_of(4) { t("қазақ") } else { Cell::Empty },
    ]
}

/// Row `i` spoiled in one of five ways.
fn bad_row(i: usize) -> Vec<Cell> {
    let mut r = good_row(i);
    match i % 5 {
        0 => {
            let Cell::Text(iin) = &r[2] else { unreachable!() };
            r[2] = t(iin.replacen('0', "О", 1));
        }
        1 => r[1] = t("01.01.2027 09:00"),
        2 => r[8] = t("депутаттың баласы"),
        3 => r[9] = t("Жоқ балабақша"),
        _ => {
            r[4] = t("01.01.2019");
            r[2] = t(child_iin(NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(), (i % 900) as u32));
        }
    }
    r
}

struct Fixture {
    o: Office,
    rows: Vec<Vec<Cell>>,
    bad: BTreeSet<u32>,
}

fn fixture(n: usize) -> Fixture {
    let mut o = office_at(NOW);
    let k = Kindergarten::validate(&KindergartenDraft {
        name_kk: "Айгөлек".into(),
        name_ru: "Айгулек".into(),
        address_kk: "Қандыағаш қ.".into(),
        address_ru: "г. Кандыагаш".into(),
        ownership: "state".into(),
    })
    .unwrap();
    o.r.add_kindergarten(&o.head, &k, at(NOW)).unwrap();
    let mut rows = vec![vec![t("Кезек / Очередь, 2026")], header()];
    let mut bad = BTreeSet::new();
    for i in 0..n {
        if i % 50 == 25 {
            rows.push(bad_row(i));
            bad.insert(rows.len() as u32);
        } else {
            rows.push(good_row(i));
        }
    }
    Fixture { o, rows, bad }
}

fn read(o: &Office, rows: &[Vec<Cell>]) -> QueueSheet {
    let kgs = o.r.import_kindergartens().unwrap();
    read_sheet(rows, &QueueImportContext { rules: &o.rules, kindergartens: &kgs, now: at(NOW).naive_local() })
}

fn file(name: &str) -> ImportFile {
    ImportFile { name: name.into(), sha256: format!("{:0>64}", name.len()) }
}

fn go_on() -> impl FnMut(usize, usize) -> bool {
    |_, _| true
}

fn count(o: &Office, sql: &str) -> i64 {
    o.place.read(sql).parse().unwrap()
}

/// The numbers the file implies, computed from the file alone: each birth
/// year's children in their tier by moment (ties in file order).
fn implied(o: &Office, sheet: &QueueSheet) -> HashMap<u32, u32> {
    let mut by_moment: Vec<&_> = sheet.rows.iter().collect();
    by_moment.sort_by_key(|r| (r.applied_at, r.row));
    let entries: Vec<QueueEntry> = by_moment
        .iter()
        .enumerate()
        .map(|(k, r)| QueueEntry {
            id: k as i64,
            birth_year: r.child.birth_date.year(),
            registered_at: r.applied_at,
            tier: o.rules.category(&r.category).unwrap().tier,
            preferences: r.preferences.clone(),
            desired_start: None,
            special_needs: false,
            state: EntryState::Waiting,
        })
        .collect();
    let mut out = HashMap::new();
    for year in entries.iter().map(|e| e.birth_year).collect::<BTreeSet<_>>() {
        let of_year: Vec<QueueEntry> = entries.iter().filter(|e| e.birth_year == year).cloned().collect();
        for (id, p) in positions(&of_year, &o.rules) {
            out.insert(by_moment[id as usize].row, p);
        }
    }
    out
}

#[test]
fn five_thousand_rows_dry_run_import_again_and_one_changed() {
    let Fixture { mut o, rows, bad } = fixture(5_000);
    assert_eq!(bad.len(), 100, "2 % of the rows are bad");
    let sheet = read(&o, &rows);
    let admin = o.admin.clone();

    // The dry run lists exactly the bad rows and writes nothing.
    let before = count(&o, "SELECT COUNT(*) FROM applications");
    let dry = o.r.dry_run_queue_import(&admin, &sheet, &file("queue.xlsx"), at(NOW)).unwrap();
    let listed: BTreeSet<u32> = dry.problems.iter().map(|p| p.row).collect();
    assert_eq!(listed, bad);
    assert!(dry.problems.iter().all(|p| !p.message_kk.is_empty() && p.message_ru.starts_with("Строка ")));
    assert_eq!((dry.rows_read, dry.rows.len(), dry.already_imported), (5_000, 4_900, 0));
    assert_eq!(count(&o, "SELECT COUNT(*) FROM applications"), before);

    // The numbers promised are the ones the file implies.
    let implied = implied(&o, &sheet);
    for r in &dry.rows {
        assert_eq!(r.position, implied.get(&r.row).copied(), "row {}", r.row);
    }

    // The import: one transaction, one audit event naming the file.
    let events = count(&o, "SELECT COUNT(*) FROM audit_events");
    let done = o.r.import_queue(&admin, &sheet, &file("queue.xlsx"), at(NOW), &mut go_on()).unwrap();
    assert_eq!(count(&o, "SELECT COUNT(*) FROM audit_events"), events + 1);
    let after = o.place.read("SELECT after FROM audit_events ORDER BY seq DESC LIMIT 1");
    assert!(after.contains("queue.xlsx") && after.contains(&file("queue.xlsx").sha256), "{after}");
    assert_eq!(o.place.read("SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1"), "import_queue");
    assert_eq!(done.rows, dry.rows, "the numbers are the ones the dry run promised");
    assert_eq!(count(&o, "SELECT COUNT(*) FROM queue_entries WHERE state = 'waiting'"), 4_900);
    // Every child keeps its original moment, and the numbers stored are the
    // ones the file implies.
    let stored: HashMap<String, Vec<Option<String>>> = o
        .place
        .rows(
            "SELECT e.child_iin, e.queued_at, e.position, a.registered_at, i.external_number FROM queue_entries e
             JOIN applications a ON a.id = e.application_id
             JOIN imported_applications i ON i.application_id = a.id",
        )
        .into_iter()
        .map(|mut r| (r.remove(0).unwrap(), r))
        .collect();
    assert_eq!(stored.len(), 4_900);
    for r in &sheet.rows {
        let s = &stored[r.child.iin.as_str()];
        let moment = r.applied_at.format("%Y-%m-%dT%H:%M:%S").to_string();
        assert_eq!(s[0].as_deref(), Some(moment.as_str()));
        assert_eq!(s[1].as_deref().map(|p| p.parse::<u32>().unwrap()), implied.get(&r.row).copied());
        assert!(s[2].as_deref().unwrap().starts_with(&moment));
        assert_eq!(s[3], r.external_number);
    }
    assert!(o.place.read("SELECT MIN(number) FROM applications WHERE series = 'ИМП'").starts_with(IMPORT_SERIES));
    let evidence = o.r.check_evidence(None).unwrap();
    assert!(evidence.chain.first_bad.is_none() && evidence.findings.is_empty(), "{evidence:?}");

    // The same file again imports nothing.
    let again = o.r.import_queue(&admin, &sheet, &file("queue.xlsx"), at(NOW), &mut go_on()).unwrap();
    assert_eq!((again.rows.len(), again.already_imported), (0, 4_900));
    assert_eq!(again.problems.iter().map(|p| p.row).collect::<BTreeSet<_>>(), bad);
    assert_eq!(count(&o, "SELECT COUNT(*) FROM queue_entries"), 4_900);

    // The file with one row changed: only that row is a conflict.
    let mut changed = rows.clone();
    changed[100][3] = t("Бала Әлихан Ерланұлы");
    let sheet2 = read(&o, &changed);
    let dry2 = o.r.dry_run_queue_import(&admin, &sheet2, &file("queue-2.xlsx"), at(NOW)).unwrap();
    let conflicts: Vec<_> = dry2.problems.iter().filter(|p| p.code == "already_queued").collect();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].row, 101);
    assert_eq!(conflicts[0].column, Some("child_iin"));
    assert!(conflicts[0].message_kk.contains(IMPORT_SERIES));
    assert_eq!((dry2.rows.len(), dry2.already_imported), (0, 4_899));
}

#[test]
fn a_child_queued_at_the_desk_is_a_conflict_and_numbers_move_with_their_cause() {
    let Fixture { mut o, rows, .. } = fixture(60);
    // A child registered at the desk today, before the import.
    let desk = rows[10].clone();
    let Cell::Text(iin) = &desk[2] else { unreachable!() };
    let Cell::Text(born) = &desk[4] else { unreachable!() };
    let born = NaiveDate::parse_from_str(born, "%d.%m.%Y").unwrap();
    let d = ApplicationDraft {
        service_code: "preschool_queue".into(),
        applicant_iin: "900101300007".into(),
        applicant_name: "Ата-ана".into(),
        applicant_phone: "+7 701 000 11 22".into(),
        child_iin: iin.clone(),
        child_name: "Бала".into(),
        child_birth_date: born.to_string(),
        documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
        consent: true,
        ..Default::default()
    };
    let mut app = NewApplication::validate(&d, &o.catalog, at(NOW).date_naive()).unwrap();
    app.queue = QueueClaim::for_application(&app, None, &o.rules, at(NOW).date_naive()).unwrap();
    let reg = o.r.register_application(&o.clerk, &app, Due::default(), at(NOW)).unwrap();
    assert_eq!(reg.queue_position, Some(1));

    let sheet = read(&o, &rows);
    let admin = o.admin.clone();
    let dry = o.r.dry_run_queue_import(&admin, &sheet, &file("q.csv"), at(NOW)).unwrap();
    let conflict: Vec<_> = dry.problems.iter().filter(|p| p.code == "already_queued").map(|p| p.row).collect();
    assert_eq!(conflict, vec![11]);
    assert!(dry.problems.iter().any(|p| p.message_ru.contains(&reg.number)));
    o.r.import_queue(&admin, &sheet, &file("q.csv"), at(NOW), &mut go_on()).unwrap();

    // The desk's child applied today, so every imported child of its year
    // stands ahead of it now; its history says why.
    let history = o.r.position_history(&o.clerk, reg.id, at(NOW)).unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.cause, Cause::Imported);
    assert!(last.to.unwrap() > 1);
}

#[test]
fn a_cancelled_import_leaves_nothing_and_only_the_administrator_imports() {
    let Fixture { mut o, rows, .. } = fixture(600);
    let sheet = read(&o, &rows);
    let admin = o.admin.clone();
    let before = (count(&o, "SELECT COUNT(*) FROM applications"), count(&o, "SELECT COUNT(*) FROM audit_events"));
    let mut told = Vec::new();
    let mut cancel_midway = |done: usize, total: usize| {
        told.push((done, total));
        done < 300
    };
    let r = o.r.import_queue(&admin, &sheet, &file("q.xlsx"), at(NOW), &mut cancel_midway);
    assert_eq!(r, Err(Error::Cancelled));
    assert!(told.len() >= 2 && told.iter().all(|(_, total)| *total == 588), "{told:?}");
    assert_eq!(
        (count(&o, "SELECT COUNT(*) FROM applications"), count(&o, "SELECT COUNT(*) FROM audit_events")),
        before
    );
    assert_eq!(count(&o, "SELECT COUNT(*) FROM import_batches"), 0);

    for actor in [o.clerk.clone(), o.head.clone(), o.executor.clone()] {
        assert!(!actor.roles.contains(&Role::Administrator));
        assert_eq!(o.r.dry_run_queue_import(&actor, &sheet, &file("q.xlsx"), at(NOW)), Err(Error::Forbidden));
        assert_eq!(o.r.import_queue(&actor, &sheet, &file("q.xlsx"), at(NOW), &mut go_on()), Err(Error::Forbidden));
    }
    assert_eq!(count(&o, "SELECT COUNT(*) FROM applications"), before.0);
}

#[test]
fn historical_applications_keep_their_old_numbers() {
    let mut o = office_at(NOW);
    let now: NaiveDateTime = at(NOW).naive_local();
    let service = o.catalog.services.iter().find(|s| s.code != "preschool_queue").unwrap().clone();
    let about_child = service.subject == kense_domain::catalog::Subject::Child;
    let header: Vec<Cell> = history::COLUMNS.iter().map(|c| t(c.header())).collect();
    let row = |n: usize, status: &str| {
        let born = NaiveDate::from_ymd_opt(2015, 3, 15).unwrap();
        vec![
            t(format!("01-2024-{n:05}")),
            t(format!("{:02}.03.2024 11:20", n % 28 + 1)),
            t(service.name.kk.clone()),
            t("ЦОН"),
            t(status),
            t("20.04.2024"),
            t("900101300007"),
            t(format!("Өтініш беруші {n}")),
            Cell::Empty,
            if about_child { t(child_iin(born, n as u32)) } else { Cell::Empty },
            if about_child { t(format!("Бала {n}")) } else { Cell::Empty },
            if about_child { t("15.03.2015") } else { Cell::Empty },
        ]
    };
    let mut rows = vec![header];
    for n in 1..=40 {
        rows.push(row(n, if n % 10 == 0 { "отозвано" } else { "берілді" }));
    }
    rows.push(row(41, "в работе"));
    let sheet = history::read_sheet(&rows, &o.catalog, now);
    assert_eq!(sheet.problems.len(), 1, "{:?}", sheet.problems);
    let admin = o.admin.clone();
    let dry = o.r.dry_run_history_import(&admin, &sheet, &file("register.xlsx"), at(NOW)).unwrap();
    assert_eq!(dry.numbers.len(), 40);
    let journal_before = o.place.read("SELECT COUNT(*) FROM number_series WHERE series = '01'");
    let done = o.r.import_history(&admin, &sheet, &file("register.xlsx"), at(NOW), &mut go_on()).unwrap();
    assert_eq!(done.numbers.len(), 40);
    assert_eq!(o.place.read("SELECT COUNT(*) FROM number_series WHERE series = '01'"), journal_before);
    let id: i64 = o
        .place
        .read("SELECT application_id FROM imported_applications WHERE external_number = '01-2024-00010'")
        .parse()
        .unwrap();
    assert_eq!(o.r.external_number(id).unwrap().as_deref(), Some("01-2024-00010"));
    assert_eq!(o.place.read(&format!("SELECT status FROM applications WHERE id = {id}")), "withdrawn");
    assert_eq!(
        o.place.read(&format!("SELECT registered_at FROM applications WHERE id = {id}")),
        "2024-03-11T11:20:00+05:00"
    );

    // Again: nothing; one row changed: that row is a conflict.
    let again = o.r.import_history(&admin, &sheet, &file("register.xlsx"), at(NOW), &mut go_on()).unwrap();
    assert_eq!((again.numbers.len(), again.already_imported), (0, 40));
    rows[5][7] = t("Басқа адам");
    let sheet2 = history::read_sheet(&rows, &o.catalog, now);
    let dry2 = o.r.dry_run_history_import(&admin, &sheet2, &file("register.xlsx"), at(NOW)).unwrap();
    let conflicts: Vec<_> = dry2.problems.iter().filter(|p| p.code == "already_registered").map(|p| p.row).collect();
    assert_eq!(conflicts, vec![6]);
    let evidence = o.r.check_evidence(None).unwrap();
    assert!(evidence.findings.is_empty(), "{evidence:?}");
}
