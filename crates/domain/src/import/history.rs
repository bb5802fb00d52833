//! The history template: applications of the office's other services from
//! its old register, kept for the registry's history and its duplicate
//! checks. Each keeps the old register's number as its external number;
//! it is not numbered again in the journal.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::cell::{self, Cell};
use super::{cell_of, locate, names_one_of, required, row_number, Column, Problem, ProblemKind, RowCheck, MAX_ROWS};
use crate::application::{Channel, Child, Status, MAX_NAME};
use crate::audit::hex;
use crate::catalog::Catalog;
use crate::iin::Iin;
use crate::Field;

pub const EXTERNAL_NUMBER: usize = 0;
pub const REGISTERED_AT: usize = 1;
pub const SERVICE: usize = 2;
pub const CHANNEL: usize = 3;
pub const STATUS: usize = 4;
pub const CLOSED_ON: usize = 5;
pub const APPLICANT_IIN: usize = 6;
pub const APPLICANT_NAME: usize = 7;
pub const APPLICANT_PHONE: usize = 8;
pub const CHILD_IIN: usize = 9;
pub const CHILD_NAME: usize = 10;
pub const CHILD_BIRTH_DATE: usize = 11;

pub static COLUMNS: [Column; 12] = [
    Column {
        key: "external_number", kk: "Тізілімдегі нөмірі", ru: "Номер в реестре", required: true
    },
    Column {
        key: "registered_at", kk: "Тіркелген күні мен уақыты", ru: "Дата и время регистрации", required: true
    },
    Column { key: "service", kk: "Қызмет", ru: "Услуга", required: true },
    Column {
        key: "channel", kk: "Өтініш берілген арна", ru: "Канал подачи", required: false
    },
    Column { key: "status", kk: "Мәртебесі", ru: "Статус", required: true },
    Column {
        key: "closed_on", kk: "Аяқталған күні", ru: "Дата завершения", required: false
    },
    Column {
        key: "applicant_iin", kk: "Өтініш берушінің ЖСН", ru: "ИИН заявителя", required: true
    },
    Column {
        key: "applicant_name", kk: "Өтініш берушінің аты-жөні", ru: "ФИО заявителя", required: true
    },
    Column { key: "applicant_phone", kk: "Телефон", ru: "Телефон", required: false },
    Column { key: "child_iin", kk: "Баланың ЖСН", ru: "ИИН ребёнка", required: false },
    Column { key: "child_name", kk: "Баланың аты-жөні", ru: "ФИО ребёнка", required: false },
    Column {
        key: "child_birth_date", kk: "Баланың туған күні", ru: "Дата рождения ребёнка", required: false
    },
];

/// A checked historical application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryRow {
    pub row: u32,
    /// The old register's number, kept as it was.
    pub external_number: String,
    pub registered_at: NaiveDateTime,
    pub service_code: String,
    pub channel: Channel,
    /// A closed status: issued, refused at intake or withdrawn. An open
    /// application is finished in the old register before the import.
    pub status: Status,
    pub closed_on: Option<NaiveDate>,
    pub applicant_iin: Iin,
    pub applicant_name: String,
    pub applicant_phone: String,
    pub child: Option<Child>,
    pub fingerprint: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistorySheet {
    pub rows: Vec<HistoryRow>,
    pub problems: Vec<Problem>,
    pub rows_read: usize,
}

/// Reads `rows` against the history template; `now` is the office's local
/// time.
pub fn read_sheet(rows: &[Vec<Cell>], catalog: &Catalog, now: NaiveDateTime) -> HistorySheet {
    let (header, at) = match locate(&COLUMNS, rows) {
        Ok(found) => found,
        Err(problems) => return HistorySheet { problems, ..HistorySheet::default() },
    };
    let mut sheet = HistorySheet::default();
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
        match read_row(cells, &at, row, catalog, now) {
            Ok(r) => match first_row_of.get(&r.external_number) {
                Some(first) => sheet.problems.push(Problem::new(
                    row,
                    Some(&COLUMNS[EXTERNAL_NUMBER]),
                    ProblemKind::DuplicateInFile { first_row: *first },
                )),
                None => {
                    first_row_of.insert(r.external_number.clone(), row);
                    sheet.rows.push(r);
                }
            },
            Err(mut p) => sheet.problems.append(&mut p),
        }
    }
    sheet
}

fn read_row(
    cells: &[Cell],
    at: &super::Located,
    row: u32,
    catalog: &Catalog,
    now: NaiveDateTime,
) -> Result<HistoryRow, Vec<Problem>> {
    let mut rc = RowCheck::new(row, &COLUMNS);
    let cell = |c: usize| cell_of(cells, at, c);
    let not_future = |m: NaiveDateTime| if m > now { Err(ProblemKind::InFuture) } else { Ok(m) };

    let external_number = rc.check(EXTERNAL_NUMBER, cell::required_text(cell(EXTERNAL_NUMBER), 40));
    let registered_at = rc.check(REGISTERED_AT, required(cell::moment(cell(REGISTERED_AT))).and_then(not_future));
    let service = rc.check(
        SERVICE,
        cell::required_text(cell(SERVICE), 400).and_then(|s| {
            catalog
                .services
                .iter()
                .find(|v| v.code == s || names_one_of(&s, &[v.name.kk.as_str(), v.name.ru.as_str()]))
                .map(|v| (v.code.clone(), v.subject != crate::catalog::Subject::None))
                .ok_or(ProblemKind::UnknownService)
        }),
    );
    let channel = rc.check(
        CHANNEL,
        cell::text(cell(CHANNEL), 80).and_then(|c| match c {
            None => Ok(Channel::Office),
            Some(c) => channel(&c).ok_or(ProblemKind::UnknownChannel),
        }),
    );
    let status = rc.check(
        STATUS,
        cell::required_text(cell(STATUS), 80).and_then(|s| {
            [Status::Issued, Status::RefusedAtIntake, Status::Withdrawn]
                .into_iter()
                .find(|st| st.code() == s || names_one_of(&s, &[st.name().kk.as_str(), st.name().ru.as_str()]))
                .ok_or(ProblemKind::UnknownStatus)
        }),
    );
    let closed_on = rc.check(
        CLOSED_ON,
        cell::date(cell(CLOSED_ON)).and_then(|d| match d {
            Some(d) if d > now.date() => Err(ProblemKind::InFuture),
            d => Ok(d),
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
    let child_iin = rc.check(CHILD_IIN, cell::iin(cell(CHILD_IIN)));
    let child_name = rc.check(CHILD_NAME, cell::text(cell(CHILD_NAME), MAX_NAME));
    let child_birth = rc.check(
        CHILD_BIRTH_DATE,
        cell::date(cell(CHILD_BIRTH_DATE)).and_then(|d| match d {
            Some(d) if d > now.date() => Err(ProblemKind::InFuture),
            d => Ok(d),
        }),
    );
    // A service about a child needs the child; for one about the applicant
    // the child's columns stay empty.
    let child = match (service.as_ref().map(|s| s.1), child_iin, child_name, child_birth) {
        (Some(true), Some(Some(iin)), Some(Some(name)), Some(Some(birth_date))) => {
            Some(Some(Child { iin, name, birth_date }))
        }
        (Some(true), Some(i), Some(n), Some(b)) => {
            for (c, missing) in [(CHILD_IIN, i.is_none()), (CHILD_NAME, n.is_none()), (CHILD_BIRTH_DATE, b.is_none())] {
                if missing {
                    rc.note(c, ProblemKind::Required);
                }
            }
            None
        }
        (Some(false), Some(_), Some(_), Some(_)) => Some(None),
        _ => None,
    };
    match (
        external_number,
        registered_at,
        service,
        channel,
        status,
        closed_on,
        applicant_iin,
        applicant_name,
        applicant_phone,
        child,
    ) {
        (
            Some(external_number),
            Some(registered_at),
            Some((service_code, _)),
            Some(channel),
            Some(status),
            Some(closed_on),
            Some(applicant_iin),
            Some(applicant_name),
            Some(applicant_phone),
            Some(child),
        ) if rc.problems.is_empty() => {
            let mut r = HistoryRow {
                row,
                external_number,
                registered_at,
                service_code,
                channel,
                status,
                closed_on,
                applicant_iin,
                applicant_name,
                applicant_phone,
                child,
                fingerprint: String::new(),
            };
            let mut content = serde_json::to_value(&r).unwrap_or_default();
            if let Some(o) = content.as_object_mut() {
                o.remove("row");
                o.remove("fingerprint");
            }
            r.fingerprint = hex(&Sha256::digest(content.to_string().as_bytes()));
            Ok(r)
        }
        _ => Err(rc.problems),
    }
}

fn channel(text: &str) -> Option<Channel> {
    if names_one_of(text, &["office", "бөлім", "отдел", "кеңсе", "көрсетілетін қызметті беруші", "услугодатель"])
    {
        Some(Channel::Office)
    } else if names_one_of(
        text,
        &["state_corporation", "ХҚКО", "ЦОН", "Мемлекеттік корпорация", "Госкорпорация", "ХҚО", "ХКО"],
    ) {
        Some(Channel::StateCorporation)
    } else if names_one_of(text, &["portal", "портал", "eGov", "электрондық үкімет", "электронное правительство"])
    {
        Some(Channel::Portal)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn catalog() -> Catalog {
        Catalog::parse(include_str!("../../../../assets/catalog/services.json")).unwrap()
    }

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap().and_hms_opt(10, 0, 0).unwrap()
    }

    #[test]
    fn history_rows_keep_their_number() {
        let c = catalog();
        let queue_service = c.service("preschool_queue").unwrap();
        let header: Vec<Cell> = COLUMNS.iter().map(|c| t(&c.header())).collect();
        let row = vec![
            t("01-2024-00017"),
            t("15.03.2024 11:20"),
            t(&queue_service.name.ru),
            t("ЦОН"),
            t("выдано"),
            t("20.03.2024"),
            t("900101300007"),
            t("Сәрсенбаева Гүлнұр"),
            Cell::Empty,
            t("150315500015"),
            t("Сәрсенбаев Әлихан"),
            t("15.03.2015"),
        ];
        let mut twice = row.clone();
        twice[6] = t("900101300007");
        let mut no_child = row.clone();
        no_child[0] = t("01-2024-00018");
        no_child[9] = Cell::Empty;
        let s = read_sheet(&[header, row, twice, no_child], &c, now());
        assert_eq!(s.rows.len(), 1);
        let r = &s.rows[0];
        assert_eq!(
            (r.external_number.as_str(), r.channel, r.status),
            ("01-2024-00017", Channel::StateCorporation, Status::Issued)
        );
        let kinds: Vec<_> = s.problems.iter().map(|p| (p.row, p.column.map(|c| c.key), p.kind.code())).collect();
        assert_eq!(kinds, vec![(3, Some("external_number"), "duplicate_in_file"), (4, Some("child_iin"), "required")]);
    }
}
