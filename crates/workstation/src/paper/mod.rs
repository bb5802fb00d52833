//! The office's paper: record → PDF bytes → file → hash → recorded print.
//!
//! One module per kind of paper makes its document from the registry's
//! record; this module owns what they share: the filing under the data
//! folder (written atomically, hashed), the recorded print with its copy
//! number and verification text, the office's requisites and stamp, the
//! signer's block, and [`Printed`], what the window is told. What each
//! kind's QR code vouches for is `verification`'s, not theirs.

pub mod journal;
pub mod owed;
pub mod queue_extract;
pub mod queue_history;
pub mod queue_notification;
pub mod receipt;
pub mod referral;
pub mod referral_list;
pub mod result;

use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use kense_documents::{Bilingual as DocText, OfficeRequisites, Signer, StampImage};
use kense_domain::access::{Action, Actor};
use kense_domain::audit::hex;
use kense_domain::queue::QueueRules;
use kense_domain::{Bilingual, Error};
use kense_storage::{Office, Registry};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{clock, paths, Workstation};

/// A filed document, as the window is told of it.
#[derive(Debug, Serialize)]
pub struct Printed {
    pub path: String,
    pub kind: &'static str,
    pub copy: u32,
    pub sha256: String,
    /// The text in the document's QR code.
    pub verification: String,
    /// Whether the system viewer accepted the file. When it did not (no
    /// viewer installed), the window shows where the file is.
    pub opened: bool,
    /// The printer it was sent to, when it went to one.
    pub printer: Option<String>,
}

pub(crate) fn text(b: &Bilingual) -> DocText {
    DocText { kk: b.kk.clone(), ru: b.ru.clone() }
}

pub(crate) fn requisites(office: &Office) -> OfficeRequisites {
    OfficeRequisites { name: text(&office.name), address: text(&office.address), phone: office.phone.clone() }
}

/// Who signs: the person printing, in the position their role holds. A
/// referral carries the head who committed the distribution instead.
pub(crate) fn signer(name: &str, head: bool) -> Signer {
    let position = if head {
        Bilingual::new("Бөлім басшысы", "Руководитель отдела")
    } else {
        Bilingual::new("Бөлім маманы", "Специалист отдела")
    };
    Signer { name: name.to_owned(), position: text(&position) }
}

/// The office's uploaded stamp, drawn over the seal place when present.
pub(crate) fn office_stamp(reg: &Registry) -> Result<Option<StampImage>, Error> {
    Ok(reg.stamp()?.map(|png| StampImage { png }))
}

/// A queue category's name as the rules give it; its code when unknown.
pub(crate) fn category_name(rules: &QueueRules, code: &str) -> DocText {
    rules.category(code).map_or_else(|| DocText { kk: code.into(), ru: code.into() }, |c| text(&c.name))
}

/// A date the registry stores as ISO text (possibly with a time after it).
pub(crate) fn date(s: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
        .map_err(|e| Error::Storage(format!("date {s}: {e}")))
}

/// Writes a document's bytes where the office files it, as
/// `documents/<year>/<number>-<name>.pdf`, and hashes them.
pub(crate) fn file(
    station: &Workstation,
    year: i32,
    number: &str,
    name: &str,
    bytes: &[u8],
) -> Result<(PathBuf, String), Error> {
    let sha256 = hex(&Sha256::digest(bytes));
    let path = paths::document_file(station.data_dir()?, year, number, name);
    paths::write_atomically(&path, bytes)?;
    Ok((path, sha256))
}

pub(crate) fn file_name(path: &std::path::Path) -> String {
    path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Files a document's bytes under the data directory and records its print
/// (hash, verification text, copy) with the right `action` needs; what the
/// window shows comes back. `stored_kind` is unique per document of the
/// application, `kind` is what the window is told.
#[allow(clippy::too_many_arguments)] // each is one fact of the print; a struct would only rename them
pub(crate) fn file_and_record(
    station: &Workstation,
    actor: &Actor,
    action: Action,
    (application_id, stored_kind, copy): (i64, &str, u32),
    (year, number): (i32, &str),
    qr_text: String,
    bytes: Vec<u8>,
    kind: &'static str,
) -> Result<Printed, Error> {
    let name = if copy == 1 { kind.to_owned() } else { format!("{kind}-copy{copy}") };
    let (path, sha256) = file(station, year, number, &name, &bytes)?;
    let file_name = file_name(&path);
    let printed = kense_storage::Printed {
        application_id,
        kind: stored_kind,
        copy,
        sha256: &sha256,
        verification: &qr_text,
        file_name: &file_name,
    };
    let copy = station.with_registry(|reg| reg.record_printed(actor, action, &printed, clock::now()))?;
    Ok(Printed {
        path: path.display().to_string(),
        kind,
        copy,
        sha256,
        verification: qr_text,
        opened: false,
        printer: None,
    })
}

/// Files a list that belongs to no one application and audits its print.
pub(crate) fn file_report(
    station: &Workstation,
    actor: &Actor,
    kind: &'static str,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Printed, Error> {
    let now = clock::now();
    let (path, sha256) = file(station, now.year(), name, kind, &bytes)?;
    let file_name = file_name(&path);
    station.with_registry(|reg| reg.record_report(actor, kind, &sha256, &file_name, now))?;
    Ok(Printed {
        path: path.display().to_string(),
        kind,
        copy: 1,
        sha256,
        verification: String::new(),
        opened: false,
        printer: None,
    })
}

/// Records that a filed document was sent to `printer` (the shell sends it).
pub fn record_print_job(station: &Workstation, actor: &Actor, printed: &Printed, printer: &str) -> Result<(), Error> {
    let file_name = file_name(std::path::Path::new(&printed.path));
    station.with_registry(|reg| reg.record_print_job(actor, &file_name, printer, clock::now()))
}
