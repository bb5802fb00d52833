//! Files in and out, read back: the import template written as XLSX reads
//! back as an empty queue file; a real workbook with date cells, serials,
//! an IIN Excel turned into a number and a formula reads into the domain's
//! checks; CSV with a BOM and `;` reads, Windows-1251 is refused with a
//! clear error; the journal and queue exports, read back with calamine,
//! hold exactly what the registry holds, and each export is audited as
//! personal data and refused to a role that may not see it.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use kense_domain::access::{Actor, Role};
use kense_domain::application::{ApplicationDraft, NewApplication};
use kense_domain::import::cell::excel_serial;
use kense_domain::import::queue::{read_sheet, QueueImportContext};
use kense_domain::import::Cell;
use kense_domain::queue::{QueueClaim, QueueClaimDraft, QueueRules};
use kense_domain::user::NewUser;
use kense_domain::{Error, Lang};
use kense_exchange::registers::{export_journal, export_queue, export_referrals, queue_template, FileFormat};
use kense_exchange::table::HEADER_ROW;
use kense_exchange::{read_bytes, sha256};
use kense_storage::{Due, Registry};
use rust_xlsxwriter::{Format, Workbook};

const CATALOG: &str = include_str!("../../../assets/catalog/services.json");
const PW: &str = "құпия сөз 2026";

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn now() -> DateTime<FixedOffset> {
    at("2026-11-24T10:00:00+05:00")
}

fn context_now() -> NaiveDateTime {
    now().naive_local()
}

fn sheet_rows(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
    let first = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&first).unwrap();
    assert_eq!(range.start(), Some((0, 0)));
    range.rows().map(<[Data]>::to_vec).collect()
}

#[test]
fn the_template_reads_back_as_an_empty_queue_file() {
    let bytes = queue_template().to_xlsx().unwrap();
    let file = read_bytes("template.xlsx", &bytes).unwrap();
    assert_eq!(file.sha256, sha256(&bytes));
    let rules = QueueRules::shipped().unwrap();
    let sheet = read_sheet(&file.rows, &QueueImportContext { rules: &rules, kindergartens: &[], now: context_now() });
    assert!(sheet.problems.is_empty(), "{:?}", sheet.problems);
    assert_eq!(sheet.rows_read, 0);
}

#[test]
fn a_workbook_with_typed_cells_reads_into_the_checks() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let headers = [
        "Өтініш берілген күні мен уақыты",
        "ИИН ребёнка",
        "ФИО ребёнка",
        "Дата рождения ребёнка",
        "Өтініш берушінің ЖСН",
        "ФИО заявителя",
        "Басымдық санаты",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let moment = Format::new().set_num_format("dd.mm.yyyy hh:mm:ss");
    let applied = NaiveDate::from_ymd_opt(2023, 9, 1).unwrap().and_hms_opt(9, 30, 15).unwrap();
    let born = NaiveDate::from_ymd_opt(2022, 5, 4).unwrap();
    // Row 2: every cell typed as Excel types them; the child's IIN as a number.
    ws.write_datetime_with_format(1, 0, applied, &moment).unwrap();
    ws.write_number(1, 1, 220_504_500_018.0).unwrap();
    ws.write_string(1, 2, "Сәрсенбаев Әлихан").unwrap();
    ws.write_datetime_with_format(1, 3, born, &date).unwrap();
    ws.write_string(1, 4, "900101300007").unwrap();
    ws.write_string(1, 5, "Сәрсенбаева Гүлнұр").unwrap();
    ws.write_string(1, 6, "Көп балалы отбасылардың балалары").unwrap();
    // Row 3: a look-alike letter in the IIN, a formula for a name, a date as text.
    ws.write_string(2, 0, "02.09.2023 10:00").unwrap();
    ws.write_string(2, 1, "22О504500018").unwrap();
    ws.write_formula(2, 2, rust_xlsxwriter::Formula::new("=\"Бала\"").set_result("Бала")).unwrap();
    ws.write_string(2, 3, "04.05.2022").unwrap();
    ws.write_string(2, 4, "900101300007").unwrap();
    ws.write_string(2, 5, "Ата-ана").unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let file = read_bytes("queue.xlsx", &bytes).unwrap();
    let rules = QueueRules::shipped().unwrap();
    let sheet = read_sheet(&file.rows, &QueueImportContext { rules: &rules, kindergartens: &[], now: context_now() });
    assert_eq!(sheet.rows.len(), 1, "{:?}", sheet.problems);
    let r = &sheet.rows[0];
    assert_eq!((r.applied_at, r.child.birth_date, r.category.as_str()), (applied, born, "large_family"));
    assert_eq!(r.child.iin.as_str(), "220504500018");
    let problems: Vec<_> = sheet.problems.iter().map(|p| (p.row, p.column.map(|c| c.key), p.kind.code())).collect();
    // The formula is refused, not its cached value taken for a name.
    assert_eq!(problems, vec![(3, Some("child_iin"), "look_alike"), (3, Some("child_name"), "formula")]);
}

#[test]
fn csv_in_utf8_reads_and_windows_1251_is_refused() {
    let text = "\u{feff}Баланың ЖСН;ФИО ребёнка\n220504500018;\"Сәрсенбаев; Әлихан\"\n";
    let file = read_bytes("q.csv", text.as_bytes()).unwrap();
    assert_eq!(file.rows[1], vec![Cell::Text("220504500018".into()), Cell::Text("Сәрсенбаев; Әлихан".into())]);
    let comma = read_bytes("q.csv", "a,b,c\n1,,3\n".as_bytes()).unwrap();
    assert_eq!(comma.rows[1], vec![Cell::Text("1".into()), Cell::Empty, Cell::Text("3".into())]);
    // "Иван" in Windows-1251.
    let cp1251 = [0xC8, 0xE2, 0xE0, 0xED, b';', b'1', b'\n'];
    assert!(matches!(read_bytes("q.csv", &cp1251), Err(Error::UnreadableSheet(_))));
    assert!(matches!(read_bytes("q.pdf", b"%PDF-1.7"), Err(Error::UnreadableSheet(_))));
    assert!(matches!(read_bytes("q.xlsx", b"PK\x03\x04 broken"), Err(Error::UnreadableSheet(_))));
    let e = Error::UnreadableSheet("x".into());
    assert!(e.message(Lang::Kk).contains("XLSX") && e.message(Lang::Ru).contains("UTF-8"));
}

struct Desk {
    r: Registry,
    admin: Actor,
    clerk: Actor,
    head: Actor,
    _dir: tempfile::TempDir,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let mut r = Registry::open(&dir.path().join("r.sqlite")).unwrap();
    r.seal_after_upgrade(now()).unwrap();
    r.install_catalog(CATALOG, now()).unwrap();
    let admin = r
        .create_first_administrator(
            &NewUser::validate("admin", "Әкімші", vec![Role::Administrator]).unwrap(),
            PW,
            PW,
            now(),
        )
        .unwrap();
    let mut add = |login: &str, role: Role| {
        r.create_user(&admin, &NewUser::validate(login, "Қызметкер", vec![role]).unwrap(), PW, PW, now()).unwrap();
        r.log_in(login, PW, now()).unwrap()
    };
    let clerk = add("clerk", Role::Clerk);
    let head = add("head", Role::Head);
    Desk { r, admin, clerk, head, _dir: dir }
}

fn child_iin(n: u32) -> String {
    (0..10)
        .map(|c| format!("2205045{:04}{c}", n))
        .find(|s| kense_domain::iin::Iin::parse(kense_domain::Field::Iin, s).is_ok())
        .unwrap()
}

fn register(d: &mut Desk, n: u32, when: &str) {
    let catalog = kense_domain::catalog::Catalog::parse(CATALOG).unwrap();
    let draft = ApplicationDraft {
        service_code: "preschool_queue".into(),
        applicant_iin: "900101300007".into(),
        applicant_name: format!("=Ата-ана {n}"),
        applicant_phone: "+7 701 000 11 22".into(),
        child_iin: child_iin(n),
        child_name: format!("Бала {n}"),
        child_birth_date: "2022-05-04".into(),
        documents: vec!["application".into(), "birth_certificate".into(), "identity_document".into()],
        consent: true,
        queue: Some(QueueClaimDraft::default()),
        ..Default::default()
    };
    let mut app = NewApplication::validate(&draft, &catalog, at(when).date_naive()).unwrap();
    app.queue =
        QueueClaim::for_application(&app, draft.queue.as_ref(), &d.r.queue_rules().unwrap(), at(when).date_naive())
            .unwrap();
    d.r.register_application(&d.clerk, &app, Due::default(), at(when)).unwrap();
}

/// The newest audit event's action and details, read from the file.
fn last_event(d: &Desk) -> (String, String) {
    let conn = rusqlite::Connection::open(d._dir.path().join("r.sqlite")).unwrap();
    conn.query_row("SELECT action, after FROM audit_events ORDER BY seq DESC LIMIT 1", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .unwrap()
}

#[test]
fn the_journal_and_queue_exports_read_back_as_the_registry_holds_them() {
    let mut d = desk();
    for n in 1..=7 {
        register(&mut d, n, &format!("2026-11-{:02}T1{}:15:30+05:00", 2 + n, n % 8));
    }
    let (from, to) = (NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    let clerk = d.clerk.clone();
    let exported = export_journal(&mut d.r, &clerk, from, to, FileFormat::Xlsx, Lang::Kk, now()).unwrap();
    assert_eq!(exported.file_name, "journal_2026-11-01_2026-11-30.xlsx");
    assert_eq!(exported.sha256, sha256(&exported.bytes));
    let (action, after) = last_event(&d);
    assert_eq!(action, "export_personal_data");
    assert!(after.contains(&exported.sha256) && after.contains(&exported.file_name), "{after}");

    let rows = sheet_rows(&exported.bytes);
    let title = rows[0][0].to_string();
    assert!(title.contains("Аудандық білім бөлімі") && title.contains("01.11.2026–30.11.2026"), "{title}");
    assert_eq!(rows[HEADER_ROW as usize][0].to_string(), "Тіркеу нөмірі / Регистрационный номер");
    let journal = d.r.journal(&clerk, from, to, now()).unwrap();
    assert_eq!(rows.len() - 2, journal.len());
    assert_eq!(journal.len(), 7);
    for (row, line) in rows[2..].iter().zip(&journal) {
        assert_eq!(row[0].to_string(), line.number);
        // A real date-time cell, not text.
        let Data::DateTime(m) = &row[1] else { panic!("{:?}", row[1]) };
        assert_eq!(excel_serial(m.as_f64()), Some(line.registered_at.naive_local()));
        assert_eq!(row[2].to_string(), line.applicant_name, "a leading '=' stays text in XLSX");
        assert_eq!(row[3].to_string(), line.applicant_iin);
        assert_eq!(row[4].to_string(), line.service_name.kk);
        assert_eq!(row[5].to_string(), line.channel.name().kk);
        assert_eq!(row[6].to_string(), line.status.name().kk);
        assert_eq!(row[7].to_string(), "", "nothing has come of it yet");
    }

    // The CSV: a BOM, the title line, headers, the same rows; the formula-
    // looking name defused.
    let csv = export_journal(&mut d.r, &clerk, from, to, FileFormat::Csv, Lang::Ru, now()).unwrap();
    assert!(csv.bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(csv.bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("журнал регистрации заявлений"));
    assert_eq!(lines[1].split(';').count(), 11);
    assert!(lines[1].starts_with("Тіркеу нөмірі / Регистрационный номер;Тіркелген уақыты / Время регистрации"));
    assert_eq!(lines.len(), 2 + 7);
    assert!(lines[2].contains(";'=Ата-ана 1;"), "{}", lines[2]);

    // The queue list: every waiting child with its number.
    let head = d.head.clone();
    let q = export_queue(&mut d.r, &head, FileFormat::Xlsx, Lang::Ru, now()).unwrap();
    let rows = sheet_rows(&q.bytes);
    let listed = d.r.queue(&head, 2022, 100, now()).unwrap();
    assert_eq!(rows.len() - 2, listed.len());
    for (row, q) in rows[2..].iter().zip(&listed) {
        assert_eq!(row[0], Data::Float(2022.0));
        assert_eq!(row[1], Data::Float(f64::from(q.position.unwrap())));
        assert_eq!(row[2].to_string(), q.number);
        assert_eq!(row[4].to_string(), q.child_iin);
        assert_eq!(row[5].to_string(), "Общая очередь");
    }

    // The administrator may not see people's data, so may not export them;
    // the refusal is audited and nothing is made.
    let admin = d.admin.clone();
    assert_eq!(export_journal(&mut d.r, &admin, from, to, FileFormat::Xlsx, Lang::Kk, now()), Err(Error::Forbidden));
    assert_eq!(export_queue(&mut d.r, &admin, FileFormat::Csv, Lang::Kk, now()), Err(Error::Forbidden));
}

/// The referrals one distribution issued, read back cell by cell, in the
/// order issued; the administrator, who may not see people's data, may not
/// export them, and a distribution that issued nothing is not found.
#[test]
fn a_distributions_referrals_read_back_as_issued() {
    use kense_domain::calendar::WorkingCalendar;
    use kense_domain::queue::{Assignment, Group, GroupDraft, Kindergarten, KindergartenDraft, Places, PlacesDraft};
    let mut d = desk();
    for n in 1..=3 {
        register(&mut d, n, &format!("2026-11-0{n}T10:15:30+05:00"));
    }
    let (head, admin) = (d.head.clone(), d.admin.clone());
    let k = Kindergarten::validate(&KindergartenDraft {
        name_kk: "«Күншуақ» балабақшасы".into(),
        name_ru: "Детский сад «Кюншуак»".into(),
        address_kk: "Қандыағаш қ.".into(),
        address_ru: "г. Кандыагаш".into(),
        ownership: "state".into(),
    })
    .unwrap();
    let kg = d.r.add_kindergarten(&head, &k, now()).unwrap();
    let group = GroupDraft {
        kindergarten_id: kg,
        name: "Балдырған".into(),
        birth_year: 2022,
        language: "kk".into(),
        special: false,
        capacity: 20,
    };
    let g = d.r.add_group(&head, &Group::validate(&group, now().date_naive()).unwrap(), now()).unwrap();
    let places = Places::validate(&PlacesDraft { group_id: g, count: 2, protocol: "Хаттама № 1".into() }).unwrap();
    d.r.declare_places(&head, &places, now()).unwrap();
    let plan = d.r.preview_distribution(&head, now()).unwrap();
    let assignments: Vec<Assignment> =
        plan.iter().map(|p| Assignment { place: p.place_id, entry: p.application_id }).collect();
    let calendar = WorkingCalendar::parse(include_str!("../../../assets/calendar/kz.json")).unwrap();
    let issued = d.r.distribute(&head, &assignments, &calendar, now()).unwrap();
    assert_eq!(issued.len(), 2);
    let distribution = issued[0].distribution_id.unwrap();

    let exported = export_referrals(&mut d.r, &head, distribution, FileFormat::Xlsx, Lang::Kk, now()).unwrap();
    let (action, after) = last_event(&d);
    assert_eq!(action, "export_personal_data");
    assert!(after.contains("referrals") && after.contains(&exported.sha256), "{after}");
    let rows = sheet_rows(&exported.bytes);
    assert!(rows[0][0].to_string().contains(&format!("№ {distribution}")), "{:?}", rows[0]);
    assert_eq!(rows.len() - 2, 2);
    for (row, r) in rows[2..].iter().zip(&issued) {
        assert_eq!(row[0].to_string(), r.number);
        assert_eq!(row[2].to_string(), r.application_number);
        assert_eq!(row[4].to_string(), r.child_iin);
        assert_eq!(row[5], Data::Float(2022.0));
        assert_eq!(row[6].to_string(), "«Күншуақ» балабақшасы");
        assert!(matches!(row[8], Data::DateTime(_)), "a real date: {:?}", row[8]);
        assert_eq!(row[9].to_string(), "берілді");
    }
    assert_eq!(
        export_referrals(&mut d.r, &admin, distribution, FileFormat::Csv, Lang::Kk, now()),
        Err(Error::Forbidden)
    );
    assert_eq!(
        export_referrals(&mut d.r, &head, distribution + 1, FileFormat::Csv, Lang::Kk, now()),
        Err(Error::NotFound)
    );
}

#[test]
fn the_period_report_reads_back_sheet_by_sheet() {
    use kense_exchange::reports::export_period_report;
    let mut d = desk();
    for n in 1..=4 {
        register(&mut d, n, &format!("2026-11-{:02}T10:00:00+05:00", 2 + n));
    }
    register(&mut d, 5, "2026-10-20T10:00:00+05:00");
    let (from, to) = (NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    let catalog = kense_domain::catalog::Catalog::parse(CATALOG).unwrap();
    let survey = kense_domain::survey::SurveyDraft {
        service_code: "preschool_queue".into(),
        medium: "screen".into(),
        quality: 3,
        information: 3,
    };
    let clerk = d.clerk.clone();
    let survey = kense_domain::survey::Survey::validate(&survey, &catalog).unwrap();
    d.r.record_survey(&clerk, &survey, at("2026-11-10T12:00:00+05:00")).unwrap();
    let head = d.head.clone();
    let report = d.r.period_report(&head, from, to, now()).unwrap();
    let exported = export_period_report(&mut d.r, &head, from, to, FileFormat::Xlsx, Lang::Ru, now()).unwrap();
    assert_eq!(exported.file_name, "report_2026-11-01_2026-11-30.xlsx");
    let (action, after) = last_event(&d);
    assert_eq!(action, "export", "counts only: not personal data");
    assert!(after.contains(&exported.sha256) && after.contains("\"personal_data\":false"), "{after}");

    let mut book = open_workbook_auto_from_rs(Cursor::new(exported.bytes.as_slice())).unwrap();
    let names = book.sheet_names();
    assert_eq!(names, vec!["Заявления", "Просроченные", "Отказы", "Очередь", "Направления", "Анкетирование"]);
    let survey = book.worksheet_range("Анкетирование").unwrap();
    assert_eq!(survey.rows().count() - 2, 2, "one answer to each of the two questions");
    let answer: Vec<Data> = survey.rows().nth(2).unwrap().to_vec();
    assert_eq!(answer[2], Data::String("удовлетворён".into()));
    assert_eq!(answer[3], Data::Float(1.0));
    let applications: Vec<Vec<Data>> =
        book.worksheet_range("Заявления").unwrap().rows().map(<[Data]>::to_vec).collect();
    assert!(applications[0][0].to_string().contains("01.11.2026–30.11.2026"));
    assert_eq!(applications.len() - 2, report.applications.len());
    for (row, a) in applications[2..].iter().zip(&report.applications) {
        assert_eq!(row[0].to_string(), a.service_name.ru);
        assert_eq!(row[1].to_string(), a.status.name().ru);
        assert_eq!(row[3], Data::Float(a.count as f64));
    }
    assert_eq!(report.applications.iter().map(|a| a.count).sum::<i64>(), 4, "October's is not in November");
    let queue: Vec<Vec<Data>> = book.worksheet_range("Очередь").unwrap().rows().map(<[Data]>::to_vec).collect();
    assert_eq!(queue[2], vec![Data::Float(2022.0), Data::String("Общая очередь".into()), Data::Float(5.0)]);

    // The clerk sees no figures, so exports none.
    let clerk = d.clerk.clone();
    assert_eq!(
        export_period_report(&mut d.r, &clerk, from, to, FileFormat::Csv, Lang::Kk, now()),
        Err(Error::Forbidden)
    );
}
