//! The registry's storage: the only crate that knows SQL.
//!
//! It owns the SQLite file (opened in one place, [`connection::open`]), the
//! embedded migrations, and the [`Registry`] API through which the shell
//! reads and writes. Every write is one transaction that appends its audit
//! event; nothing outside this crate sees a `rusqlite` type, so a PostgreSQL
//! backend can later implement the same API without touching the domain or
//! the shell.

mod accounts;
mod applications;
mod audit;
mod calendar;
mod catalog;
pub mod connection;
pub mod migrations;
mod office;
mod queue;
mod workflow;

use chrono::{DateTime, FixedOffset};
use kense_domain::Error;
use rusqlite::Connection;

pub use applications::{
    ApplicationQuery, ApplicationRecord, ApplicationSummary, Due, JournalLine, Printed, Registered, RepresentativeRecord, Urgency,
};
pub use audit::ChainStatus;
pub use accounts::UserSummary;
pub use office::Office;
pub use queue::{
    GroupRecord, KindergartenRecord, PositionChangeRecord, Proposal, QueueRow, QueueStatistics, ReferralRecord, SweepReport,
    YearCount,
};
pub use workflow::StepTaken;

/// The office's registry, open on one SQLite file.
pub struct Registry {
    conn: Connection,
    /// The preschool queue's rules; the shipped ones unless replaced.
    queue_rules: kense_domain::queue::QueueRules,
}

impl Registry {
    /// Opens (or creates) the registry at `path`, checks it and brings its
    /// schema up to date. A database written by a newer Kense is refused.
    pub fn open(path: &std::path::Path) -> Result<Registry, Error> {
        let mut conn = connection::open(path)?;
        migrations::migrate(&mut conn, migrations::MIGRATIONS)?;
        Ok(Registry { conn, queue_rules: kense_domain::queue::QueueRules::shipped()? })
    }
}

/// Stored form of a moment: RFC 3339 with the office's offset, to the second.
pub(crate) fn timestamp(t: DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Maps SQLite's failures onto what a person can act on. The technical text
/// travels in the variant for the log; the message a person reads is the
/// domain's.
pub(crate) fn db_err(e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::DatabaseBusy | C::DatabaseLocked) => Error::DatabaseBusy,
        Some(C::DatabaseCorrupt | C::NotADatabase) => Error::DatabaseCorrupt(e.to_string()),
        Some(C::DiskFull | C::CannotOpen | C::ReadOnly | C::SystemIoFailure | C::PermissionDenied) => {
            Error::Io(e.to_string())
        }
        _ => Error::Storage(e.to_string()),
    }
}
