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
pub mod backup;
mod calendar;
mod catalog;
pub mod connection;
mod dashboard;
pub mod migrations;
mod office;
mod queue;
mod workflow;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use kense_domain::queue::QueueRules;
use kense_domain::Error;
use rusqlite::Connection;

pub use accounts::UserSummary;
pub use applications::{
    ApplicationQuery, ApplicationRecord, ApplicationSummary, Due, JournalLine, KnownPerson, Printed, Registered,
    RepresentativeRecord, ResultRecord, Urgency,
};
pub use audit::ChainStatus;
pub use backup::{
    BackupFile, BackupRecord, CopyRecord, Initiator, Progress, Report, RestoreOutcome, RestoreRecord, Stage, Staged,
    Unusable,
};
pub use catalog::{CatalogService, CatalogVersion, CatalogVersionDetail};
pub use dashboard::{Dashboard, ReferralMonth, ServiceCount, StatusCount, YearWaiting};
pub use office::{KeyOrigin, Office};
pub use queue::{
    GroupRecord, KindergartenRecord, PositionChangeRecord, Proposal, QueueRow, QueueStatistics, ReferralRecord,
    SweepReport, YearCount,
};
pub use workflow::StepTaken;

/// The office's registry, open on one SQLite file.
pub struct Registry {
    conn: Connection,
    /// The preschool queue's rules; the shipped ones unless replaced.
    queue_rules: QueueRules,
    /// Backups read the file through their own connection, and a restore
    /// replaces it, so the registry remembers where it is.
    path: PathBuf,
    read_only: bool,
    /// Installed catalog versions never change: each is parsed once.
    catalogs: catalog::Parsed,
}

impl Registry {
    /// Opens (or creates) the registry at `path`, checks it and brings its
    /// schema up to date. A database written by a newer Kense is refused.
    pub fn open(path: &Path) -> Result<Registry, Error> {
        let mut conn = connection::open(path)?;
        migrations::migrate(&mut conn, migrations::MIGRATIONS)?;
        Ok(Registry {
            conn,
            queue_rules: QueueRules::shipped()?,
            path: path.to_path_buf(),
            read_only: false,
            catalogs: Default::default(),
        })
    }

    /// Opens an existing registry for reading only: for a file on read-only
    /// media or in a folder the account may not write to. Every write is
    /// refused with [`Error::ReadOnly`]; a schema older than the binary
    /// cannot be migrated without writing, so it is refused too.
    pub fn open_read_only(path: &Path) -> Result<Registry, Error> {
        let conn = connection::open_read_only(path)?;
        let found = migrations::current_version(&conn)?;
        let supported = migrations::latest(migrations::MIGRATIONS);
        if found > supported {
            return Err(Error::DatabaseNewer { found, supported });
        }
        if found < supported {
            return Err(Error::ReadOnly);
        }
        Ok(Registry {
            conn,
            queue_rules: QueueRules::shipped()?,
            path: path.to_path_buf(),
            read_only: true,
            catalogs: Default::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Fault injection for tests: caps the file at its current size plus
    /// `extra_pages`, so the next write that needs more fails exactly as on
    /// a full disk (`SQLITE_FULL`).
    #[doc(hidden)]
    pub fn cap_file_growth(&self, extra_pages: i64) -> Result<(), Error> {
        let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0)).map_err(db_err)?;
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {}", pages + extra_pages), [], |r| r.get::<_, i64>(0))
            .map_err(db_err)?;
        Ok(())
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
        Some(C::DiskFull) => {
            log::error!("disk full: {e}");
            Error::DiskFull
        }
        Some(C::ReadOnly) => {
            log::warn!("write refused, read-only: {e}");
            Error::ReadOnly
        }
        Some(C::CannotOpen | C::SystemIoFailure | C::PermissionDenied) => Error::Io(e.to_string()),
        _ => Error::Storage(e.to_string()),
    }
}
