//! One spreadsheet cell as a reader found it, and what an import column
//! makes of it: text, an IIN, a date, a moment.
//!
//! A cell comes from XLSX (typed: numbers, dates, booleans, error values) or
//! from CSV (always text). The readers here accept what offices really have
//! in their files — dates typed as text in the usual forms, dates as Excel
//! serial numbers, an IIN Excel turned into a number (losing its leading
//! zero) — and refuse everything else with a reason a person can act on.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use super::ProblemKind;
use crate::application::normalise;
use crate::iin::Iin;
use crate::Field;

/// The longest text a cell may hold before it is refused unread: a name or
/// a list of kindergartens is far shorter, and a huge cell must not cost
/// the checks that follow.
pub const MAX_CELL_CHARS: usize = 2_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A cell the spreadsheet itself formatted as a date or date-time.
    DateTime(NaiveDateTime),
    /// An error value such as `#N/A` or `#REF!`.
    Error(String),
}

impl Cell {
    /// Whether the cell holds nothing a person would see.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

/// The cell's text, trimmed and with white space collapsed; `None` when
/// empty. Whole numbers read as their digits (a register number, a phone
/// typed into a number cell); other types are refused.
pub fn text(cell: &Cell, max: usize) -> Result<Option<String>, ProblemKind> {
    let raw = match cell {
        Cell::Empty => return Ok(None),
        Cell::Text(t) => {
            if t.chars().count() > MAX_CELL_CHARS {
                return Err(ProblemKind::TooLong { max });
            }
            t.clone()
        }
        Cell::Number(n) => whole(*n).ok_or(ProblemKind::WrongType)?.to_string(),
        Cell::Bool(_) | Cell::DateTime(_) => return Err(ProblemKind::WrongType),
        Cell::Error(_) => return Err(ProblemKind::ErrorValue),
    };
    let s = normalise(&raw);
    if s.is_empty() {
        return Ok(None);
    }
    // A formula would run again when someone opens an export of these data.
    if s.starts_with('=') {
        return Err(ProblemKind::Formula);
    }
    if s.chars().count() > max {
        return Err(ProblemKind::TooLong { max });
    }
    if s.chars().any(|c| c.is_control() || crate::application::is_invisible_format(c)) {
        return Err(ProblemKind::HiddenCharacters);
    }
    Ok(Some(s))
}

/// Like [`text`], but the cell must not be empty.
pub fn required_text(cell: &Cell, max: usize) -> Result<String, ProblemKind> {
    text(cell, max)?.ok_or(ProblemKind::Required)
}

/// A whole number a cell may hold without losing digits.
fn whole(n: f64) -> Option<u64> {
    (n.is_finite() && n.fract() == 0.0 && (0.0..1e15).contains(&n)).then_some(n as u64)
}

/// The digit a character is mistaken for, when it is a letter or a digit of
/// another script that looks like an ASCII digit: a Cyrillic «О» or «З», a
/// Latin «l», a fullwidth «１».
pub fn look_alike(c: char) -> Option<char> {
    Some(match c {
        'O' | 'o' | 'О' | 'о' | 'Ο' | 'ο' | 'Q' | 'D' => '0',
        'l' | 'I' | 'i' | 'І' | 'і' | 'Ӏ' | 'ӏ' | '|' | '!' => '1',
        'Z' | 'z' => '2',
        'З' | 'з' | 'Ʒ' | 'ʒ' => '3',
        'Ч' | 'ч' | 'A' => '4',
        'S' | 's' | 'Ѕ' | 'ѕ' => '5',
        'б' | 'Б' | 'G' => '6',
        'T' | 'Т' => '7',
        'B' | 'В' | 'ß' => '8',
        'g' | 'q' => '9',
        c if c.is_numeric() && !c.is_ascii_digit() => c,
        _ => return None,
    })
}

/// An IIN cell: twelve ASCII digits with a valid check digit. A number
/// cell is read back to twelve digits (Excel drops the leading zero of an
/// IIN of a child born in the 2000s). A letter or foreign digit that looks
/// like a digit is named, so the person finds it in the file.
pub fn iin(cell: &Cell) -> Result<Option<Iin>, ProblemKind> {
    let raw = match cell {
        Cell::Number(n) => match whole(*n) {
            Some(v) if v < 1_000_000_000_000 => format!("{v:012}"),
            _ => return Err(ProblemKind::IinFormat),
        },
        other => match text(other, 40)? {
            Some(s) => s,
            None => return Ok(None),
        },
    };
    if let Some(c) = raw.chars().find(|c| !c.is_ascii_digit() && look_alike(*c).is_some()) {
        return Err(ProblemKind::LookAlike { found: c });
    }
    match Iin::parse(Field::Iin, &raw) {
        Ok(i) => Ok(Some(i)),
        Err(crate::Error::IinCheckDigit(_)) => Err(ProblemKind::IinCheckDigit),
        Err(_) => Err(ProblemKind::IinFormat),
    }
}

/// The moment an Excel serial number stands for (days since 1899-12-30,
/// the fraction being the time of day), with Excel's phantom 29 February
/// 1900 (serial 60) refused. `None` outside 1900-01-01 ..= 9999-12-31.
pub fn excel_serial(serial: f64) -> Option<NaiveDateTime> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.trunc() as i64;
    if days == 60 {
        return None;
    }
    // Serials before the phantom day count from 1899-12-31.
    let base = if days < 60 { NaiveDate::from_ymd_opt(1899, 12, 31)? } else { NaiveDate::from_ymd_opt(1899, 12, 30)? };
    let date = base.checked_add_signed(Duration::days(days))?;
    let seconds = (serial.fract() * 86_400.0).round() as i64;
    date.and_time(NaiveTime::MIN).checked_add_signed(Duration::seconds(seconds))
}

const DATE_FORMATS: &[&str] = &["%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"];
const MOMENT_FORMATS: &[&str] = &[
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
];

/// A date typed as text: the usual forms, or a serial number that lost its
/// date format on the way through CSV.
fn date_text(s: &str) -> Option<NaiveDate> {
    // Four-digit years only: "01.02.03" could be any of three dates.
    let plausible = |d: NaiveDate| (1900..=9999).contains(&chrono::Datelike::year(&d));
    DATE_FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        .filter(|d| plausible(*d))
        .or_else(|| serial_text(s).map(|m| m.date()))
}

fn serial_text(s: &str) -> Option<NaiveDateTime> {
    if s.len() > 12 || !s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    s.replace(',', ".").parse::<f64>().ok().and_then(excel_serial)
}

/// A date cell (a birth date): a date cell, an Excel serial, or text.
pub fn date(cell: &Cell) -> Result<Option<NaiveDate>, ProblemKind> {
    match cell {
        Cell::DateTime(m) => Ok(Some(m.date())),
        Cell::Number(n) => excel_serial(*n).map(|m| Some(m.date())).ok_or(ProblemKind::DateFormat),
        other => match text(other, 40).map_err(|_| ProblemKind::DateFormat)? {
            None => Ok(None),
            Some(s) => date_text(&s).map(Some).ok_or(ProblemKind::DateFormat),
        },
    }
}

/// A moment cell (when an application was made), to the second: a
/// date-time cell, an Excel serial with its fraction, or text with or
/// without the time (a date alone is the start of that day).
pub fn moment(cell: &Cell) -> Result<Option<NaiveDateTime>, ProblemKind> {
    match cell {
        Cell::DateTime(m) => Ok(Some(*m)),
        Cell::Number(n) => excel_serial(*n).map(Some).ok_or(ProblemKind::MomentFormat),
        other => match text(other, 40).map_err(|_| ProblemKind::MomentFormat)? {
            None => Ok(None),
            Some(s) => MOMENT_FORMATS
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())
                .filter(|m| (1900..=9999).contains(&chrono::Datelike::year(m)))
                .or_else(|| serial_text(&s))
                .or_else(|| date_text(&s).map(|d| d.and_time(NaiveTime::MIN)))
                .map(Some)
                .ok_or(ProblemKind::MomentFormat),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn excel_serials_match_excel() {
        assert_eq!(excel_serial(1.0).unwrap().date(), ymd(1900, 1, 1));
        assert_eq!(excel_serial(59.0).unwrap().date(), ymd(1900, 2, 28));
        assert_eq!(excel_serial(60.0), None, "Excel's 29 February 1900 never existed");
        assert_eq!(excel_serial(61.0).unwrap().date(), ymd(1900, 3, 1));
        assert_eq!(excel_serial(45_000.0).unwrap().date(), ymd(2023, 3, 15));
        let m = excel_serial(45_000.5).unwrap();
        assert_eq!(m, ymd(2023, 3, 15).and_hms_opt(12, 0, 0).unwrap());
        assert_eq!(excel_serial(0.0), None);
        assert_eq!(excel_serial(f64::NAN), None);
        assert_eq!(excel_serial(3e6), None);
    }

    #[test]
    fn dates_in_every_form_an_office_has() {
        let want = Some(ymd(2022, 5, 4));
        assert_eq!(date(&Cell::Text("04.05.2022".into())).unwrap(), want);
        assert_eq!(date(&Cell::Text(" 2022-05-04 ".into())).unwrap(), want);
        assert_eq!(date(&Cell::Text("04/05/2022".into())).unwrap(), want);
        assert_eq!(date(&Cell::Number(44_685.0)).unwrap(), want);
        assert_eq!(date(&Cell::Text("44685".into())).unwrap(), want);
        assert_eq!(date(&Cell::DateTime(ymd(2022, 5, 4).and_hms_opt(0, 0, 0).unwrap())).unwrap(), want);
        assert_eq!(date(&Cell::Empty).unwrap(), None);
        assert_eq!(date(&Cell::Text("04.05.22".into())), Err(ProblemKind::DateFormat));
        assert_eq!(date(&Cell::Text("31.02.2022".into())), Err(ProblemKind::DateFormat));
        assert_eq!(date(&Cell::Bool(true)), Err(ProblemKind::DateFormat));
    }

    #[test]
    fn moments_keep_the_second() {
        let want = Some(ymd(2021, 9, 1).and_hms_opt(9, 30, 15).unwrap());
        assert_eq!(moment(&Cell::Text("01.09.2021 09:30:15".into())).unwrap(), want);
        assert_eq!(moment(&Cell::Text("2021-09-01T09:30:15".into())).unwrap(), want);
        assert_eq!(
            moment(&Cell::Text("01.09.2021".into())).unwrap(),
            Some(ymd(2021, 9, 1).and_hms_opt(0, 0, 0).unwrap())
        );
        assert_eq!(
            moment(&Cell::Number(44_440.396_701_388_89)).unwrap(),
            Some(ymd(2021, 9, 1).and_hms_opt(9, 31, 15).unwrap())
        );
        assert_eq!(moment(&Cell::Text("вчера".into())), Err(ProblemKind::MomentFormat));
    }

    #[test]
    fn iins_from_text_numbers_and_look_alikes() {
        assert_eq!(iin(&Cell::Text("900101300007".into())).unwrap().unwrap().as_str(), "900101300007");
        // 050315500015 would lose its zero in a number cell.
        let lost_zero = Cell::Number(50_315_500_015.0);
        assert_eq!(
            iin(&lost_zero).map(|i| i.map(|i| i.to_string())),
            iin(&Cell::Text("050315500015".into())).map(|i| i.map(|i| i.to_string()))
        );
        assert_eq!(iin(&Cell::Text("9OO101300007".into())), Err(ProblemKind::LookAlike { found: 'O' }));
        assert_eq!(iin(&Cell::Text("9001013ОО007".into())), Err(ProblemKind::LookAlike { found: 'О' }));
        assert_eq!(iin(&Cell::Text("90010130000З".into())), Err(ProblemKind::LookAlike { found: 'З' }));
        assert_eq!(iin(&Cell::Text("９00101300007".into())), Err(ProblemKind::LookAlike { found: '９' }));
        assert_eq!(iin(&Cell::Text("900101300008".into())), Err(ProblemKind::IinCheckDigit));
        assert_eq!(iin(&Cell::Text("9001013000".into())), Err(ProblemKind::IinFormat));
        assert_eq!(iin(&Cell::Text("=900101300007".into())), Err(ProblemKind::Formula));
        assert_eq!(iin(&Cell::Number(9.001013e11 + 0.5)), Err(ProblemKind::IinFormat));
        assert_eq!(iin(&Cell::Empty), Ok(None));
    }

    #[test]
    fn text_refuses_formulas_errors_and_huge_cells() {
        assert_eq!(text(&Cell::Text("  Әлихан   Сәрсенбаев ".into()), 200).unwrap().unwrap(), "Әлихан Сәрсенбаев");
        assert_eq!(text(&Cell::Text("=HYPERLINK(\"x\")".into()), 200), Err(ProblemKind::Formula));
        assert_eq!(text(&Cell::Error("#N/A".into()), 200), Err(ProblemKind::ErrorValue));
        assert_eq!(text(&Cell::Text("я".repeat(MAX_CELL_CHARS + 1)), 200), Err(ProblemKind::TooLong { max: 200 }));
        assert_eq!(text(&Cell::Text("a\u{202e}b".into()), 200), Err(ProblemKind::HiddenCharacters));
        assert_eq!(text(&Cell::Number(17.0), 20).unwrap().unwrap(), "17");
        assert_eq!(text(&Cell::Number(1.5), 20), Err(ProblemKind::WrongType));
    }
}
