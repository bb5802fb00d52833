//! Spreadsheet files read into cells: the first sheet of an XLSX (or ODS,
//! XLS) workbook through `calamine`, or a CSV in UTF-8 (with or without a
//! byte-order mark, `;`, `,` or tab separated). Rows keep the sheet's own
//! numbering, so a problem's row is the row a person sees in Excel.

use std::io::Cursor;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use kense_domain::import::cell::excel_serial;
use kense_domain::import::Cell;
use kense_domain::Error;

/// The largest file an import reads: a queue of 100 000 children is far
/// smaller, and a larger file is more likely a wrong choice than a list.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;

/// A file read for an import.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetFile {
    /// The file's name without its folder (what the audit records).
    pub name: String,
    pub sha256: String,
    /// The first sheet's rows from the sheet's first row.
    pub rows: Vec<Vec<Cell>>,
}

/// Reads the file at `path`.
pub fn read_file(path: &Path) -> Result<SheetFile, Error> {
    let len = std::fs::metadata(path).map_err(|e| Error::UnreadableSheet(e.to_string()))?.len();
    if len > MAX_FILE_BYTES as u64 {
        return Err(Error::UnreadableSheet(format!("{len} bytes")));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::UnreadableSheet(e.to_string()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    read_bytes(&name, &bytes)
}

/// Reads a file's bytes; `name` tells CSV from a workbook by its extension,
/// and a workbook is also known by its first bytes (a ZIP or OLE header).
pub fn read_bytes(name: &str, bytes: &[u8]) -> Result<SheetFile, Error> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::UnreadableSheet(format!("{} bytes", bytes.len())));
    }
    let lower = name.to_lowercase();
    let workbook = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let rows = if workbook {
        read_workbook(bytes)?
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") {
        read_csv(bytes)?
    } else {
        return Err(Error::UnreadableSheet(format!("not a spreadsheet: {name}")));
    };
    Ok(SheetFile { name: name.to_owned(), sha256: crate::sha256(bytes), rows })
}

fn read_workbook(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, Error> {
    let bad = |e: &dyn std::fmt::Display| Error::UnreadableSheet(e.to_string());
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let first = book.sheet_names().first().cloned().ok_or_else(|| Error::UnreadableSheet("no sheet".into()))?;
    let range = book.worksheet_range(&first).map_err(|e| bad(&e))?;
    let Some((top, left)) = range.start() else { return Ok(Vec::new()) };
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); top as usize];
    for r in range.rows() {
        let mut cells = vec![Cell::Empty; left as usize];
        cells.extend(r.iter().map(cell));
        rows.push(cells);
    }
    // A formula's cell holds the value it last computed; the import wants
    // what a person typed, so a formula is shown to the checks as one (they
    // refuse it) rather than its cached value taken as data.
    if let Ok(formulas) = book.worksheet_formula(&first) {
        if let Some((ftop, fleft)) = formulas.start() {
            for (r, c, f) in formulas.used_cells() {
                let (r, c) = ((ftop as usize) + r, (fleft as usize) + c);
                if let Some(slot) = rows.get_mut(r) {
                    if slot.len() <= c {
                        slot.resize(c + 1, Cell::Empty);
                    }
                    slot[c] = Cell::Text(format!("={f}"));
                }
            }
        }
    }
    Ok(rows)
}

/// A workbook cell as the domain reads it. A date cell becomes a moment;
/// a duration or a time alone (a serial below one day) stays a number.
fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            excel_serial(dt.as_f64()).map_or(Cell::Number(dt.as_f64()), Cell::DateTime)
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, Error> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Offices' old files are often Windows-1251: refused with a clear word
    // (save as "CSV UTF-8") rather than read as mojibake.
    let text = std::str::from_utf8(body).map_err(|e| Error::UnreadableSheet(format!("not UTF-8: {e}")))?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter =
        [b';', b',', b'\t'].into_iter().max_by_key(|d| first_line.bytes().filter(|b| b == d).count()).unwrap_or(b';');
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::UnreadableSheet(e.to_string()))?;
        rows.push(record.iter().map(|f| if f.is_empty() { Cell::Empty } else { Cell::Text(f.to_owned()) }).collect());
    }
    Ok(rows)
}
