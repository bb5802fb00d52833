//! Kense's data in and out as files: spreadsheets read for an import, and
//! registers and reports written as XLSX and CSV.
//!
//! This crate owns the file formats and nothing else: [`read`] turns an XLSX,
//! ODS or CSV file into the domain's cells (the rows' checks are the
//! domain's, [`kense_domain::import`]); [`table`] writes one formatted table
//! (Kazakh and Russian headers, the office and period in the title, a frozen
//! header row, real dates and numbers) to XLSX or to CSV in UTF-8 with a
//! byte-order mark, for Excel; [`registers`] makes those tables of the
//! registry's journal and queue and records each export in the audit before
//! the file is handed over. It never knows Tauri; a window's file picker is
//! the shell's.

pub mod read;
pub mod registers;
pub mod reports;
pub mod table;

pub use read::{read_bytes, read_file, SheetFile};
pub use table::{Format, Table, TableColumn, Value};

use sha2::{Digest, Sha256};

/// The SHA-256 of a file's bytes, in lower-case hex.
pub fn sha256(bytes: &[u8]) -> String {
    kense_domain::audit::hex(&Sha256::digest(bytes))
}
