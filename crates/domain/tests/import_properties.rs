//! Properties of reading an import file, for any cells a hostile or broken
//! file can hold: reading never panics and every problem names a row and
//! says what is wrong in both languages; nothing with hidden characters or
//! a formula gets through; an IIN with one digit swapped for a look-alike
//! letter is refused and the letter named; a date reads the same whether
//! typed, formatted as a date or given as an Excel serial.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use kense_domain::import::cell::{self, excel_serial, look_alike};
use kense_domain::import::queue::{read_sheet, KnownKindergarten, QueueImportContext, COLUMNS};
use kense_domain::import::{Cell, ProblemKind};
use kense_domain::queue::QueueRules;
use kense_domain::Lang;
use proptest::prelude::*;

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 24).expect("date").and_hms_opt(10, 0, 0).expect("time")
}

fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        proptest::sample::select(kense_hostile::CHARS).prop_map(String::from),
        proptest::sample::select(kense_hostile::STRINGS).prop_map(String::from),
        "[0-9]{1,13}",
        "[А-Яа-яӘәҚқҢңӨөҰұҮүІі ]{1,20}",
        Just("=SUM(A1:A9)".to_owned()),
        Just("04.05.2022".to_owned()),
        Just("01.09.2023 09:30:00".to_owned()),
        Just("45123".to_owned()),
    ];
    prop_oneof![
        proptest::collection::vec(piece, 0..6).prop_map(|v| v.concat()),
        // A huge cell: the reader refuses it without working through it.
        (1usize..4).prop_map(|n| "Ә".repeat(n * 1_500)),
    ]
}

fn hostile_cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Empty),
        hostile_text().prop_map(Cell::Text),
        any::<f64>().prop_map(Cell::Number),
        (-1e13f64..1e13).prop_map(Cell::Number),
        any::<bool>().prop_map(Cell::Bool),
        (0i64..4_000_000_000).prop_map(|s| Cell::DateTime(
            NaiveDate::from_ymd_opt(1900, 1, 1).expect("date").and_hms_opt(0, 0, 0).expect("time")
                + Duration::seconds(s)
        )),
        Just(Cell::Error("#N/A".into())),
    ]
}

fn header() -> Vec<Cell> {
    COLUMNS.iter().map(|c| Cell::Text(c.header())).collect()
}

fn known() -> Vec<KnownKindergarten> {
    vec![KnownKindergarten { id: 1, name_kk: "Айгөлек".into(), name_ru: "Айгулек".into() }]
}

/// A valid IIN from an 11-digit prefix, when one exists.
fn valid_iin(prefix: u64) -> Option<String> {
    let p = format!("{:011}", prefix % 100_000_000_000);
    (0..=9).map(|c| format!("{p}{c}")).find(|s| kense_domain::iin::Iin::parse(kense_domain::Field::Iin, s).is_ok())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_sheet_reads_without_panic_and_explains_itself(
        rows in proptest::collection::vec(proptest::collection::vec(hostile_cell(), 0..14), 0..8),
        with_header in any::<bool>(),
    ) {
        let rules = QueueRules::shipped().expect("rules");
        let kgs = known();
        let ctx = QueueImportContext { rules: &rules, kindergartens: &kgs, now: now() };
        let mut sheet_rows = rows.clone();
        if with_header {
            sheet_rows.insert(0, header());
        }
        let sheet = read_sheet(&sheet_rows, &ctx);
        prop_assert!(sheet.rows.len() <= sheet.rows_read);
        for p in &sheet.problems {
            prop_assert!(p.row >= 1 && (p.row as usize) <= sheet_rows.len().max(1));
            for lang in [Lang::Kk, Lang::Ru] {
                let m = p.message(lang);
                prop_assert!(m.contains(&p.row.to_string()) && m.chars().count() > 10, "{m}");
            }
        }
        for r in &sheet.rows {
            for text in [&r.child.name, &r.applicant_name] {
                prop_assert!(!text.starts_with('='));
                prop_assert!(!text.chars().any(char::is_control));
                prop_assert!(text.chars().count() <= 200);
            }
            prop_assert!(r.applied_at <= now());
            prop_assert!(r.child.birth_date <= r.applied_at.date());
            prop_assert!(rules.age_allows(chrono::Datelike::year(&r.child.birth_date), now().date()));
        }
    }

    #[test]
    fn a_look_alike_in_an_iin_is_named(prefix in 0u64..100_000_000_000, at in 0usize..12,
                                       letter in proptest::sample::select(vec!['О', 'о', 'O', 'o', 'З', 'l', 'I', 'І', 'і', 'б', 'В', '０', '٣'])) {
        let Some(iin) = valid_iin(prefix) else { return Ok(()) };
        let mut chars: Vec<char> = iin.chars().collect();
        chars[at] = letter;
        let typed: String = chars.into_iter().collect();
        prop_assert!(look_alike(letter).is_some());
        prop_assert_eq!(cell::iin(&Cell::Text(typed)), Err(ProblemKind::LookAlike { found: letter }));
        // The same IIN typed right, as text or as a number that lost its
        // leading zeros, is accepted.
        let as_number = Cell::Number(iin.parse::<u64>().expect("digits") as f64);
        let read = cell::iin(&as_number).expect("number").expect("some");
        prop_assert_eq!(read.as_str(), iin.as_str());
    }

    #[test]
    fn a_date_reads_the_same_in_every_form(days in 0i64..60_000) {
        let d = NaiveDate::from_ymd_opt(1901, 1, 1).expect("date") + Duration::days(days);
        let serial = (d - NaiveDate::from_ymd_opt(1899, 12, 30).expect("date")).num_days() as f64;
        let forms = [
            Cell::Text(d.format("%d.%m.%Y").to_string()),
            Cell::Text(d.format("%Y-%m-%d").to_string()),
            Cell::Text(format!("{serial}")),
            Cell::Number(serial),
            Cell::DateTime(d.and_hms_opt(0, 0, 0).expect("time")),
        ];
        for f in &forms {
            prop_assert_eq!(cell::date(f), Ok(Some(d)), "{:?}", f);
        }
        prop_assert_eq!(excel_serial(serial).map(|m| m.date()), Some(d));
    }

    #[test]
    fn a_moment_keeps_its_second(secs in 0i64..(86_400 * 20_000)) {
        let m = NaiveDate::from_ymd_opt(1990, 1, 1).expect("date").and_hms_opt(0, 0, 0).expect("time")
            + Duration::seconds(secs);
        let serial = (m - NaiveDate::from_ymd_opt(1899, 12, 30).expect("date").and_hms_opt(0, 0, 0).expect("time"))
            .num_seconds() as f64 / 86_400.0;
        prop_assert_eq!(cell::moment(&Cell::Number(serial)), Ok(Some(m)));
        prop_assert_eq!(cell::moment(&Cell::Text(m.format("%d.%m.%Y %H:%M:%S").to_string())), Ok(Some(m)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, ..ProptestConfig::default() })]

    #[test]
    fn good_rows_all_read_in_file_order(prefixes in proptest::collection::btree_set(0u64..1_000_000, 1..30),
                                         typed_as_serial in any::<bool>()) {
        let rules = QueueRules::shipped().expect("rules");
        let kgs = known();
        let ctx = QueueImportContext { rules: &rules, kindergartens: &kgs, now: now() };
        let mut rows = vec![header()];
        let mut iins = Vec::new();
        for (i, p) in prefixes.iter().enumerate() {
            // Children born in 2022: their IIN begins with the birth date.
            let Some(iin) = valid_iin(22_050_400_000 + p) else { continue };
            let applied = NaiveDate::from_ymd_opt(2023, 1, 1).expect("date").and_hms_opt(9, 0, 0).expect("time")
                + Duration::minutes(i as i64 * 7);
            let applied_cell = if typed_as_serial {
                let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("date").and_hms_opt(0, 0, 0).expect("time");
                Cell::Number((applied - base).num_seconds() as f64 / 86_400.0)
            } else {
                Cell::Text(applied.format("%d.%m.%Y %H:%M:%S").to_string())
            };
            rows.push(vec![
                Cell::Empty, applied_cell, Cell::Text(iin.clone()), Cell::Text(format!("Бала {i}")),
                Cell::Text("04.05.2022".into()), Cell::Text("900101300007".into()), Cell::Text("Ата-ана".into()),
                Cell::Empty, Cell::Empty, Cell::Text("Айгөлек".into()), Cell::Empty,
            ]);
            iins.push(iin);
        }
        let sheet = read_sheet(&rows, &ctx);
        prop_assert!(sheet.problems.is_empty(), "{:?}", sheet.problems);
        let read: Vec<String> = sheet.rows.iter().map(|r| r.child.iin.to_string()).collect();
        prop_assert_eq!(read, iins);
        prop_assert!(sheet.rows.windows(2).all(|w| w[0].applied_at < w[1].applied_at));
    }
}
