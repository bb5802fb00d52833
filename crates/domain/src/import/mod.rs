//! Bringing an office's existing lists into the registry: the preschool
//! queue it kept before Kense, and the registers of its other services.
//!
//! This module owns the templates' columns (named in Kazakh and Russian),
//! reading a sheet of [`Cell`]s against them, and every check a row can fail
//! without the registry: IINs (with letters that look like digits named),
//! dates as text or Excel serials, unknown categories, kindergartens,
//! services and statuses, dates in the future, a child past the age limit,
//! the same child twice in one file. What the registry alone knows (a child
//! already queued) is checked by storage, which reports it as a
//! [`Problem`] too. Reading the file's bytes is not done here.

pub mod cell;
pub mod history;
mod problem;
pub mod queue;

pub use cell::Cell;
pub use problem::{Column, Problem, ProblemKind};

use crate::application::search_key;

/// The most data rows one file may bring; a larger register is brought in
/// parts, so that one import stays one transaction of bounded size.
pub const MAX_ROWS: usize = 100_000;

/// How a header cell is compared: case, Kazakh letters, spaces and the
/// required-column star do not matter.
fn fold_header(s: &str) -> String {
    search_key(&s.replace('*', " "))
}

/// The columns of a template found in a header row: for each template
/// column, the index of its cell.
pub(crate) type Located = Vec<Option<usize>>;

/// Finds the header row (the first row where any cell names a column of
/// `columns`, within the first ten rows) and where each column is. Returns
/// the header row's index with the columns found, or the file's problems.
pub(crate) fn locate(columns: &'static [Column], rows: &[Vec<Cell>]) -> Result<(usize, Located), Vec<Problem>> {
    let names: Vec<[String; 4]> = columns
        .iter()
        .map(|c| [fold_header(c.kk), fold_header(c.ru), fold_header(&c.header()), fold_header(c.key)])
        .collect();
    let column_of = |cell: &Cell| match cell {
        Cell::Text(t) if t.chars().count() <= 200 => {
            let folded = fold_header(t);
            names.iter().position(|n| n.contains(&folded))
        }
        _ => None,
    };
    let Some(header) = rows.iter().take(10).position(|r| r.iter().any(|c| column_of(c).is_some())) else {
        return Err(vec![Problem::new(1, None, ProblemKind::NoHeader)]);
    };
    let row_no = row_number(header);
    let mut found: Located = vec![None; columns.len()];
    let mut problems = Vec::new();
    for (i, cell) in rows[header].iter().enumerate() {
        if let Some(c) = column_of(cell) {
            if found[c].is_some() {
                problems.push(Problem::new(row_no, Some(&columns[c]), ProblemKind::DuplicateColumn));
            }
            found[c] = Some(i);
        }
    }
    for (c, at) in columns.iter().zip(&found) {
        if c.required && at.is_none() {
            problems.push(Problem::new(row_no, Some(c), ProblemKind::MissingColumn));
        }
    }
    if problems.is_empty() {
        Ok((header, found))
    } else {
        Err(problems)
    }
}

/// The spreadsheet's number of the row at `index` (rows are given from the
/// sheet's first row).
pub(crate) fn row_number(index: usize) -> u32 {
    u32::try_from(index).map_or(u32::MAX, |i| i.saturating_add(1))
}

/// The cell of column `c` in `row`, or an empty one.
pub(crate) fn cell_of<'a>(row: &'a [Cell], at: &Located, c: usize) -> &'a Cell {
    const EMPTY: &Cell = &Cell::Empty;
    at.get(c).copied().flatten().and_then(|i| row.get(i)).unwrap_or(EMPTY)
}

/// Whether a cell's text names one of `names` (folded as search folds).
pub(crate) fn names_one_of(text: &str, names: &[&str]) -> bool {
    let t = search_key(text);
    names.iter().any(|n| search_key(n) == t)
}

/// The problems of one row, collected column by column so that a row with
/// three mistakes reports three.
pub(crate) struct RowCheck {
    pub row: u32,
    pub columns: &'static [Column],
    pub problems: Vec<Problem>,
}

impl RowCheck {
    pub(crate) fn new(row: u32, columns: &'static [Column]) -> RowCheck {
        RowCheck { row, columns, problems: Vec::new() }
    }

    /// The value, or `None` with the problem noted against column `c`.
    pub(crate) fn check<T>(&mut self, c: usize, r: Result<T, ProblemKind>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(kind) => {
                self.note(c, kind);
                None
            }
        }
    }

    pub(crate) fn note(&mut self, c: usize, kind: ProblemKind) {
        self.problems.push(Problem::new(self.row, self.columns.get(c), kind));
    }
}

/// An optional cell that must be filled.
pub(crate) fn required<T>(r: Result<Option<T>, ProblemKind>) -> Result<T, ProblemKind> {
    r.and_then(|v| v.ok_or(ProblemKind::Required))
}
