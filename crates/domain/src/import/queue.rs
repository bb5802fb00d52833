//! The queue template: one row per child waiting in the office's existing
//! queue, with the moment of its application, so that imported children
//! stand where they stood.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDateTime};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::cell::{self, Cell};
use super::{cell_of, locate, names_one_of, required, row_number, Column, Problem, ProblemKind, RowCheck, MAX_ROWS};
use crate::application::{Child, MAX_NAME};
use crate::audit::hex;
use crate::iin::Iin;
use crate::queue::{QueueRules, GENERAL};
use crate::Field;

pub const EXTERNAL_NUMBER: usize = 0;
pub const APPLIED_AT: usize = 1;
pub const CHILD_IIN: usize = 2;
pub const CHILD_NAME: usize = 3;
pub const CHILD_BIRTH_DATE: usize = 4;
pub const APPLICANT_IIN: usize = 5;
pub const APPLICANT_NAME: usize = 6;
pub const APPLICANT_PHONE: usize = 7;
pub const CATEGORY: usize = 8;
pub const KINDERGARTENS: usize = 9;
pub const LANGUAGE: usize = 10;

/// The queue template's columns, in the template's order.
pub static COLUMNS: [Column; 11] = [
    Column {
        key: "external_number", kk: "Ескі тізілімдегі нөмірі", ru: "Номер в прежнем реестре", required: false
    },
    Column {
        key: "applied_at",
        kk: "Өтініш берілген күні мен уақыты",
        ru: "Дата и время подачи заявления",
        required: true,
    },
    Column { key: "child_iin", kk: "Баланың ЖСН", ru: "ИИН ребёнка", required: true },
    Column { key: "child_name", kk: "Баланың аты-жөні", ru: "ФИО ребёнка", required: true },
    Column {
        key: "child_birth_date", kk: "Баланың туған күні", ru: "Дата рождения ребёнка", required: true
    },
    Column {
        key: "applicant_iin", kk: "Өтініш берушінің ЖСН", ru: "ИИН заявителя", required: true
    },
    Column {
        key: "applicant_name", kk: "Өтініш берушінің аты-жөні", ru: "ФИО заявителя", required: true
    },
    Column { key: "applicant_phone", kk: "Телефон", ru: "Телефон", required: false },
    Column {
        key: "category", kk: "Басымдық санаты", ru: "Категория очерёдности", required: false
    },
    Column {
        key: "kindergartens", kk: "Таңдалған балабақшалар", ru: "Выбранные детские сады", required: false
    },
    Column { key: "language", kk: "Оқыту тілі", ru: "Язык обучения", required: false },
];

/// The language of the group a parent asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupLanguage {
    Kk,
    Ru,
    Mixed,
}

impl GroupLanguage {
    pub fn code(self) -> &'static str {
        match self {
            GroupLanguage::Kk => "kk",
            GroupLanguage::Ru => "ru",
            GroupLanguage::Mixed => "mixed",
        }
    }

    fn read(text: &str) -> Option<GroupLanguage> {
        if names_one_of(text, &["kk", "қазақ", "қазақша", "қазақ тілі", "казахский", "каз"])
        {
            Some(GroupLanguage::Kk)
        } else if names_one_of(text, &["ru", "орыс", "орысша", "орыс тілі", "русский", "рус"])
        {
            Some(GroupLanguage::Ru)
        } else if names_one_of(text, &["mixed", "аралас", "смешанный", "смешанная"]) {
            Some(GroupLanguage::Mixed)
        } else {
            None
        }
    }
}

/// A kindergarten of the registry, as rows may name it (by id or by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownKindergarten {
    pub id: i64,
    pub name_kk: String,
    pub name_ru: String,
}

/// What the checks need from outside a file.
#[derive(Debug, Clone, Copy)]
pub struct QueueImportContext<'a> {
    pub rules: &'a QueueRules,
    pub kindergartens: &'a [KnownKindergarten],
    /// The office's local time now: nothing may be dated after it.
    pub now: NaiveDateTime,
}

/// A checked row, ready for the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueImportRow {
    /// The row's number in the file.
    pub row: u32,
    pub external_number: Option<String>,
    /// When the parent applied, office local time: the child's place in
    /// its tier follows it.
    pub applied_at: NaiveDateTime,
    pub child: Child,
    pub applicant_iin: Iin,
    pub applicant_name: String,
    /// `+7 XXX XXX XX XX`, or empty when the old register had none.
    pub applicant_phone: String,
    /// A category code of the rules (`general` when the cell was empty).
    pub category: String,
    pub preferences: Vec<i64>,
    pub language: Option<GroupLanguage>,
    /// SHA-256 of the row's checked content: the same row brought again is
    /// known by it, a changed one is not.
    pub fingerprint: String,
}

/// A sheet read against the template: the good rows in file order, and
/// every problem found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueSheet {
    pub rows: Vec<QueueImportRow>,
    pub problems: Vec<Problem>,
    /// Non-empty data rows seen (good and bad).
    pub rows_read: usize,
}

/// Reads `rows` (the sheet from its first row) against the queue template.
pub fn read_sheet(rows: &[Vec<Cell>], ctx: &QueueImportContext<'_>) -> QueueSheet {
    let (header, at) = match locate(&COLUMNS, rows) {
        Ok(found) => found,
        Err(problems) => return QueueSheet { problems, ..QueueSheet::default() },
    };
    let mut sheet = QueueSheet::default();
    let mut first_row_of: HashMap<String, u32> = HashMap::new();
    for (i, cells) in rows.iter().enumerate().skip(header + 1) {
        if cells.iter().all(Cell::is_blank) {
            continue;
        }
        sheet.rows_read += 1;
        let row = row_number(i);
        if sheet.rows_read > MAX_ROWS {
            sheet.rows.clear();
            sheet.problems = vec![Problem::new(row, None, ProblemKind::TooManyRows { max: MAX_ROWS })];
            return sheet;
        }
        match read_row(cells, &at, row, ctx) {
            Ok(r) => match first_row_of.get(r.child.iin.as_str()) {
                Some(first) => sheet.problems.push(Problem::new(
                    row,
                    Some(&COLUMNS[CHILD_IIN]),
                    ProblemKind::DuplicateInFile { first_row: *first },
                )),
                None => {
                    first_row_of.insert(r.child.iin.as_str().to_owned(), row);
                    sheet.rows.push(r);
                }
            },
            Err(mut p) => sheet.problems.append(&mut p),
        }
    }
    sheet
}

/// Checks one row; every problem of the row is reported, not only the first.
fn read_row(
    cells: &[Cell],
    at: &super::Located,
    row: u32,
    ctx: &QueueImportContext<'_>,
) -> Result<QueueImportRow, Vec<Problem>> {
    let mut rc = RowCheck::new(row, &COLUMNS);
    let cell = |c: usize| cell_of(cells, at, c);
    let today = ctx.now.date();

    let external_number = rc.check(EXTERNAL_NUMBER, cell::text(cell(EXTERNAL_NUMBER), 40));
    let applied_at = rc.check(
        APPLIED_AT,
        required(cell::moment(cell(APPLIED_AT)))
            .and_then(|m| if m > ctx.now { Err(ProblemKind::InFuture) } else { Ok(m) }),
    );
    let child_iin = rc.check(CHILD_IIN, required(cell::iin(cell(CHILD_IIN))));
    let child_name = rc.check(CHILD_NAME, cell::required_text(cell(CHILD_NAME), MAX_NAME));
    let birth_date = rc.check(
        CHILD_BIRTH_DATE,
        required(cell::date(cell(CHILD_BIRTH_DATE))).and_then(|d| {
            if d > today {
                Err(ProblemKind::InFuture)
            } else if !ctx.rules.age_allows(d.year(), today) {
                Err(ProblemKind::AgeLimit { upper: ctx.rules.upper_age })
            } else {
                Ok(d)
            }
        }),
    );
    let applicant_iin = rc.check(APPLICANT_IIN, required(cell::iin(cell(APPLICANT_IIN))));
    let applicant_name = rc.check(APPLICANT_NAME, cell::required_text(cell(APPLICANT_NAME), MAX_NAME));
    let applicant_phone = rc.check(
        APPLICANT_PHONE,
        cell::text(cell(APPLICANT_PHONE), 32).and_then(|p| match p {
            None => Ok(String::new()),
            Some(p) => crate::application::phone(Field::ApplicantPhone, &p).map_err(|_| ProblemKind::PhoneFormat),
        }),
    );
    let category = rc.check(CATEGORY, cell::text(cell(CATEGORY), 200).and_then(|c| category(c.as_deref(), ctx.rules)));
    let preferences =
        rc.check(KINDERGARTENS, cell::text(cell(KINDERGARTENS), 1_000).and_then(|k| preferences(k.as_deref(), ctx)));
    let language = rc.check(
        LANGUAGE,
        cell::text(cell(LANGUAGE), 40)
            .and_then(|l| l.map(|l| GroupLanguage::read(&l).ok_or(ProblemKind::UnknownLanguage)).transpose()),
    );
    if let (Some(m), Some(b)) = (applied_at, birth_date) {
        if m.date() < b {
            rc.note(APPLIED_AT, ProblemKind::BeforeBirth);
        }
    }
    match (
        external_number,
        applied_at,
        child_iin,
        child_name,
        birth_date,
        applicant_iin,
        applicant_name,
        applicant_phone,
        category,
        preferences,
        language,
    ) {
        (
            Some(external_number),
            Some(applied_at),
            Some(iin),
            Some(name),
            Some(birth_date),
            Some(applicant_iin),
            Some(applicant_name),
            Some(applicant_phone),
            Some(category),
            Some(preferences),
            Some(language),
        ) if rc.problems.is_empty() => {
            let mut r = QueueImportRow {
                row,
                external_number,
                applied_at,
                child: Child { iin, name, birth_date },
                applicant_iin,
                applicant_name,
                applicant_phone,
                category,
                preferences,
                language,
                fingerprint: String::new(),
            };
            r.fingerprint = fingerprint(&r);
            Ok(r)
        }
        _ => Err(rc.problems),
    }
}

/// The category a cell names, by code or by its name in either language.
fn category(text: Option<&str>, rules: &QueueRules) -> Result<String, ProblemKind> {
    let Some(text) = text else { return Ok(GENERAL.to_owned()) };
    rules
        .categories
        .iter()
        .find(|c| c.code == text || names_one_of(text, &[c.name.kk.as_str(), c.name.ru.as_str()]))
        .map(|c| c.code.clone())
        .ok_or(ProblemKind::UnknownCategory)
}

/// The kindergartens a cell names, separated by `;` or line breaks, each by
/// its id in the registry or by its name in either language.
fn preferences(text: Option<&str>, ctx: &QueueImportContext<'_>) -> Result<Vec<i64>, ProblemKind> {
    let Some(text) = text else { return Ok(Vec::new()) };
    let mut ids = Vec::new();
    for item in text.split([';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        let found = match item.parse::<i64>() {
            Ok(id) => ctx.kindergartens.iter().find(|k| k.id == id),
            Err(_) => ctx.kindergartens.iter().find(|k| names_one_of(item, &[k.name_kk.as_str(), k.name_ru.as_str()])),
        };
        ids.push(found.ok_or(ProblemKind::UnknownKindergarten)?.id);
        if ids.len() > ctx.rules.max_preferences {
            return Err(ProblemKind::TooManyPreferences { max: ctx.rules.max_preferences });
        }
    }
    if ids.iter().collect::<BTreeSet<_>>().len() != ids.len() {
        return Err(ProblemKind::TooManyPreferences { max: ctx.rules.max_preferences });
    }
    Ok(ids)
}

/// The row's content as one line of text, hashed. Field order is fixed and
/// each field is escaped by JSON, so two different rows never share a line.
fn fingerprint(r: &QueueImportRow) -> String {
    let content = serde_json::json!([
        r.external_number,
        r.applied_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        r.child.iin.as_str(),
        r.child.name,
        r.child.birth_date.to_string(),
        r.applicant_iin.as_str(),
        r.applicant_name,
        r.applicant_phone,
        r.category,
        r.preferences,
        r.language.map(GroupLanguage::code),
    ]);
    hex(&Sha256::digest(content.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use chrono::NaiveDate;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn header() -> Vec<Cell> {
        COLUMNS.iter().map(|c| t(&c.header())).collect()
    }

    fn good() -> Vec<Cell> {
        vec![
            t("К-17"),
            t("01.09.2023 09:30:00"),
            t("220504500018"),
            t("Сәрсенбаев Әлихан"),
            t("04.05.2022"),
            t("900101300007"),
            t("Сәрсенбаева Гүлнұр"),
            t("87010001122"),
            t("Көп балалы отбасылардың балалары"),
            t("1; Балдәурен"),
            t("қазақ"),
        ]
    }

    fn kgs() -> Vec<KnownKindergarten> {
        vec![
            KnownKindergarten { id: 1, name_kk: "Айгөлек".into(), name_ru: "Айгулек".into() },
            KnownKindergarten { id: 2, name_kk: "Балдәурен".into(), name_ru: "Балдаурен".into() },
        ]
    }

    fn read(rows: &[Vec<Cell>]) -> QueueSheet {
        let rules = QueueRules::shipped().unwrap();
        let kgs = kgs();
        let now = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap().and_hms_opt(10, 0, 0).unwrap();
        read_sheet(rows, &QueueImportContext { rules: &rules, kindergartens: &kgs, now })
    }

    #[test]
    fn a_good_row_reads_whole() {
        let s = read(&[header(), good()]);
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        let r = &s.rows[0];
        assert_eq!((r.row, r.category.as_str(), r.preferences.clone()), (2, "large_family", vec![1, 2]));
        assert_eq!(r.applicant_phone, "+7 701 000 11 22");
        assert_eq!(r.language, Some(GroupLanguage::Kk));
        assert_eq!(r.external_number.as_deref(), Some("К-17"));
        assert_eq!(r.fingerprint.len(), 64);
    }

    #[test]
    fn headers_in_either_language_in_any_order() {
        let mut h: Vec<Cell> = COLUMNS.iter().map(|c| t(c.ru)).collect();
        let mut g = good();
        h.swap(2, 5);
        g.swap(2, 5);
        h[0] = t(COLUMNS[0].kk);
        let s = read(&[vec![t("Кезек / Очередь")], h, g]);
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.rows[0].row, 3);
        assert_eq!(s.rows[0].child.iin.as_str(), "220504500018");
    }

    #[test]
    fn each_problem_names_row_and_column() {
        let mut bad = good();
        bad[2] = t("22О504500011");
        bad[8] = t("депутат");
        bad[9] = t("Күншуақ");
        bad[1] = t("01.09.2027 10:00");
        let s = read(&[header(), good(), bad]);
        let codes: Vec<_> = s.problems.iter().map(|p| (p.row, p.column.map(|c| c.key), p.kind.code())).collect();
        assert_eq!(
            codes,
            vec![
                (3, Some("applied_at"), "in_future"),
                (3, Some("child_iin"), "look_alike"),
                (3, Some("category"), "unknown_category"),
                (3, Some("kindergartens"), "unknown_kindergarten"),
            ]
        );
        assert_eq!(
            s.problems[1].message(Lang::Kk),
            "3-жол, «Баланың ЖСН» бағаны: ЖСН-да цифрға ұқсас таңба бар: «О» (U+041E). Оны цифрмен қайта теріңіз."
        );
        assert!(s.problems[1].message(Lang::Ru).starts_with("Строка 3, столбец «ИИН ребёнка»: в ИИН символ"));
    }

    #[test]
    fn over_age_duplicates_and_missing_columns() {
        let mut old = good();
        old[2] = t("190101500019");
        old[4] = t("01.01.2019");
        let s = read(&[header(), good(), old, good()]);
        let codes: Vec<_> = s.problems.iter().map(|p| (p.row, p.kind.clone())).collect();
        assert_eq!(
            codes,
            vec![(3, ProblemKind::AgeLimit { upper: 6 }), (4, ProblemKind::DuplicateInFile { first_row: 2 })]
        );
        assert_eq!(s.rows.len(), 1);
        assert_eq!(s.rows_read, 3);

        let short: Vec<Cell> = header().into_iter().take(4).collect();
        let s = read(&[short, good()]);
        let missing: Vec<_> = s.problems.iter().map(|p| p.column.map(|c| c.key)).collect();
        assert_eq!(missing, vec![Some("child_birth_date"), Some("applicant_iin"), Some("applicant_name")]);
        assert!(s.rows.is_empty());
        let s = read(&[vec![t("x")], good()]);
        assert_eq!(s.problems[0].kind, ProblemKind::NoHeader);
    }

    #[test]
    fn applied_before_birth_is_refused() {
        let mut r = good();
        r[1] = t("01.01.2022 10:00");
        let s = read(&[header(), r]);
        assert_eq!(s.problems[0].kind, ProblemKind::BeforeBirth);
    }

    #[test]
    fn the_fingerprint_changes_with_any_field() {
        let a = read(&[header(), good()]).rows[0].fingerprint.clone();
        let mut g = good();
        g[3] = t("Сәрсенбаев Әлихан Ерланұлы");
        let b = read(&[header(), g]).rows[0].fingerprint.clone();
        assert_ne!(a, b);
        assert_eq!(a, read(&[header(), good()]).rows[0].fingerprint);
    }
}
