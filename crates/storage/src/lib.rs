//! The registry's storage: the only crate that knows SQL.
//!
//! [`Registry`] is the one API through which the rest of Kense reads and
//! writes. Behind it, storage modules speak engine-neutral SQL through
//! [`sql`] (rows read by column name, values as [`sql::Value`]); the engine
//! itself — the embedded SQLite file today — is chosen when the registry is
//! opened and is never seen outside this crate. Every write goes through
//! one path, [`sql::Db::audited`]: one transaction that makes the change and
//! appends its audit event, committed together or not at all.
//!
//! [`backup`] is about files: a Kense backup is a checked SQLite registry
//! file, whatever engine the live registry runs on.

mod accounts;
mod applications;
mod audit;
pub mod backup;
mod calendar;
mod catalog;
mod copy;
mod dashboard;
mod evidence;
mod exports;
mod import;
mod migrations;
mod numbers;
mod office;
mod queue;
mod reports;
mod seal;
mod server;
mod signatures;
mod sql;
mod watch;
mod workflow;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use kense_domain::access::{authorize, Action, Actor};
use kense_domain::Error;

pub use accounts::UserSummary;
pub use applications::{
    papers, AkimatAct, ApplicationQuery, ApplicationRecord, ApplicationSummary, CorrectionRecord, Due, HistoryEntry,
    JournalLine, KnownPerson, Printed, PrintedFile, Registered, RepresentativeRecord, ResultRecord, Urgency,
};
pub use audit::{ChainStatus, Checkpoint};
pub use backup::{
    BackupFile, BackupRecord, CopyRecord, Initiator, Progress, Report, RestoreOutcome, RestoreRecord, Stage, Staged,
    Unusable,
};
pub use calendar::OpenDue;
pub use catalog::{CatalogOrigin, CatalogPreview, CatalogService, CatalogVersion, CatalogVersionDetail};
pub use copy::Copied;
pub use dashboard::{Dashboard, ReferralMonth, ServiceCount, StatusCount, YearWaiting};
pub use evidence::Evidence;
pub use exports::{ExportKind, ExportRecord};
pub use import::{
    HistoryImportReport, ImportFile, ImportProgress, PlannedQueueRow, QueueImportReport, RowProblem, IMPORT_SERIES,
};
pub use office::{KeyOrigin, Office};
pub use queue::{
    GroupRecord, KindergartenRecord, PositionChangeRecord, Proposal, QueueRow, QueueStatistics, ReferralRecord,
    SweepReport, YearCount,
};
pub use reports::{
    ApplicationCount, OverdueCount, PeriodReport, QueueCount, ReferralCounts, RefusalCount, SurveyCount,
};
pub use seal::{Deviation, Finding};
pub use server::{Moved, ServerSetup};
pub use signatures::{CertificateFacts, CertificateSignature, NewTrustedFile, SigningMethod, TrustedFile};
pub use watch::{Signal, Watch};
pub use workflow::{Route, StepTaken};

use audit::Event;
pub use sql::ServerSettings;
use sql::{Db, SqliteDb};

/// The schema version this binary writes; a registry with a newer one is
/// refused ([`Error::DatabaseNewer`]).
pub const SCHEMA_VERSION: i64 = 20;

/// Where a registry is: a file on this PC, or the office server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Server(ServerSettings),
}

/// The office's registry.
pub struct Registry {
    db: Db,
    /// A second connection (the full check), a backup of the file and a
    /// restore all need to know where the registry is.
    location: Location,
    read_only: bool,
    /// Installed catalog versions never change: each is parsed once.
    catalogs: catalog::Parsed,
}

impl Registry {
    /// Opens (or creates) the registry file at `path`, checks it and brings
    /// its schema up to date. A database written by a newer Kense is refused.
    pub fn open(path: &Path) -> Result<Registry, Error> {
        let mut db = Db::Sqlite(SqliteDb::open(path)?);
        let engine = db.engine();
        migrations::migrate(&mut db, migrations::of(engine))?;
        Registry::over(db, Location::File(path.to_path_buf()), false)
    }

    fn over(db: Db, location: Location, read_only: bool) -> Result<Registry, Error> {
        Ok(Registry { db, location, read_only, catalogs: Default::default() })
    }

    /// Opens an existing registry for reading only: for a file on read-only
    /// media or in a folder the account may not write to. Every write is
    /// refused with [`Error::ReadOnly`]; a schema older than the binary
    /// cannot be migrated without writing, so it is refused too.
    pub fn open_read_only(path: &Path) -> Result<Registry, Error> {
        let db = Db::Sqlite(sql::open_read_only(path)?);
        let found = migrations::current_version(&db)?;
        let supported = migrations::latest(migrations::of(db.engine()));
        if found > supported {
            return Err(Error::DatabaseNewer { found, supported });
        }
        if found < supported {
            return Err(Error::ReadOnly);
        }
        Registry::over(db, Location::File(path.to_path_buf()), true)
    }

    /// The registry's file, when it is one (not on the office server).
    pub fn path(&self) -> Option<&Path> {
        match &self.location {
            Location::File(p) => Some(p),
            Location::Server(_) => None,
        }
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Fault injection for tests: caps the file at its current size plus
    /// `extra_pages`, so the next write that needs more fails exactly as on
    /// a full disk (`SQLITE_FULL`).
    #[doc(hidden)]
    pub fn cap_file_growth(&self, extra_pages: i64) -> Result<(), Error> {
        let pages: i64 = self.db.value("PRAGMA page_count", sql::args![])?;
        self.db.value::<i64>(&format!("PRAGMA max_page_count = {}", pages + extra_pages), sql::args![])?;
        Ok(())
    }

    /// Checks the actor's right to an action that is not a workflow step; a
    /// refusal is itself audited. The role that allowed it comes back.
    pub(crate) fn authorize_plain(
        &mut self,
        actor: &Actor,
        action: Action,
        what: &str,
        at: &str,
    ) -> Result<&'static str, Error> {
        match authorize(actor, action, None) {
            Ok(role) => Ok(role.code()),
            Err(e) => {
                self.db.record(at, denied(actor, what))?;
                Err(e)
            }
        }
    }
}

/// The tables whose records are bound to the audit chain (sealed): what
/// verification reads, and what an outside edit of is found.
pub fn sealed_tables() -> Vec<&'static str> {
    seal::SEALED.iter().map(|s| s.table).collect()
}

/// The audit event of a refused action.
pub(crate) fn denied(actor: &Actor, what: &str) -> Event {
    Event::new(format!("denied:{what}"), "user").by(actor.user_id, None).id(actor.user_id)
}

/// Stored form of a moment: RFC 3339 with the office's offset, to the
/// second. A moment as the registry stores it (to the second, with its offset):
/// what a paper that states a stored moment must print.
pub fn timestamp(t: DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// A stored moment read back; a malformed one is a fault of the data.
pub(crate) fn moment(at: &str) -> Result<DateTime<FixedOffset>, Error> {
    DateTime::parse_from_rfc3339(at).map_err(|e| Error::Storage(format!("stored moment {at:?}: {e}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_schema_version_is_the_newest_migration() {
        assert_eq!(super::SCHEMA_VERSION, super::migrations::latest(super::migrations::SQLITE));
        assert_eq!(super::SCHEMA_VERSION, super::migrations::latest(super::migrations::POSTGRES));
    }
}
