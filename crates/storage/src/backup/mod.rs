//! Backups of the registry file and restore from one.
//!
//! A backup is made with SQLite's online backup API from a connection of its
//! own, never by copying the live file: in WAL mode the file alone is not
//! the database, and a copy taken mid-transaction is a known way to corrupt
//! one. The copy is written under a `.part` name, switched to a single-file
//! journal, checked (`integrity_check`, `foreign_key_check`, the schema
//! against the migrations, the audit chain) and hashed; only then does it get
//! its final name, so a half-written backup never looks like a backup.
//!
//! Restore treats the chosen file as hostile: it is opened read-only in
//! defensive mode with an untrusted schema, copied (backup API again) into a
//! staging file beside the registry, and every check runs on that staging
//! copy, so what is checked is exactly what goes in, whatever happens to the
//! chosen file meanwhile.

//! The module's parts: [`files`] (names, generations, hashes, copies to a
//! stick), [`pages`] (SQLite's backup API), [`check`] (what a file must pass
//! to be trusted; taking and staging a copy), [`restore`] (swapping a
//! checked file in, with or without a working registry).

mod check;
mod files;
mod pages;
mod restore;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use kense_domain::access::{authorize, Action, Actor};
use kense_domain::Error;
use serde::Serialize;

pub(crate) use check::{schema_matches, take_with};
pub use check::{stage_restore, take};
pub use files::{copy_latest, list, prune};
pub(crate) use pages::finish_copy;
pub use restore::{recover, Credentials, Unusable};

use crate::audit::Event;
use crate::{timestamp, Registry};

/// Days of backups kept. Every backup of the newest day is kept; each
/// earlier day keeps only its last one. Counting days rather than files keeps
/// a week of history even when the program is closed (and backed up) several
/// times a day.
pub const GENERATIONS: usize = 7;

/// Who asked for a backup.
#[derive(Debug, Clone, Copy)]
pub enum Initiator<'a> {
    /// The program's own schedule; the word says when ("start-up", "daily", "exit").
    Schedule(&'static str),
    Person(&'a Actor),
}

/// Where a long operation is, for the window's progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Copy,
    Verify,
    Hash,
    Prune,
    Transfer,
    Check,
    Swap,
    Reopen,
    /// Records read by the full check of the evidence.
    Records,
    /// Rows written by an import of the office's lists.
    Rows,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::Copy,
        Stage::Verify,
        Stage::Hash,
        Stage::Prune,
        Stage::Transfer,
        Stage::Check,
        Stage::Swap,
        Stage::Reopen,
        Stage::Records,
        Stage::Rows,
    ];
}

impl Progress {
    /// A step without a count of its own.
    pub fn at(stage: Stage) -> Progress {
        Progress { stage, done: 0, total: 0 }
    }
}

/// Told where a long operation is; answers whether to go on (`false`: the
/// person cancelled). Copying and checking stop at the next report and
/// leave nothing behind; a restore's swap, once begun, does not stop.
pub type Report<'a> = dyn FnMut(Progress) -> bool + 'a;

fn go_on(progress: &mut Report<'_>, p: Progress) -> Result<(), Error> {
    if progress(p) {
        Ok(())
    } else {
        Err(Error::Cancelled)
    }
}

/// A verified backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupRecord {
    pub name: String,
    #[serde(skip)]
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    /// The audit chain's head inside the copy: what the registry had
    /// committed at the moment of the copy.
    pub audit_head: String,
    pub audit_events: i64,
    /// False if the copy's chain is broken (it was already broken in the
    /// live file): the file is kept, but no older backup is deleted for it.
    pub chain_ok: bool,
    /// Older backups deleted after this one was verified.
    pub pruned: Vec<String>,
}

/// A backup as the administrator's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupFile {
    pub name: String,
    pub size: u64,
    /// Office time of the copy, from the file name ("2026-11-24T10:00:00").
    pub taken_at: NaiveDateTime,
}

/// A backup copied out of the data folder (to a USB stick or a share).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyRecord {
    pub name: String,
    pub destination: PathBuf,
    pub size: u64,
    pub sha256: String,
}

/// A file that passed every restore check, copied to a staging file that
/// nobody else writes.
#[derive(Debug)]
pub struct Staged {
    path: PathBuf,
    pub source: String,
    pub sha256: String,
    pub schema_version: i64,
    pub audit_events: i64,
    pub audit_head: String,
}

impl Staged {
    /// Drops the staging copy when the restore is not going ahead.
    pub fn discard(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreRecord {
    pub source: String,
    /// The file name the replaced registry was kept under, in the data folder.
    pub kept_as: String,
    pub audit_events: i64,
    pub audit_head: String,
}

/// A restore consumes the open registry; what comes back is the registry
/// to work with (the restored one, or the previous one put back) and the
/// outcome for the person who asked.
pub struct RestoreOutcome {
    pub registry: Result<Registry, Error>,
    pub result: Result<RestoreRecord, Error>,
}

impl Registry {
    /// Checks the right to manage backups; a refusal is audited.
    pub fn authorize_backups(&mut self, actor: &Actor, what: &str, now: DateTime<FixedOffset>) -> Result<(), Error> {
        self.authorize_plain(actor, Action::ManageBackups, what, &timestamp(now)).map(|_| ())
    }

    fn append_event(
        &mut self,
        by: Initiator<'_>,
        action: &str,
        entity_id: Option<String>,
        after: serde_json::Value,
        at: &str,
    ) -> Result<(), Error> {
        let (actor_id, role, reason) = match by {
            Initiator::Person(a) => {
                (Some(a.user_id), authorize(a, Action::ManageBackups, None).ok().map(|r| r.code()), None)
            }
            Initiator::Schedule(when) => (None, None, Some(when.to_owned())),
        };
        let mut event = Event::new(action, "registry").after(after.to_string());
        if let Some(id) = entity_id {
            event = event.id(id);
        }
        event = match actor_id {
            Some(id) => event.by(id, role),
            None => event,
        };
        self.db.record(at, event.reason_opt(reason))
    }

    /// Audits a verified backup, with the chain head it holds.
    pub fn record_backup(
        &mut self,
        by: Initiator<'_>,
        rec: &BackupRecord,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let after = serde_json::json!({
            "file": rec.name,
            "size": rec.size,
            "sha256": rec.sha256,
            "audit_head": rec.audit_head,
            "audit_events": rec.audit_events,
            "chain_ok": rec.chain_ok,
            "pruned": rec.pruned,
        });
        self.append_event(by, "backup", Some(rec.name.clone()), after, &timestamp(now))
    }

    /// Audits a backup copied out of the data folder, and where to.
    pub fn record_backup_copy(
        &mut self,
        actor: &Actor,
        rec: &CopyRecord,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Error> {
        let after = serde_json::json!({
            "file": rec.name,
            "sha256": rec.sha256,
            "destination": rec.destination.display().to_string(),
        });
        self.append_event(Initiator::Person(actor), "backup_copied", Some(rec.name.clone()), after, &timestamp(now))
    }

    /// Backs the registry up into `dir`: the copy, its checks, the audit
    /// event and the pruning of old generations, in that order.
    pub fn back_up(
        &mut self,
        by: Initiator<'_>,
        dir: &Path,
        now: DateTime<FixedOffset>,
        progress: &mut Report<'_>,
    ) -> Result<BackupRecord, Error> {
        if let Initiator::Person(actor) = by {
            self.authorize_backups(actor, "back_up", now)?;
        }
        let mut rec = match &self.location {
            crate::Location::File(path) => take(path, dir, now, progress)?,
            crate::Location::Server(_) => self.export_backup(dir, now, progress)?,
        };
        self.finish_backup(by, &mut rec, dir, now, progress)?;
        Ok(rec)
    }

    /// After a verified copy: prunes old generations (unless the copy's
    /// chain is broken — then every earlier backup is evidence) and audits.
    pub fn finish_backup(
        &mut self,
        by: Initiator<'_>,
        rec: &mut BackupRecord,
        dir: &Path,
        now: DateTime<FixedOffset>,
        progress: &mut Report<'_>,
    ) -> Result<(), Error> {
        if rec.chain_ok {
            // The backup is made: reported, not cancellable.
            let _ = progress(Progress::at(Stage::Prune));
            rec.pruned = prune(dir, GENERATIONS)?;
        } else {
            log::error!("backup {} holds a broken audit chain; older backups are kept", rec.name);
        }
        self.record_backup(by, rec, now)
    }

    /// The backups in `dir`, for the administrator.
    pub fn backups(&mut self, actor: &Actor, dir: &Path, now: DateTime<FixedOffset>) -> Result<Vec<BackupFile>, Error> {
        self.authorize_backups(actor, "backups", now)?;
        list(dir)
    }
}
