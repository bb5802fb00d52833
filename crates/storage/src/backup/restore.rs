//! Putting a checked backup in the registry's place: by an administrator
//! of the working registry, or — when it cannot be used — by an
//! administrator of the backup itself. The replaced file is always kept.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use kense_domain::access::Actor;
use kense_domain::Error;
use rusqlite::Connection;

use super::files::{companions, file_name, io_at, sync_dir, EXT};
use super::pages::{copy_pages, db_err, finish_copy, untrusted};
use super::{Initiator, Progress, Report, RestoreOutcome, RestoreRecord, Stage, Staged};
use crate::sql::{open_untrusted, Db, SqliteDb};
use crate::{timestamp, Registry};

impl Registry {
    /// Replaces the registry with a staged, checked file. The open file is
    /// checkpointed and closed, kept beside the registry as
    /// `registry-before-restore-<time>.sqlite`, and the staged copy is
    /// written in its place through the backup API; each registry's chain
    /// records the swap. Any failure puts the previous file back.
    pub fn restore(
        mut self,
        staged: Staged,
        actor: &Actor,
        now: DateTime<FixedOffset>,
        progress: &mut Report<'_>,
    ) -> RestoreOutcome {
        let at = timestamp(now);
        let refuse = |registry: Registry, staged: Staged, e: Error| {
            staged.discard();
            RestoreOutcome { registry: Ok(registry), result: Err(e) }
        };
        if let Err(e) = self.authorize_backups(actor, "restore", now) {
            return refuse(self, staged, e);
        }
        let replaced_head = match self.audit_head() {
            Ok(h) => h,
            Err(e) => return refuse(self, staged, e),
        };
        // The file set aside says in its own chain why it was replaced.
        let note =
            serde_json::json!({"source": staged.source, "sha256": staged.sha256, "restored_head": staged.audit_head});
        if let Err(e) =
            self.append_event(Initiator::Person(actor), "restore_replaced", Some(staged.source.clone()), note, &at)
        {
            return refuse(self, staged, e);
        }

        // From here on the swap finishes or is undone; a cancel is too late.
        let progress = &mut |p| {
            let _ = progress(p);
            true
        };
        progress(Progress::at(Stage::Swap));
        let live = match self.close_for_swap() {
            Ok(live) => live,
            Err(refused) => {
                let (registry, e) = *refused;
                staged.discard();
                return RestoreOutcome { registry, result: Err(e) };
            }
        };
        let kept = match set_aside(&live, "registry-before-restore", now) {
            Ok(kept) => kept,
            Err(e) => {
                staged.discard();
                return RestoreOutcome { registry: Registry::open(&live), result: Err(e) };
            }
        };
        let cause = serde_json::json!({ "replaced_head": replaced_head });
        match swap_in(&staged, &live, Some(&kept), actor, &at, cause, progress) {
            Ok((registry, record)) => {
                staged.discard();
                RestoreOutcome { registry: Ok(registry), result: Ok(record) }
            }
            Err(e) => {
                log::error!("restore failed, putting the previous registry back: {e}");
                staged.discard();
                let registry = put_back(&live, &kept).and_then(|()| Registry::open(&live));
                RestoreOutcome { registry, result: Err(e) }
            }
        }
    }

    /// Checkpoints and closes the registry so that its file alone is the
    /// database and can be set aside. On failure the registry to go on with
    /// comes back with the error.
    fn close_for_swap(self) -> Result<PathBuf, Box<NotClosed>> {
        // `busy` from the checkpoint means another connection still reads.
        let checkpoint = self.db.query_one("PRAGMA wal_checkpoint(TRUNCATE)", crate::sql::args![]);
        match checkpoint.and_then(|r| r.get::<i64>("busy")) {
            Ok(0) => {}
            Ok(_) => return Err(Box::new((Ok(self), Error::DatabaseBusy))),
            Err(e) => return Err(Box::new((Ok(self), e))),
        }
        let Some(live) = self.path().map(Path::to_path_buf) else {
            // The office server is not a file to swap: it is restored by a
            // move into an empty database.
            return Err(Box::new((Ok(self), Error::InvalidState)));
        };
        let Registry { db, location, read_only, catalogs } = self;
        let file = match db {
            Db::Sqlite(file) => file,
            db => {
                let registry = Registry { db, location, read_only, catalogs };
                return Err(Box::new((Ok(registry), Error::InvalidState)));
            }
        };
        if let Err((conn, e)) = file.into_connection().close() {
            let db = Db::Sqlite(SqliteDb::from_connection(conn));
            let registry = Registry { db, location, read_only, catalogs };
            return Err(Box::new((Ok(registry), db_err(e))));
        }
        let [wal, shm, journal] = companions(&live);
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) || journal.exists() {
            // Someone else still has the file open; setting it aside now
            // would separate it from its log.
            return Err(Box::new((Registry::open(&live), Error::DatabaseBusy)));
        }
        let _ = std::fs::remove_file(&wal);
        let _ = std::fs::remove_file(&shm);
        Ok(live)
    }
}

/// A registry that could not be closed for a swap: the one to go on with
/// (or why it would not reopen), and the error.
type NotClosed = (Result<Registry, Error>, Error);

/// Who asks to recover, as typed on the recovery screen.
pub struct Credentials<'a> {
    pub login: &'a str,
    pub password: &'a str,
    /// Attempts the program refused before this one. Nothing could record
    /// them when they happened; the restore's audit event does.
    pub refused_before: u32,
}

/// Why a registry is being recovered without anyone logged in to it.
#[derive(Debug)]
pub enum Unusable {
    /// It cannot be opened; the error says why.
    Unopenable(Error),
    /// The file is gone while backups of it exist.
    Missing,
}

/// Restores a staged backup when nobody can log in to the registry: it
/// cannot be opened, it is missing while backups exist, or it is still
/// empty (Kense just installed on a new computer). Who restores proves to
/// be an active administrator *of the backup being restored*: the only
/// accounts there are. The unusable file and its log are kept beside the
/// registry as `registry-unopenable-<time>.sqlite` (an empty one as
/// `registry-before-restore-…`). `current` is what the program holds
/// instead of a registry; on any failure it comes back unchanged.
pub fn recover(
    live: &Path,
    current: Result<Registry, Unusable>,
    staged: Staged,
    who: &Credentials<'_>,
    now: DateTime<FixedOffset>,
    progress: &mut Report<'_>,
) -> (Result<Registry, Unusable>, Result<RestoreRecord, Error>) {
    let refuse = |current, staged: Staged, e: Error| {
        staged.discard();
        (current, Err(e))
    };
    let actor = match untrusted(&staged.path)
        .map_err(Error::from)
        .and_then(|db| crate::accounts::administrator_of(&db, who.login, who.password))
    {
        Ok(actor) => actor,
        Err(e) => {
            log::warn!("recovery refused for login {:?}: {e}", who.login);
            return refuse(current, staged, e);
        }
    };
    // From here on the swap finishes or is undone; a cancel is too late.
    let progress = &mut |p| {
        let _ = progress(p);
        true
    };
    progress(Progress::at(Stage::Swap));
    // What stood in the registry's place, to put back if this fails.
    let prior = match current {
        Ok(registry) => {
            match registry.has_users() {
                Ok(false) => {}
                Ok(true) => return refuse(Ok(registry), staged, Error::AlreadyInitialised),
                Err(e) => return refuse(Ok(registry), staged, e),
            }
            match registry.close_for_swap().map_err(|refused| *refused) {
                Ok(_) => None,
                Err((Ok(registry), e)) => return refuse(Ok(registry), staged, e),
                Err((Err(reopen), e)) => return refuse(Err(Unusable::Unopenable(reopen)), staged, e),
            }
        }
        Err(unusable) => Some(unusable),
    };
    let (cause, base) = match &prior {
        None => ("empty".to_owned(), "registry-before-restore"),
        Some(Unusable::Missing) => ("missing".to_owned(), ""),
        Some(Unusable::Unopenable(e)) => (e.to_string(), "registry-unopenable"),
    };
    let unchanged = |kept: Option<&Path>, prior: Option<Unusable>| -> Result<Registry, Unusable> {
        match kept {
            Some(k) => {
                if let Err(e) = put_back(live, k) {
                    return Err(Unusable::Unopenable(e));
                }
            }
            None => {
                let _ = std::fs::remove_file(live);
                companions(live).iter().for_each(|c| drop(std::fs::remove_file(c)));
            }
        }
        match prior {
            None => Registry::open(live).map_err(Unusable::Unopenable),
            Some(p) => Err(p),
        }
    };
    let kept = if base.is_empty() {
        None
    } else {
        match set_aside(live, base, now) {
            Ok(k) => Some(k),
            Err(e) => {
                staged.discard();
                let back = match prior {
                    None => Registry::open(live).map_err(Unusable::Unopenable),
                    Some(p) => Err(p),
                };
                return (back, Err(e));
            }
        }
    };
    let note = serde_json::json!({ "recovered_from": cause, "refused_before": who.refused_before });
    match swap_in(&staged, live, kept.as_deref(), &actor, &timestamp(now), note, progress) {
        Ok((registry, record)) => {
            staged.discard();
            (Ok(registry), Ok(record))
        }
        Err(e) => {
            log::error!("recovery failed, putting the previous file back: {e}");
            staged.discard();
            (unchanged(kept.as_deref(), prior), Err(e))
        }
    }
}

/// Moves the registry file and whatever lies beside it (its log) to a free
/// name `<base>-<time>.sqlite` in the same folder, durably.
fn set_aside(live: &Path, base: &str, now: DateTime<FixedOffset>) -> Result<PathBuf, Error> {
    let dir = live.parent().map(Path::to_path_buf).unwrap_or_default();
    let base = format!("{base}-{}", now.format("%Y%m%d-%H%M%S"));
    let mut n = 1;
    let kept = loop {
        let name = if n == 1 { format!("{base}{EXT}") } else { format!("{base}-{n}{EXT}") };
        if !dir.join(&name).exists() {
            break dir.join(name);
        }
        n += 1;
    };
    std::fs::rename(live, &kept).map_err(io_at(live))?;
    for (from, to) in companions(live).iter().zip(companions(&kept)) {
        if from.exists() {
            std::fs::rename(from, &to).map_err(io_at(from))?;
        }
    }
    sync_dir(&dir)?;
    Ok(kept)
}

/// Puts a set-aside file (and its log) back after a failed swap.
fn put_back(live: &Path, kept: &Path) -> Result<(), Error> {
    let _ = std::fs::remove_file(live);
    for c in companions(live) {
        let _ = std::fs::remove_file(c);
    }
    std::fs::rename(kept, live).map_err(io_at(live))?;
    for (from, to) in companions(kept).iter().zip(companions(live)) {
        if from.exists() {
            std::fs::rename(from, &to).map_err(io_at(from))?;
        }
    }
    Ok(())
}

/// Writes the staged copy in the registry's place through the backup API,
/// opens it and audits the restore in its chain. `kept` is where the file
/// it replaces went (none when there was no file).
fn swap_in(
    staged: &Staged,
    live: &Path,
    kept: Option<&Path>,
    actor: &Actor,
    at: &str,
    mut note: serde_json::Value,
    progress: &mut Report<'_>,
) -> Result<(Registry, RestoreRecord), Error> {
    let src = open_untrusted(&staged.path)?.into_connection();
    let mut dst = Connection::open(live).map_err(db_err)?;
    copy_pages(&src, &mut dst, Stage::Swap, progress)?;
    drop(src);
    finish_copy(dst, live)?;
    let _ = progress(Progress::at(Stage::Reopen));
    let mut registry = Registry::open(live)?;
    let record = RestoreRecord {
        source: staged.source.clone(),
        kept_as: kept.map(file_name).unwrap_or_default(),
        audit_events: staged.audit_events,
        audit_head: staged.audit_head.clone(),
    };
    if let Some(fields) = note.as_object_mut() {
        for (k, v) in [
            ("source", serde_json::json!(record.source)),
            ("sha256", serde_json::json!(staged.sha256)),
            ("schema_version", serde_json::json!(staged.schema_version)),
            ("kept_as", serde_json::json!(record.kept_as)),
            ("restored_head", serde_json::json!(record.audit_head)),
            ("restored_events", serde_json::json!(record.audit_events)),
            ("by_login", serde_json::json!(actor.login)),
        ] {
            fields.insert(k.to_owned(), v);
        }
    }
    registry.append_event(Initiator::Person(actor), "restore", Some(record.source.clone()), note, at)?;
    log::warn!("registry restored from {}; previous file kept as {:?}", record.source, record.kept_as);
    Ok((registry, record))
}
