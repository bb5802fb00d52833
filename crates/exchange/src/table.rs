//! One table written as a spreadsheet: XLSX through `rust_xlsxwriter`
//! (a title row with the office and period, a frozen header row in Kazakh
//! and Russian, real date and number cells, set widths, a filter) or CSV
//! in UTF-8 with a byte-order mark, the separator Excel expects here (`;`).

use chrono::{NaiveDate, NaiveDateTime};
use kense_domain::Error;
use rust_xlsxwriter::{Format as XlsxFormat, FormatAlign, FormatBorder, Workbook};

/// How a column's cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Integer,
    Date,
    DateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableColumn {
    pub kk: String,
    pub ru: String,
    pub format: Format,
    /// In characters, as Excel counts them.
    pub width: u16,
}

impl TableColumn {
    pub fn new(kk: &str, ru: &str, format: Format, width: u16) -> TableColumn {
        TableColumn { kk: kk.to_owned(), ru: ru.to_owned(), format, width }
    }

    /// The header as written: both languages, Kazakh first.
    pub fn header(&self) -> String {
        if self.kk == self.ru {
            self.kk.clone()
        } else {
            format!("{} / {}", self.kk, self.ru)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Integer(i64),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

/// A table with its title (the office and the period).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The sheet's name (Excel allows 31 characters, no `[]:*?/\`).
    pub sheet: String,
    pub title: String,
    pub columns: Vec<TableColumn>,
    pub rows: Vec<Vec<Value>>,
}

/// The row the header is on (0-based); the title is above it.
pub const HEADER_ROW: u32 = 1;

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Io(format!("xlsx: {e}"))
}

/// A workbook of several tables, one sheet each, as bytes.
pub fn workbook(tables: &[Table]) -> Result<Vec<u8>, Error> {
    let mut book = Workbook::new();
    for t in tables {
        t.write_sheet(book.add_worksheet())?;
    }
    book.save_to_buffer().map_err(xlsx_err)
}

/// Several tables in one CSV, a blank line between them.
pub fn csv_of(tables: &[Table]) -> Result<Vec<u8>, Error> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(&t.to_csv()?[3..]);
    }
    Ok(out)
}

impl Table {
    /// The workbook's bytes.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, Error> {
        workbook(std::slice::from_ref(self))
    }

    fn write_sheet(&self, sheet: &mut rust_xlsxwriter::Worksheet) -> Result<(), Error> {
        let name: String =
            self.sheet.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect::<String>().trim().to_owned();
        sheet.set_name(if name.is_empty() { "Kense".to_owned() } else { name }).map_err(xlsx_err)?;
        let title = XlsxFormat::new().set_bold().set_font_size(13);
        let header =
            XlsxFormat::new().set_bold().set_text_wrap().set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
        let date = XlsxFormat::new().set_num_format("dd.mm.yyyy");
        let moment = XlsxFormat::new().set_num_format("dd.mm.yyyy hh:mm:ss");
        let text = XlsxFormat::new();
        let last_col = u16::try_from(self.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
        if last_col > 0 {
            sheet.merge_range(0, 0, 0, last_col, &self.title, &title).map_err(xlsx_err)?;
        } else {
            sheet.write_string_with_format(0, 0, &self.title, &title).map_err(xlsx_err)?;
        }
        for (c, col) in self.columns.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| Error::Io("too many columns".into()))?;
            sheet.write_string_with_format(HEADER_ROW, c, col.header(), &header).map_err(xlsx_err)?;
            sheet.set_column_width(c, col.width).map_err(xlsx_err)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = HEADER_ROW + 1 + u32::try_from(r).map_err(|_| Error::Io("too many rows".into()))?;
            for (c, v) in row.iter().enumerate() {
                let c = u16::try_from(c).map_err(|_| Error::Io("too many columns".into()))?;
                match v {
                    Value::Empty => None,
                    // Written as a string, never a formula, whatever it starts with.
                    Value::Text(s) => Some(sheet.write_string_with_format(r, c, s, &text)),
                    Value::Integer(i) => Some(sheet.write_number(r, c, *i as f64)),
                    Value::Date(d) => Some(sheet.write_datetime_with_format(r, c, d, &date)),
                    Value::DateTime(m) => Some(sheet.write_datetime_with_format(r, c, m, &moment)),
                }
                .transpose()
                .map_err(xlsx_err)?;
            }
        }
        sheet.set_freeze_panes(HEADER_ROW + 1, 0).map_err(xlsx_err)?;
        let last_row = HEADER_ROW + u32::try_from(self.rows.len()).unwrap_or(0);
        sheet.autofilter(HEADER_ROW, 0, last_row, last_col).map_err(xlsx_err)?;
        Ok(())
    }

    /// The CSV's bytes: a byte-order mark (so Excel reads UTF-8), the title
    /// line, the header line, the rows; dates as `ДД.ММ.ГГГГ`.
    pub fn to_csv(&self) -> Result<Vec<u8>, Error> {
        let mut out = b"\xEF\xBB\xBF".to_vec();
        {
            let mut w = csv::WriterBuilder::new().delimiter(b';').flexible(true).from_writer(&mut out);
            let io = |e: csv::Error| Error::Io(format!("csv: {e}"));
            w.write_record([defuse(&self.title)]).map_err(io)?;
            w.write_record(self.columns.iter().map(|c| defuse(&c.header()))).map_err(io)?;
            for row in &self.rows {
                w.write_record(row.iter().map(|v| match v {
                    Value::Empty => String::new(),
                    Value::Text(s) => defuse(s),
                    Value::Integer(i) => i.to_string(),
                    Value::Date(d) => d.format("%d.%m.%Y").to_string(),
                    Value::DateTime(m) => m.format("%d.%m.%Y %H:%M:%S").to_string(),
                }))
                .map_err(io)?;
            }
            w.flush().map_err(|e| Error::Io(format!("csv: {e}")))?;
        }
        Ok(out)
    }
}

/// Text a spreadsheet would take for a formula (`=`, `@`, or `+`/`-` not
/// followed by a digit, as in a phone number) gets a leading apostrophe,
/// so opening an export never runs what someone typed into a name.
pub fn defuse(s: &str) -> String {
    let mut chars = s.chars();
    let risky = match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !chars.next().is_some_and(|c| c.is_ascii_digit() || c == ' '),
        _ => false,
    };
    if risky {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}
